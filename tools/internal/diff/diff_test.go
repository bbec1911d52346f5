package diff

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zavestudios/platform/tools/internal/manifest"
)

func TestFields(t *testing.T) {
	tests := []struct {
		name string
		a, b any
		want []Field
	}{
		{"equal", map[string]any{"a": 1, "l": []any{"x"}}, map[string]any{"a": 1, "l": []any{"x"}}, nil},
		{"changed leaf", map[string]any{"spec": map[string]any{"replicas": 2}}, map[string]any{"spec": map[string]any{"replicas": 3}},
			[]Field{{"/spec/replicas", 2, 3}}},
		{"escaped key, one side only", map[string]any{}, map[string]any{"annotations": map[string]any{"a/b~c": "x"}},
			[]Field{{"/annotations/a~1b~0c", nil, "x"}}},
		{"list grows", map[string]any{"l": []any{"x"}}, map[string]any{"l": []any{"x", "y"}}, []Field{{"/l/1", nil, "y"}}},
		{"embedded yaml", map[string]any{"v": "a: 1\nb: 2\n"}, map[string]any{"v": "a: 1\nb: 3\n"}, []Field{{"/v/b", float64(2), float64(3)}}},
		{"type change", map[string]any{"v": "1"}, map[string]any{"v": 1}, []Field{{"/v", "1", 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Fields(tt.a, tt.b)); diff != "" {
				t.Errorf("Fields (-want +got):\n%s", diff)
			}
		})
	}
}

// TestObjectsMasksSecrets: a changed Secret value shows as changed, never as its value; SOPS
// ciphertext and metadata, which change on every encryption, are no change at all.
func TestObjectsMasksSecrets(t *testing.T) {
	secret := func(v, enc, mac string) manifest.Object {
		return manifest.Object{Object: map[string]any{"apiVersion": "v1", "kind": "Secret",
			"metadata":   map[string]any{"name": "s", "namespace": "n"},
			"stringData": map[string]any{"plain": v, "enc": enc}, "sops": map[string]any{"mac": mac}}}
	}
	cs := Objects("e", []manifest.Object{secret("hunter2", "ENC[AES256_GCM,data:a]", "m1")},
		[]manifest.Object{secret("correct-horse", "ENC[AES256_GCM,data:b]", "m2")})
	if len(cs) != 1 || len(cs[0].Fields) != 1 || cs[0].Fields[0].Path != "/stringData/plain" {
		t.Fatalf("changes = %+v, want one change of /stringData/plain", cs)
	}
	body := Body(cs)
	for _, leak := range []string{"hunter2", "correct-horse"} {
		if strings.Contains(body, leak) {
			t.Errorf("diff body shows the secret value %q:\n%s", leak, body)
		}
	}
	if cs := Objects("e", []manifest.Object{secret("x", "ENC[AES256_GCM,data:a]", "m1")},
		[]manifest.Object{secret("x", "ENC[AES256_GCM,data:b]", "m2")}); len(cs) != 0 {
		t.Errorf("re-encryption reported as %+v", cs)
	}
}
