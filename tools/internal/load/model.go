package load

import (
	"fmt"
	"slices"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/token"
)

// Environments lists the environment names, sorted.
func (m *Model) Environments() ([]string, error) {
	it, err := m.Value.LookupPath(cue.ParsePath("environments")).Fields()
	if err != nil {
		return nil, fmt.Errorf("environments: %w", err)
	}
	var names []string
	for it.Next() {
		names = append(names, it.Selector().Unquoted())
	}
	slices.Sort(names)
	return names, nil
}

// Lookup returns the value at a CUE path such as `clusters.homelab` or `applications."ai-inference"`.
func (m *Model) Lookup(path string) cue.Value {
	return m.Value.LookupPath(cue.ParsePath(path))
}

// Validate checks that the value at the label path is complete and correct, reporting every
// error rather than the first.
func (m *Model) Validate(labels ...string) error {
	v := m.Labels(labels...)
	if !v.Exists() {
		return fmt.Errorf("%s: not found in the model", strings.Join(labels, "."))
	}
	if err := v.Validate(cue.Concrete(true), cue.Definitions(false)); err != nil {
		return &Error{Root: m.Root, Err: err}
	}
	return nil
}

// Decode decodes the value at path into v.
func (m *Model) Decode(path string, v any) error {
	val := m.Lookup(path)
	if !val.Exists() {
		return fmt.Errorf("%s: not found in the model", path)
	}
	if err := val.Decode(v); err != nil {
		return &Error{Root: m.Root, Err: err}
	}
	return nil
}

// Labels returns the value at the path made of these field labels, e.g. ("applications",
// "ai-inference"); unlike Lookup, no label needs quoting.
func (m *Model) Labels(labels ...string) cue.Value {
	sels := make([]cue.Selector, len(labels))
	for i, l := range labels {
		sels[i] = cue.Str(l)
	}
	return m.Value.LookupPath(cue.MakePath(sels...))
}

// SourceFiles lists the repo-relative files that define the value at the dotted label path (as
// `applications.ai-inference`): where the value and its direct fields are written, leaving out
// the shared definitions under schemas/ unless nothing else defines it.
func (m *Model) SourceFiles(dotted string) []string {
	v := m.Labels(strings.Split(dotted, ".")...)
	seen := map[string]bool{}
	var files []string
	add := func(p token.Pos) {
		f := Rel(m.Root, p.Filename())
		if f != "" && !seen[f] {
			seen[f] = true
			files = append(files, f)
		}
	}
	if op, args := v.Expr(); op == cue.AndOp {
		for _, a := range args {
			add(a.Pos())
		}
	}
	if it, err := v.Fields(cue.All()); err == nil {
		for it.Next() {
			add(it.Value().Pos())
		}
	}
	add(v.Pos())
	var own []string
	for _, f := range files {
		if !isSchema(f) {
			own = append(own, f)
		}
	}
	if len(own) > 0 {
		files = own
	}
	slices.Sort(files)
	return files
}

// isSchema reports whether f holds shared definitions (schemas/*.cue) rather than the values of
// one environment, component or application.
func isSchema(f string) bool {
	return strings.HasPrefix(f, "schemas/") && !strings.Contains(strings.TrimPrefix(f, "schemas/"), "/")
}
