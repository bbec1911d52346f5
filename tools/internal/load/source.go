package load

import (
	"strconv"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/token"
)

// Pointer returns the value at a JSON pointer below the value at the label path: list elements
// are indexed, everything else is a field label.
func (m *Model) Pointer(labels []string, pointer string) cue.Value {
	v := m.Labels(labels...)
	if pointer == "" || pointer == "/" {
		return v
	}
	for _, seg := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		seg = strings.NewReplacer("~1", "/", "~0", "~").Replace(seg)
		if v.IncompleteKind() == cue.ListKind {
			i, err := strconv.Atoi(seg)
			if err != nil {
				return cue.Value{}
			}
			v = v.LookupPath(cue.MakePath(cue.Index(i)))
		} else {
			v = v.LookupPath(cue.MakePath(cue.Str(seg)))
		}
		if !v.Exists() {
			return v
		}
	}
	return v
}

// Source is where a value is written: the first position outside the shared definitions
// (schemas/*.cue), following references out of the templates, so a field rendered through
// #Application points at the application's own line. It falls back to the value's own position.
func (m *Model) Source(v cue.Value) token.Pos {
	var first token.Pos
	seen := 0
	for v.Exists() && seen < 16 {
		seen++
		for _, p := range positions(v) {
			if !first.IsValid() {
				first = p
			}
			if !isSchema(Rel(m.Root, p.Filename())) {
				return p
			}
		}
		root, path := v.ReferencePath()
		if !root.Exists() || len(path.Selectors()) == 0 {
			break
		}
		v = root.LookupPath(path)
	}
	return first
}

func positions(v cue.Value) []token.Pos {
	var ps []token.Pos
	if op, args := v.Expr(); op == cue.AndOp {
		for _, a := range args {
			if p := a.Pos(); p.IsValid() {
				ps = append(ps, p)
			}
		}
	}
	if p := v.Pos(); p.IsValid() {
		ps = append(ps, p)
	}
	return ps
}
