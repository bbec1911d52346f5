package manifest

import (
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		want    []string // ID@line
		wantErr string
	}{
		{
			name: "multi-document with empty and comment-only documents",
			data: "---\n# nothing\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: ns\n---\n\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: b\n",
			want: []string{"v1/ConfigMap/ns/a@4", "apps/v1/Deployment/b@12"},
		},
		{
			name: "list expanded with item lines",
			data: "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Namespace\n    metadata:\n      name: x\n  - apiVersion: v1\n    kind: Namespace\n    metadata:\n      name: y\n",
			want: []string{"v1/Namespace/x@4", "v1/Namespace/y@8"},
		},
		{
			name:    "not a mapping",
			data:    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n- a\n- b\n",
			wantErr: "f.yaml:5: not a Kubernetes object: the document is a list, not a mapping",
		},
		{
			name:    "no kind",
			data:    "\n\nreplicaCount: 2\nimage: x\n",
			wantErr: "f.yaml:3: not a Kubernetes object: apiVersion and kind must be set",
		},
		{
			name:    "syntax error",
			data:    "apiVersion: v1\nkind: ConfigMap\n  bad: [\n",
			wantErr: "f.yaml:3:",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs, err := Decode("f.yaml", []byte(tt.data))
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("Decode error = %v, want prefix %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, o := range objs {
				if o.Origin.File != "f.yaml" {
					t.Errorf("%s: file %q", o.ID(), o.Origin.File)
				}
				got = append(got, o.ID()+"@"+strconv.Itoa(o.Origin.Line))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Decode (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeNormalizes(t *testing.T) {
	objs, err := Decode("f.yaml", []byte("apiVersion: v1\nkind: X\nmetadata: {name: a}\nspec:\n  n: 3\n  f: 1.5\n  t: 2024-01-01\n  m: {1: one, true: yes}\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"n": int64(3), "f": 1.5, "t": "2024-01-01", "m": map[string]any{"1": "one", "true": "yes"}}
	if diff := cmp.Diff(want, objs[0].Object["spec"]); diff != "" {
		t.Errorf("spec (-want +got):\n%s", diff)
	}
}

func TestFieldLine(t *testing.T) {
	data := []byte(`apiVersion: v1
kind: ConfigMap
metadata:
  name: a
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: app
          image: nginx
        - name: side
          image: busybox
`)
	tests := []struct {
		name    string
		docLine int
		pointer string
		want    int
	}{
		{"document", 6, "", 6},
		{"field", 6, "/metadata/name", 9},
		{"list element field", 6, "/spec/template/spec/containers/1/image", 17},
		{"missing field points at parent", 6, "/spec/replicas", 10},
		{"first document", 1, "/metadata/name", 4},
		{"no document at line", 3, "/metadata", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FieldLine(data, tt.docLine, tt.pointer); got != tt.want {
				t.Errorf("FieldLine(%d, %q) = %d, want %d", tt.docLine, tt.pointer, got, tt.want)
			}
		})
	}
}

func TestEncrypted(t *testing.T) {
	objs, err := Decode("s.enc.yaml", []byte("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  k: ENC[AES256_GCM,data:xx,type:str]\nsops:\n  mac: ENC[x]\n  lastmodified: \"2024-01-01T00:00:00Z\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !objs[0].Encrypted() {
		t.Error("Encrypted() = false for a SOPS Secret")
	}
}
