package schema

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDetailedErrors(t *testing.T) {
	const head = "problem validating schema. Check JSON formatting: jsonschema validation failed with 'file:///s/deployment-apps-v1.json#'"
	tests := []struct {
		name string
		text string
		want []errEntry
	}{
		{
			name: "one error",
			text: head + " - at '/spec/replicas': got string, want integer",
			want: []errEntry{{1, "/spec/replicas", "got string, want integer"}},
		},
		{
			name: "group flattened to its leaves",
			text: head + " - at '/spec': validation failed   - at '/spec/replicas': got string, want integer   - at '/spec': additional properties 'a', 'b' not allowed",
			want: []errEntry{{2, "/spec/replicas", "got string, want integer"}, {2, "/spec", "additional properties 'a', 'b' not allowed"}},
		},
		{
			name: "oneOf collapsed into one entry",
			text: head + " - at '/spec': validation failed   - at '/spec/x': 'oneOf' failed, none matched     - at '/spec/x': got boolean, want string     - at '/spec/x': got boolean, want integer   - at '/y': got number, want string",
			want: []errEntry{
				{2, "/spec/x", "'oneOf' failed, none matched: got boolean, want string; got boolean, want integer"},
				{2, "/y", "got number, want string"},
			},
		},
		{
			name: "escaped pointer and quote",
			text: head + ` - at '/metadata/labels/a~1b/it\'s': got number, want string`,
			want: []errEntry{{1, "/metadata/labels/a~1b/it's", "got number, want string"}},
		},
		{name: "not the expected format", text: "could not find schema for Widget", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := detailedErrors(parseErrText(tt.text))
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(errEntry{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestPointers(t *testing.T) {
	doc := map[string]any{"metadata": map[string]any{"annotations": map[string]any{
		"example.com/owner": 5, "a~b": 1}}, "items": []any{map[string]any{"x/y": 1}}}
	tests := []struct {
		name, path, want string
	}{
		{name: "root", path: "", want: ""},
		{name: "plain", path: "/metadata/annotations", want: "/metadata/annotations"},
		{name: "key with slash", path: "/metadata/annotations/example.com/owner", want: "/metadata/annotations/example.com~1owner"},
		{name: "key with tilde", path: "/metadata/annotations/a~b", want: "/metadata/annotations/a~0b"},
		{name: "through a list", path: "/items/0/x/y", want: "/items/0/x~1y"},
		{name: "not in the object", path: "/spec/a/b", want: "/spec/a/b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := encodePointer(resolve(doc, tt.path))
			if got != tt.want {
				t.Errorf("resolve(%q) = %q, want %q", tt.path, got, tt.want)
			}
			if diff := cmp.Diff(resolve(doc, tt.path), decodePointer(got)); diff != "" && tt.path != "" {
				t.Errorf("decodePointer(encodePointer(x)) != x (-want +got):\n%s", diff)
			}
		})
	}
}
