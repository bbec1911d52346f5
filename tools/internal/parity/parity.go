// Package parity compares the objects of two environments and holds every difference to the
// model's declarations: a difference nobody declared fails, and so does a declaration that no
// longer matches anything (stale) or has expired.
package parity

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/zavestudios/platform/tools/internal/diff"
	"github.com/zavestudios/platform/tools/internal/finding"
	"github.com/zavestudios/platform/tools/internal/manifest"
)

// Declaration is one allowed difference (#Difference in the model), with where it is declared.
type Declaration struct {
	ID      string            `json:"id"`
	Reason  string            `json:"reason"`
	Seed    string            `json:"seed"`
	Kind    string            `json:"kind"`
	Name    string            `json:"name,omitempty"`
	Path    string            `json:"path,omitempty"`
	Only    []string          `json:"only,omitempty"`
	Values  map[string]string `json:"values,omitempty"`
	Expires string            `json:"expires,omitempty"`
	File    string            `json:"file,omitempty"`
	Line    int               `json:"line,omitempty"`
}

// Env is one side of the comparison: its name and its objects.
type Env struct {
	Name    string
	Objects []manifest.Object
}

// Options holds the declarations and the clock (expiry dates are compared with Now).
type Options struct {
	Declarations []Declaration
	Now          time.Time
}

// Difference is one field (or one whole object) that differs between the two environments.
type Difference struct {
	// Object is the object's ID in the environment that has it (A first).
	Object string `json:"object"`
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	// Path is the JSON pointer of the field; empty when the object exists on one side only.
	Path string `json:"path,omitempty"`
	A    any    `json:"a,omitempty"`
	B    any    `json:"b,omitempty"`
	// OnlyIn names the environment that has the object, for whole-object differences.
	OnlyIn string `json:"onlyIn,omitempty"`
	// Declared is the ID of the declaration that allows it, empty when none does.
	Declared string `json:"declared,omitempty"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
}

// Result is everything parity found.
type Result struct {
	A, B        string        `json:"-"`
	Differences []Difference  `json:"differences"`
	Stale       []Declaration `json:"stale,omitempty"`
	Expired     []Declaration `json:"expired,omitempty"`
	Paired      int           `json:"paired"`
}

// Undeclared returns the differences no declaration allows.
func (r *Result) Undeclared() []Difference {
	var out []Difference
	for _, d := range r.Differences {
		if d.Declared == "" {
			out = append(out, d)
		}
	}
	return out
}

// Run pairs the objects of a and b by group, kind, namespace and name, compares each pair field
// by field, and matches every difference against the declarations.
func Run(ctx context.Context, opts Options, a, b Env) (*Result, []finding.Finding, error) {
	decls, err := compile(opts.Declarations)
	if err != nil {
		return nil, nil, err
	}
	res := &Result{A: a.Name, B: b.Name}
	ia, ib := index(a), index(b)
	keys := make([]string, 0, len(ia)+len(ib))
	for k := range ia {
		keys = append(keys, k)
	}
	for k := range ib {
		if _, ok := ia[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		oa, inA := ia[k]
		ob, inB := ib[k]
		switch {
		case !inA:
			res.Differences = append(res.Differences, whole(ob, b.Name))
		case !inB:
			res.Differences = append(res.Differences, whole(oa, a.Name))
		default:
			res.Paired++
			for _, f := range diff.Fields(normalize(oa.Object, a.Name), normalize(ob.Object, b.Name)) {
				res.Differences = append(res.Differences, Difference{
					Object: oa.ID(), Kind: oa.Kind(), Name: oa.Name(), Path: f.Path, A: f.A, B: f.B,
					File: oa.Origin.File, Line: oa.Origin.Line,
				})
			}
		}
	}
	used := map[string]bool{}
	for i := range res.Differences {
		d := &res.Differences[i]
		for _, c := range decls {
			if c.allows(d, a.Name, b.Name) {
				d.Declared = c.ID
				used[c.ID] = true
				break
			}
		}
	}
	var findings []finding.Finding
	for _, d := range res.Undeclared() {
		findings = append(findings, finding.Finding{
			Stage: "parity", Severity: finding.Error, File: d.File, Line: d.Line,
			Object: d.Object, Field: d.Path, Rule: "parity/undeclared", Message: d.describe(a.Name, b.Name),
		})
	}
	today := opts.Now.Format(time.DateOnly)
	for _, c := range decls {
		if c.Expires != "" && c.Expires < today {
			res.Expired = append(res.Expired, c.Declaration)
			findings = append(findings, finding.Finding{Stage: "parity", Severity: finding.Error, File: c.File, Line: c.Line,
				Rule: "parity/expired", Message: fmt.Sprintf("declared difference %q expired on %s", c.ID, c.Expires)})
		}
		if !used[c.ID] {
			res.Stale = append(res.Stale, c.Declaration)
			findings = append(findings, finding.Finding{Stage: "parity", Severity: finding.Error, File: c.File, Line: c.Line,
				Rule: "parity/stale", Message: fmt.Sprintf("declared difference %q matches no difference between %s and %s: remove it", c.ID, a.Name, b.Name)})
		}
	}
	finding.Sort(findings)
	return res, findings, nil
}

func index(e Env) map[string]manifest.Object {
	m := make(map[string]manifest.Object, len(e.Objects))
	for _, o := range e.Objects {
		m[o.Key()] = o
	}
	return m
}

func whole(o manifest.Object, env string) Difference {
	return Difference{Object: o.ID(), Kind: o.Kind(), Name: o.Name(), OnlyIn: env, File: o.Origin.File, Line: o.Origin.Line}
}

func (d Difference) describe(a, b string) string {
	if d.OnlyIn != "" {
		return fmt.Sprintf("exists only in %s, and no declared difference allows it", d.OnlyIn)
	}
	return fmt.Sprintf("%s has %s, %s has %s, and no declared difference allows it", a, show(d.A), b, show(d.B))
}

func show(v any) string {
	if v == nil {
		return "nothing"
	}
	s := fmt.Sprintf("%v", v)
	if str, ok := v.(string); ok {
		s = fmt.Sprintf("%q", str)
	}
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

// compiled is a declaration with its patterns compiled.
type compiled struct {
	Declaration
	kinds  []string
	path   []string
	values map[string]*regexp.Regexp
}

func compile(ds []Declaration) ([]compiled, error) {
	out := make([]compiled, 0, len(ds))
	for _, d := range ds {
		c := compiled{Declaration: d, kinds: strings.Split(d.Kind, "|"), values: map[string]*regexp.Regexp{}}
		if d.Path != "" {
			c.path = strings.Split(strings.TrimPrefix(d.Path, "/"), "/")
		}
		for env, expr := range d.Values {
			re, err := regexp.Compile(expr)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: difference %q: values.%s: %w", d.File, d.Line, d.ID, env, err)
			}
			c.values[env] = re
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(x, y compiled) int { return cmp.Compare(x.ID, y.ID) })
	return out, nil
}

func (c compiled) allows(d *Difference, a, b string) bool {
	if !slices.Contains(c.kinds, d.Kind) {
		return false
	}
	if c.Name != "" && !globMatch(c.Name, d.Name) {
		return false
	}
	if d.OnlyIn != "" {
		return c.Path == "" && slices.Contains(c.Only, d.OnlyIn) && !slices.Contains(c.Only, other(d.OnlyIn, a, b))
	}
	if c.Path == "" || !matchPath(c.path, splitPointer(d.Path)) {
		return false
	}
	return c.valueOK(a, d.A) && c.valueOK(b, d.B)
}

func other(env, a, b string) string {
	if env == a {
		return b
	}
	return a
}

// valueOK checks a side's value against the declared pattern for that environment, if any. A
// side without a pattern must not have the field at all when the declaration constrains the
// other side only (an annotation present in one environment).
func (c compiled) valueOK(env string, v any) bool {
	re, ok := c.values[env]
	if !ok {
		return len(c.values) == 0 || v == nil
	}
	if v == nil {
		return false
	}
	switch x := v.(type) {
	case string:
		return re.MatchString(x)
	case map[string]any, []any:
		return true // a subtree: its presence is what the pattern allows
	default:
		return re.MatchString(fmt.Sprint(x))
	}
}
