package build

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/zavestudios/platform/tools/internal/finding"
	"github.com/zavestudios/platform/tools/internal/manifest"
)

// store holds every object built so far. Later units read it the way controllers read the
// cluster: substituteFrom and valuesFrom look their ConfigMaps and Secrets up here.
type store struct {
	list  []manifest.Object
	keys  []string // list[i].Key(), kept for sorting
	byKey map[string]int
}

func newStore() *store { return &store{byKey: map[string]int{}} }

// add stores o and returns the object that already has its key, if any.
func (s *store) add(o manifest.Object) (manifest.Object, bool) {
	k := o.Key()
	s.list = append(s.list, o)
	s.keys = append(s.keys, k)
	if i, dup := s.byKey[k]; dup {
		return s.list[i], true
	}
	s.byKey[k] = len(s.list) - 1
	return manifest.Object{}, false
}

// get finds the first object with the given group, kind, namespace and name.
func (s *store) get(group, kind, ns, name string) (manifest.Object, bool) {
	i, ok := s.byKey[group+"/"+kind+"/"+ns+"/"+name]
	if !ok {
		return manifest.Object{}, false
	}
	return s.list[i], true
}

// sorted returns the objects in the order a stable sort with manifest.Compare gives, comparing
// the keys computed once when they were stored rather than building two keys per comparison.
func (s *store) sorted() []manifest.Object {
	idx := make([]int, len(s.list))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		return cmp.Or(cmp.Compare(s.keys[a], s.keys[b]),
			cmp.Compare(s.list[a].Origin.File, s.list[b].Origin.File),
			cmp.Compare(s.list[a].Origin.Line, s.list[b].Origin.Line))
	})
	out := make([]manifest.Object, len(idx))
	for i, j := range idx {
		out[i] = s.list[j]
	}
	return out
}

// addObjects stores objects a unit produced, reports duplicates and queues the Flux and Argo CD
// objects among them for building.
func (b *Builder) addObjects(objs []manifest.Object) {
	for _, o := range objs {
		if prev, dup := b.st.add(o); dup {
			b.report(finding.Error, o.Origin, o.ID(), "duplicate-object",
				"duplicate object: also applied from %s (%s)", location(prev.Origin), owner(prev.Origin))
			continue
		}
		b.noteCRD(o)
		b.enqueue(o)
	}
}

// report records a finding at an origin.
func (b *Builder) report(sev finding.Severity, at manifest.Origin, object, rule, format string, args ...any) {
	b.fs = append(b.fs, finding.Finding{
		Stage: "build", Severity: sev, File: at.File, Line: at.Line,
		Object: object, Rule: rule, Message: oneLine(fmt.Sprintf(format, args...)),
	})
}

// oneLine joins a multi-line message (Helm's schema errors, kustomize's wrapped errors) so each
// finding stays one line of text.
func oneLine(msg string) string {
	lines := strings.Split(strings.TrimSpace(msg), "\n")
	out := lines[:0]
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, " ")
}

func location(o manifest.Origin) string {
	if o.Line == 0 {
		return o.File
	}
	return fmt.Sprintf("%s:%d", o.File, o.Line)
}

// owner names the innermost unit that produced an object: the HelmRelease that rendered it, the
// Application that syncs it, or the Kustomization that applies it.
func owner(o manifest.Origin) string {
	switch {
	case o.HelmRelease != "":
		return "helmrelease " + o.HelmRelease
	case o.Application != "":
		return "application " + o.Application
	case o.Kustomization != "":
		return "kustomization " + o.Kustomization
	}
	return o.Engine
}

// Owner is owner exported for the CLI's `# Source:` comment.
func Owner(o manifest.Origin) string { return owner(o) }
