// Package finding is the one result type every stage reports: render, build, validate, policy,
// parity and cost all return []Finding, so the report stage formats them the same way.
package finding

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Severity says whether a finding fails the run.
type Severity string

const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Info    Severity = "info"
)

// Finding is a problem found in the sources, located at the repo-relative file:line:col that
// produced it (a CUE position, a YAML line, a Helm template) rather than only the rendered file.
type Finding struct {
	Stage    string   `json:"stage"`
	Severity Severity `json:"severity"`
	File     string   `json:"file,omitempty"`
	Line     int      `json:"line,omitempty"`
	Col      int      `json:"col,omitempty"`
	// Object is apiVersion/Kind/namespace/name, e.g. apps/v1/Deployment/web/site.
	Object string `json:"object,omitempty"`
	// Field is a JSON pointer into the object, e.g. /spec/replicas.
	Field   string `json:"field,omitempty"`
	Rule    string `json:"rule,omitempty"`
	Message string `json:"message"`
}

// Location is file:line:col, with the parts that are unknown left out.
func (f Finding) Location() string {
	switch {
	case f.File == "":
		return ""
	case f.Line == 0:
		return f.File
	case f.Col == 0:
		return fmt.Sprintf("%s:%d", f.File, f.Line)
	}
	return fmt.Sprintf("%s:%d:%d", f.File, f.Line, f.Col)
}

// String is the text form: `file:line:col: stage: object: field: [rule] message`.
func (f Finding) String() string {
	var b strings.Builder
	if loc := f.Location(); loc != "" {
		b.WriteString(loc + ": ")
	}
	b.WriteString(f.Stage + ": ")
	if f.Object != "" {
		b.WriteString(f.Object + ": ")
	}
	if f.Field != "" {
		b.WriteString(f.Field + ": ")
	}
	if f.Rule != "" {
		b.WriteString("[" + f.Rule + "] ")
	}
	b.WriteString(f.Message)
	return b.String()
}

// Sort orders findings by file, line, column, object, field, rule and message so output is stable.
func Sort(fs []Finding) {
	slices.SortStableFunc(fs, Compare)
}

// Compare is the order Sort uses.
func Compare(a, b Finding) int {
	return cmp.Or(
		cmp.Compare(a.File, b.File),
		cmp.Compare(a.Line, b.Line),
		cmp.Compare(a.Col, b.Col),
		cmp.Compare(a.Object, b.Object),
		cmp.Compare(a.Field, b.Field),
		cmp.Compare(a.Rule, b.Rule),
		cmp.Compare(a.Message, b.Message),
	)
}

// Failing reports whether any finding is an error.
func Failing(fs []Finding) bool {
	return slices.ContainsFunc(fs, func(f Finding) bool { return f.Severity == Error })
}
