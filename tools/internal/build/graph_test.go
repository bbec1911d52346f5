package build

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCycles(t *testing.T) {
	tests := []struct {
		name  string
		edges map[string][]string
		want  [][]string
	}{
		{"none", map[string][]string{"a": {"b"}, "b": {"c"}, "c": nil}, nil},
		{"self", map[string][]string{"a": {"a"}}, [][]string{{"a"}}},
		{"two", map[string][]string{"a": {"b"}, "b": {"a"}}, [][]string{{"a", "b"}}},
		{"three with a tail and a missing target", map[string][]string{
			"t": {"x"}, "x": {"y", "missing"}, "y": {"z"}, "z": {"x"},
		}, [][]string{{"x", "y", "z"}}},
		{"two separate", map[string][]string{"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"c"}},
			[][]string{{"a", "b"}, {"c", "d"}}},
		{"shortcut inside a component", map[string][]string{"a": {"b", "c"}, "b": {"c"}, "c": {"a"}},
			[][]string{{"a", "b", "c"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nodes := map[string]depNode{}
			var names []string
			for n, deps := range tt.edges {
				nodes[n] = depNode{deps: deps}
				names = append(names, n)
			}
			sortStrings(names)
			if diff := cmp.Diff(tt.want, cycles(names, nodes)); diff != "" {
				t.Errorf("cycles (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDependsOnFindings checks the graph findings end to end, with their lines.
func TestDependsOnFindings(t *testing.T) {
	root := writeTree(t, `
-- clusters/t/ks.yaml --
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: a, namespace: flux-system}
spec:
  path: ./empty
  sourceRef: {kind: GitRepository, name: flux-system}
  dependsOn:
    - name: a
    - name: ghost
      namespace: other
-- empty/.keep --
`)
	_, fs := build(t, Options{Root: root, Path: "clusters/t"})
	want := []string{
		"clusters/t/ks.yaml:7: build: kustomize.toolkit.fluxcd.io/v1/Kustomization/flux-system/a: [depends-on] dependsOn cycle: flux-system/a → flux-system/a",
		"clusters/t/ks.yaml:9: build: kustomize.toolkit.fluxcd.io/v1/Kustomization/flux-system/a: [depends-on] dependsOn Kustomization other/ghost: not found in the tree",
	}
	if diff := cmp.Diff(want, messages(fs)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}
