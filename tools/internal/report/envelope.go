package report

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/zavestudios/platform/tools/internal/finding"
)

// EnvelopeKind and EnvelopeVersion identify the JSON a command writes for `platctl report`.
// The version changes when a field changes meaning; readers reject versions they do not know
// rather than render a half-understood note.
const (
	EnvelopeKind    = "platctl.report"
	EnvelopeVersion = 1
)

// Envelope is one command's contribution to the merge-request note: its part of the Document,
// the stages it ran and the findings it made. `platctl report` merges several.
//
//	{
//	  "kind": "platctl.report",
//	  "version": 1,
//	  "document": {"title": "...", "summary": [{"env": "homelab", "added": 1, ...}],
//	               "sections": [{"title": "...", "summary": "...", "body": "...", "lang": "diff"}],
//	               "footer": "..."},
//	  "stages": ["validate"],
//	  "findings": [{"stage": "validate", "severity": "error", "file": "...", "line": 3, ...}]
//	}
type Envelope struct {
	Kind     string            `json:"kind"`
	Version  int               `json:"version"`
	Document Document          `json:"document"`
	Stages   []string          `json:"stages,omitempty"`
	Findings []finding.Finding `json:"findings,omitempty"`
}

// NewEnvelope wraps a document, the stages run and their findings.
func NewEnvelope(d Document, stages []string, fs []finding.Finding) Envelope {
	return Envelope{Kind: EnvelopeKind, Version: EnvelopeVersion, Document: d, Stages: stages, Findings: fs}
}

// WriteEnvelope writes e as indented JSON with its findings sorted, so the file is byte-stable.
func WriteEnvelope(w io.Writer, e Envelope) error {
	e.Kind, e.Version = EnvelopeKind, EnvelopeVersion
	e.Findings = sorted(e.Findings)
	if err := encodeJSON(w, e); err != nil {
		return fmt.Errorf("write report envelope: %w", err)
	}
	return nil
}

// ReadEnvelope decodes one envelope. Unknown fields are errors: the producers are our own
// commands, and a misspelt field silently dropped would be a missing line in the note.
func ReadEnvelope(r io.Reader) (Envelope, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var e Envelope
	if err := dec.Decode(&e); err != nil {
		return Envelope{}, fmt.Errorf("decode report envelope: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Envelope{}, errors.New("decode report envelope: more than one JSON value")
	}
	if e.Kind != EnvelopeKind {
		return Envelope{}, fmt.Errorf("decode report envelope: kind %q, want %q", e.Kind, EnvelopeKind)
	}
	if e.Version != EnvelopeVersion {
		return Envelope{}, fmt.Errorf("decode report envelope: version %d, this platctl reads version %d", e.Version, EnvelopeVersion)
	}
	for i, f := range e.Findings {
		switch f.Severity {
		case finding.Error, finding.Warning, finding.Info:
		default:
			return Envelope{}, fmt.Errorf("decode report envelope: findings[%d]: severity %q, want error, warning or info", i, f.Severity)
		}
	}
	return e, nil
}

// Merge combines the contributions of several commands into one envelope, independent of their
// order:
//   - the title is the first one given;
//   - summary rows of the same environment are combined: counts add up (each command counts its
//     own differences and findings) and a text column (parity, cost) may be given by one input
//     only, or by several with the same value; rows are sorted by environment;
//   - sections are sorted by title, keeping input order among equal titles;
//   - stages are the sorted union, findings the sorted union;
//   - footers are kept in input order, each once.
//
// Exact duplicate sections and findings are dropped: they can only come from the same input
// given twice, and showing them twice helps nobody.
func Merge(es ...Envelope) (Envelope, error) {
	out := NewEnvelope(Document{}, nil, nil)
	rows := map[string]*SummaryRow{}
	var footers []string
	for _, e := range es {
		out.Document.Title = cmp.Or(out.Document.Title, e.Document.Title)
		for _, r := range e.Document.Summary {
			have, ok := rows[r.Env]
			if !ok {
				rows[r.Env] = &r
				continue
			}
			if err := have.add(r); err != nil {
				return Envelope{}, fmt.Errorf("merge reports: %w", err)
			}
		}
		for _, s := range e.Document.Sections {
			if !slices.Contains(out.Document.Sections, s) {
				out.Document.Sections = append(out.Document.Sections, s)
			}
		}
		if f := strings.TrimSpace(e.Document.Footer); f != "" && !slices.Contains(footers, f) {
			footers = append(footers, f)
		}
		out.Stages = append(out.Stages, e.Stages...)
		out.Findings = append(out.Findings, e.Findings...)
	}
	for _, r := range rows {
		out.Document.Summary = append(out.Document.Summary, *r)
	}
	slices.SortFunc(out.Document.Summary, func(a, b SummaryRow) int { return cmp.Compare(a.Env, b.Env) })
	slices.SortStableFunc(out.Document.Sections, func(a, b Section) int { return cmp.Compare(a.Title, b.Title) })
	out.Document.Footer = strings.Join(footers, "\n\n")
	slices.Sort(out.Stages)
	out.Stages = slices.Compact(out.Stages)
	out.Findings = slices.Compact(sorted(out.Findings))
	return out, nil
}

// add folds o into r: counts add, text columns must agree.
func (r *SummaryRow) add(o SummaryRow) error {
	r.Added += o.Added
	r.Removed += o.Removed
	r.Changed += o.Changed
	r.Findings += o.Findings
	r.Warnings += o.Warnings
	for _, c := range []struct {
		name      string
		have, got *string
	}{
		{"parity", &r.Parity, &o.Parity},
		{"costMonthly", &r.CostMonthly, &o.CostMonthly},
		{"costDelta", &r.CostDelta, &o.CostDelta},
	} {
		switch {
		case *c.got == "" || *c.got == *c.have:
		case *c.have == "":
			*c.have = *c.got
		default:
			return fmt.Errorf("environment %s: %s is both %q and %q", r.Env, c.name, *c.have, *c.got)
		}
	}
	return nil
}

// FindingsTitle is the title of the section Compose adds for the findings.
const FindingsTitle = "Findings"

// Compose is the note for e: its document, with the findings, if any, as the first section in
// their text form, so they are cut like any other section when the note is too long and never
// push the summary out.
func Compose(e Envelope) Document {
	d := e.Document
	d.Sections = slices.Clone(d.Sections)
	if len(e.Findings) == 0 {
		return d
	}
	var body bytes.Buffer
	for _, f := range sorted(e.Findings) {
		body.WriteString(textLine(f))
	}
	d.Sections = slices.Insert(d.Sections, 0, Section{
		Title: FindingsTitle + " · " + CountLine(e.Findings),
		Body:  body.String(),
		Lang:  "text",
	})
	return d
}
