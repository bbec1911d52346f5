package build

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/zavestudios/platform/tools/internal/finding"
	"github.com/zavestudios/platform/tools/internal/manifest"
)

// depNode is a Kustomization or HelmRelease in the dependsOn graph.
type depNode struct {
	obj  manifest.Object
	deps []string // namespace/name
}

// checkGraph checks spec.dependsOn of every Kustomization and of every HelmRelease the tree
// applies: Flux waits forever on a dependency that does not exist or on a cycle, so both are
// errors.
func (b *Builder) checkGraph() {
	ks, hr := map[string]depNode{}, map[string]depNode{}
	for _, o := range b.st.list {
		switch {
		case isKustomization(o):
			ks[nsName(o)] = depNode{obj: o, deps: dependsOn(o)}
		case isHelmRelease(o):
			hr[nsName(o)] = depNode{obj: o, deps: dependsOn(o)}
		}
	}
	b.checkDeps("Kustomization", ks)
	b.checkDeps("HelmRelease", hr)
}

func (b *Builder) checkDeps(kind string, nodes map[string]depNode) {
	names := make([]string, 0, len(nodes))
	for n := range nodes {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		node := nodes[n]
		for i, d := range node.deps {
			if _, ok := nodes[d]; !ok {
				b.report(finding.Error, b.fieldOrigin(node.obj, fmt.Sprintf("/spec/dependsOn/%d", i)), node.obj.ID(),
					"depends-on", "dependsOn %s %s: not found in the tree", kind, d)
			}
		}
	}
	for _, cycle := range cycles(names, nodes) {
		first := nodes[cycle[0]].obj
		b.report(finding.Error, b.fieldOrigin(first, "/spec/dependsOn"), first.ID(), "depends-on",
			"dependsOn cycle: %s", strings.Join(append(cycle, cycle[0]), " → "))
	}
}

// cycles returns one cycle per strongly connected component that has one, each starting at the
// component's first name, using Tarjan's algorithm.
func cycles(names []string, nodes map[string]depNode) [][]string {
	index, low := map[string]int{}, map[string]int{}
	onStack := map[string]bool{}
	var stack []string
	var out [][]string
	next := 0
	var visit func(string)
	visit = func(v string) {
		index[v], low[v] = next, next
		next++
		stack = append(stack, v)
		onStack[v] = true
		for _, w := range nodes[v].deps {
			if _, ok := nodes[w]; !ok {
				continue
			}
			if _, seen := index[w]; !seen {
				visit(w)
				low[v] = min(low[v], low[w])
			} else if onStack[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] != index[v] {
			return
		}
		var comp []string
		for {
			w := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			onStack[w] = false
			comp = append(comp, w)
			if w == v {
				break
			}
		}
		if len(comp) > 1 || slices.Contains(nodes[v].deps, v) {
			out = append(out, cyclePath(comp, nodes))
		}
	}
	for _, n := range names {
		if _, seen := index[n]; !seen {
			visit(n)
		}
	}
	slices.SortFunc(out, func(a, b []string) int { return cmpString(a[0], b[0]) })
	return out
}

// cyclePath finds a path from the component's first name back to itself.
func cyclePath(comp []string, nodes map[string]depNode) []string {
	slices.Sort(comp)
	in := map[string]bool{}
	for _, c := range comp {
		in[c] = true
	}
	start := comp[0]
	seen := map[string]bool{}
	var path []string
	var dfs func(string) bool
	dfs = func(v string) bool {
		path = append(path, v)
		seen[v] = true
		deps := slices.Clone(nodes[v].deps)
		slices.Sort(deps)
		for _, w := range deps {
			if w == start {
				return true
			}
			if in[w] && !seen[w] && dfs(w) {
				return true
			}
		}
		path = path[:len(path)-1]
		return false
	}
	if !dfs(start) {
		return comp
	}
	return path
}

// fieldOrigin points at a field of an object read from a file in the repository; objects a
// chart rendered point at their HelmRelease instead.
func (b *Builder) fieldOrigin(o manifest.Object, pointer string) manifest.Origin {
	at := o.Origin
	if at.Template != "" || at.File == "" || at.Line == 0 {
		return at
	}
	data, err := os.ReadFile(filepath.Join(b.opts.Root, filepath.FromSlash(at.File)))
	if err != nil {
		return at
	}
	if line := manifest.FieldLine(data, at.Line, pointer); line > 0 {
		at.Line = line
	}
	return at
}
