package schemagen

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCRDOutputs(t *testing.T) {
	out, err := crdOutputs(readFixture(t, "crds.yaml"), "example.com/fixture@v1.0.0 crds/fixture.yaml")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("files: CRD per group and plural, schema per served version", func(t *testing.T) {
		want := []string{
			"schemas/crds/tools.example.com_gizmos.yaml",
			"schemas/crds/widgets.example.com_gadgets.yaml",
			"schemas/jsonschema/crds/tools.example.com/gizmo_v1alpha1.json",
			"schemas/jsonschema/crds/widgets.example.com/gadget_v1.json", // v1beta1 is not served
		}
		if diff := cmp.Diff(want, slices.Sorted(maps.Keys(out))); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("CRD text vendored verbatim under a provenance line", func(t *testing.T) {
		got := string(out["schemas/crds/tools.example.com_gizmos.yaml"])
		want := "# Vendored by `make schemas` from example.com/fixture@v1.0.0 crds/fixture.yaml; do not edit.\n" +
			"# Second document: the text is vendored verbatim, comments and all.\n" +
			"apiVersion: apiextensions.k8s.io/v1\n"
		if !strings.HasPrefix(got, want) || !strings.HasSuffix(got, "x-kubernetes-preserve-unknown-fields: true\n") {
			t.Errorf("got:\n%s", got)
		}
	})

	var gadget map[string]any
	if err := json.Unmarshal(out["schemas/jsonschema/crds/widgets.example.com/gadget_v1.json"], &gadget); err != nil {
		t.Fatal(err)
	}
	spec := func(path ...string) any {
		return get(t, gadget, append([]string{"properties", "spec", "properties"}, path...)...)
	}
	tests := []struct {
		name string
		got  any
		want any
	}{
		{name: "root stays open", got: slices.Contains(slices.Collect(maps.Keys(gadget)), "additionalProperties"), want: false},
		{name: "nested object is strict", got: get(t, gadget, "properties", "spec", "additionalProperties"), want: false},
		{name: "objects in arrays are strict", got: spec("nested", "properties", "deep", "items", "additionalProperties"), want: false},
		{name: "preserve-unknown-fields stays open", got: slices.Contains(slices.Collect(maps.Keys(spec("values").(map[string]any))), "additionalProperties"), want: false},
		{name: "explicit additionalProperties kept", got: spec("labels", "additionalProperties"), want: map[string]any{"type": "string"}},
		{name: "format int-or-string accepts both",
			got:  spec("size"),
			want: map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "integer"}}}},
		{name: "x-kubernetes-int-or-string left as written",
			got: spec("replicas"),
			want: map[string]any{"anyOf": []any{map[string]any{"type": "integer"}, map[string]any{"type": "string"}},
				"x-kubernetes-int-or-string": true}},
		{name: "CRD optional fields are not made nullable", got: spec("nested", "type"), want: "object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	t.Run("large integers kept exactly", func(t *testing.T) {
		if s := string(out["schemas/jsonschema/crds/widgets.example.com/gadget_v1.json"]); !strings.Contains(s, `"maximum": 9223372036854775807`) {
			t.Error("maximum 9223372036854775807 was not kept exactly")
		}
	})
}

func TestCRDOutputsErrors(t *testing.T) {
	tests := []struct {
		name, doc, wantErr string
	}{
		{name: "not a CRD", doc: "apiVersion: v1\nkind: ConfigMap\n", wantErr: "document 1 is v1 ConfigMap, not an apiextensions.k8s.io/v1 CustomResourceDefinition"},
		{name: "old CRD API", doc: "---\napiVersion: apiextensions.k8s.io/v1beta1\nkind: CustomResourceDefinition\n", wantErr: "document 2 is apiextensions.k8s.io/v1beta1"},
		{name: "no plural", doc: "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec: {group: a.b, names: {kind: A}}\n", wantErr: "needs a group, kind and plural"},
		{name: "not YAML", doc: "a: [", wantErr: "document 1"},
		{
			name: "same CRD twice",
			doc: "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec: {group: a.b, names: {kind: A, plural: as}}\n---\n" +
				"apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec: {group: a.b, names: {kind: A, plural: as}}\n",
			wantErr: "schemas/crds/a.b_as.yaml produced twice",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := crdOutputs([]byte(tt.doc), "test")
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestSplitDocuments(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{name: "one document", in: "a: 1\n", want: []string{"a: 1\n"}},
		{name: "leading separator", in: "---\na: 1\n", want: []string{"", "a: 1\n"}},
		{name: "separator with comment", in: "a: 1\n--- # two\nb: 2", want: []string{"a: 1\n", "b: 2"}},
		{name: "CRLF", in: "a: 1\r\n---\r\nb: 2\r\n", want: []string{"a: 1\r\n", "b: 2\r\n"}},
		{name: "dashes inside a value are not a separator", in: "a: |\n  ---\n  x\n", want: []string{"a: |\n  ---\n  x\n"}},
		{name: "longer dashes are not a separator", in: "a: 1\n----\n", want: []string{"a: 1\n----\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, d := range splitDocuments([]byte(tt.in)) {
				got = append(got, string(d))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
