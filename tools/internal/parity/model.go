package parity

import (
	"fmt"
	"slices"
	"strings"

	"cuelang.org/go/cue"

	"github.com/zavestudios/platform/tools/internal/load"
)

// FromModel reads the declared differences (`differences` in the CUE model), each with the
// repo-relative position of its declaration.
func FromModel(m *load.Model) ([]Declaration, error) {
	v := m.Labels("differences")
	if !v.Exists() {
		return nil, nil
	}
	it, err := v.Fields()
	if err != nil {
		return nil, fmt.Errorf("differences: %w", err)
	}
	var out []Declaration
	for it.Next() {
		var d Declaration
		if err := it.Value().Decode(&d); err != nil {
			return nil, &load.Error{Root: m.Root, Err: err}
		}
		d.ID = it.Selector().Unquoted()
		pos := declPos(it.Value())
		d.File, d.Line = load.Rel(m.Root, pos.Filename()), pos.Line()
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b Declaration) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// declPos is where the declaration is written: its reason field, in differences.cue, rather
// than the #Difference definition it is checked against.
func declPos(v cue.Value) interface {
	Filename() string
	Line() int
} {
	if r := v.LookupPath(cue.ParsePath("reason")); r.Exists() {
		return r.Pos()
	}
	return v.Pos()
}
