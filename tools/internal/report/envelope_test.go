package report

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zavestudios/platform/tools/internal/finding"
)

func TestEnvelopeRoundTrip(t *testing.T) {
	in := NewEnvelope(doc(), []string{"validate"}, sample())
	var b bytes.Buffer
	if err := WriteEnvelope(&b, in); err != nil {
		t.Fatal(err)
	}
	out, err := ReadEnvelope(&b)
	if err != nil {
		t.Fatal(err)
	}
	want := in
	want.Findings = sorted(in.Findings)
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestEnvelopeGolden(t *testing.T) {
	e := NewEnvelope(Document{
		Title:    "validate",
		Summary:  []SummaryRow{{Env: "aws", Findings: 1, Warnings: 1}},
		Sections: []Section{{Title: "aws · Deployment web/site", Summary: "1 changed", Body: "► Deployment/web/site changed\n", Lang: "diff"}},
	}, []string{"validate"}, sample()[:2])
	var b bytes.Buffer
	if err := WriteEnvelope(&b, e); err != nil {
		t.Fatal(err)
	}
	golden(t, "envelope.json.golden", b.String())
}

func TestReadEnvelopeErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"not json", `{`, "decode report envelope: unexpected EOF"},
		{"unknown field", `{"kind":"platctl.report","version":1,"document":{"titel":"x"}}`, `unknown field "titel"`},
		{"wrong kind", `{"kind":"other","version":1,"document":{}}`, `kind "other", want "platctl.report"`},
		{"missing kind", `{"version":1,"document":{}}`, `kind "", want "platctl.report"`},
		{"future version", `{"kind":"platctl.report","version":2,"document":{}}`, "version 2, this platctl reads version 1"},
		{"two values", `{"kind":"platctl.report","version":1,"document":{}} {}`, "more than one JSON value"},
		{"bad severity", `{"kind":"platctl.report","version":1,"document":{},"findings":[{"stage":"x","severity":"fatal","message":"m"}]}`,
			`findings[0]: severity "fatal"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadEnvelope(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// envelopes are what three commands would contribute: the diff, validate and cost.
func envelopes() []Envelope {
	diff := NewEnvelope(Document{
		Title: "platctl: homelab and aws",
		Summary: []SummaryRow{
			{Env: "homelab", Added: 1, Changed: 2},
			{Env: "aws", Changed: 1, Parity: "2 undeclared"},
		},
		Sections: []Section{
			{Title: "homelab · Kustomization flux-system/platform", Body: "► a changed\n", Lang: "diff"},
			{Title: "aws · Kustomization flux-system/platform", Body: "► b changed\n", Lang: "diff"},
		},
		Footer: "diff: main...HEAD",
	}, []string{"diff", "parity"}, []finding.Finding{sample()[2]})
	validate := NewEnvelope(Document{
		Summary: []SummaryRow{{Env: "aws", Findings: 1, Warnings: 1}, {Env: "homelab", Parity: ""}},
	}, []string{"validate", "policy"}, []finding.Finding{sample()[0], sample()[1]})
	cost := NewEnvelope(Document{
		Title: "cost",
		Summary: []SummaryRow{
			{Env: "aws", CostMonthly: "$412.00", CostDelta: "+$38.00"},
			{Env: "homelab", CostMonthly: "$0.00", CostDelta: "$0.00", Parity: "pass"},
		},
		Footer: "prices: us-east-1, 2026-08",
	}, []string{"cost"}, nil)
	return []Envelope{diff, validate, cost}
}

func TestMerge(t *testing.T) {
	got, err := Merge(envelopes()...)
	if err != nil {
		t.Fatal(err)
	}
	want := NewEnvelope(Document{
		Title: "platctl: homelab and aws",
		Summary: []SummaryRow{
			{Env: "aws", Changed: 1, Findings: 1, Warnings: 1, Parity: "2 undeclared", CostMonthly: "$412.00", CostDelta: "+$38.00"},
			{Env: "homelab", Added: 1, Changed: 2, Parity: "pass", CostMonthly: "$0.00", CostDelta: "$0.00"},
		},
		Sections: []Section{
			{Title: "aws · Kustomization flux-system/platform", Body: "► b changed\n", Lang: "diff"},
			{Title: "homelab · Kustomization flux-system/platform", Body: "► a changed\n", Lang: "diff"},
		},
		Footer: "diff: main...HEAD\n\nprices: us-east-1, 2026-08",
	}, []string{"cost", "diff", "parity", "policy", "validate"}, sorted([]finding.Finding{sample()[0], sample()[1], sample()[2]}))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Merge (-want +got):\n%s", diff)
	}
}

// TestMergeOrder: everything but the title and the order of footers is independent of the
// order the inputs are given in; the rendered sections and summary certainly are.
func TestMergeOrder(t *testing.T) {
	es := envelopes()
	a, err := Merge(es...)
	if err != nil {
		t.Fatal(err)
	}
	rev := slices.Clone(es)
	slices.Reverse(rev)
	b, err := Merge(rev...)
	if err != nil {
		t.Fatal(err)
	}
	a.Document.Title, a.Document.Footer = "", ""
	b.Document.Title, b.Document.Footer = "", ""
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("merge depends on order (-forward +reversed):\n%s", diff)
	}
}

func TestMergeDuplicateInput(t *testing.T) {
	e := envelopes()[0]
	got, err := Merge(e, e)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Document.Sections) != len(e.Document.Sections) || len(got.Findings) != len(e.Findings) {
		t.Errorf("duplicate sections or findings kept: %d sections, %d findings", len(got.Document.Sections), len(got.Findings))
	}
}

func TestMergeConflict(t *testing.T) {
	a := NewEnvelope(Document{Summary: []SummaryRow{{Env: "aws", Parity: "pass"}}}, nil, nil)
	b := NewEnvelope(Document{Summary: []SummaryRow{{Env: "aws", Parity: "1 undeclared"}}}, nil, nil)
	_, err := Merge(a, b)
	want := `merge reports: environment aws: parity is both "pass" and "1 undeclared"`
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v, want %s", err, want)
	}
}

func TestCompose(t *testing.T) {
	e, err := Merge(envelopes()...)
	if err != nil {
		t.Fatal(err)
	}
	d := Compose(e)
	if len(d.Sections) != 3 {
		t.Fatalf("%d sections, want the findings and 2 diffs", len(d.Sections))
	}
	want := Section{
		Title: "Findings · 2 error(s), 1 warning(s)",
		Body: "parity: v1/Service/web/site: [undeclared-difference] homelab and aws differ at /spec/type: ClusterIP vs LoadBalancer\n" +
			"apps/portfolio/app.cue:14:3: policy: apps/v1/Deployment/web/site: /spec/template/spec/containers/0/image: [no-latest-tag] image uses a mutable tag `latest` | pin a digest <sha256> & retry\n" +
			"clusters/aws/apps/site/deployment.yaml:12:7: validate: apps/v1/Deployment/web/site: /spec/replicas: [schema] expected integer, got string \"two\"\n",
		Lang: "text",
	}
	if diff := cmp.Diff(want, d.Sections[0]); diff != "" {
		t.Errorf("findings section (-want +got):\n%s", diff)
	}
	if len(e.Document.Sections) != 2 {
		t.Errorf("Compose changed the envelope's sections")
	}
	golden(t, "note-merged.md.golden", RenderMarkdown(d, 0))
}
