package report

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// doc is a note with one small section, one large one, one whose body holds a Markdown code fence
// (a diff of a README) and one with no body.
func doc() Document {
	var big strings.Builder
	big.WriteString("► HelmRelease/monitoring/kube-prometheus-stack changed\n")
	for i := range 40 {
		fmt.Fprintf(&big, "-  rule_%02d: expr: up == 0\n+  rule_%02d: expr: up{job=~\"node\"} == 0\n", i, i)
	}
	return Document{
		Title: "platctl: 2 environments, 4 objects changed",
		Summary: []SummaryRow{
			{Env: "aws", Changed: 2, Added: 1, Findings: 1, Warnings: 2, Parity: "2 undeclared", CostMonthly: "$412.00", CostDelta: "+$38.00"},
			{Env: "homelab", Changed: 1, Parity: "pass", CostMonthly: "$0.00", CostDelta: "$0.00"},
		},
		Sections: []Section{
			{Title: "homelab · Kustomization flux-system/platform", Summary: "1 changed", Lang: "diff",
				Body: "► Deployment/web/site changed\n  spec.replicas\n-   1\n+   2\n"},
			{Title: "aws · HelmRelease monitoring/kube-prometheus-stack", Summary: "1 changed", Lang: "diff", Body: big.String()},
			{Title: "aws · ConfigMap docs/readme <index.md>", Lang: "diff",
				Body: "► ConfigMap/docs/readme changed\n   data.README.md\n+  ```bash\n+  make render\n+  ````\n"},
			{Title: "aws · Namespace web", Summary: "added, no body"},
		},
		Footer: "_platctl 0.0.0-test · pipeline #1_",
	}
}

func TestRenderMarkdownGolden(t *testing.T) {
	tests := []struct {
		name  string
		doc   Document
		limit int
	}{
		{name: "full", doc: doc()},
		{name: "empty", doc: Document{}},
		// Room for everything but the large body: it alone is cut.
		{name: "cut-largest", doc: doc(), limit: 2400},
		// Less room: the README diff is cut too, the small homelab diff still shown whole.
		{name: "cut-two", doc: doc(), limit: 1200},
		// Not every section header fits: the summary is kept, the costliest section (the large diff)
		// is left out and counted, the others listed.
		{name: "omit-sections", doc: doc(), limit: 940},
		// Smaller than the summary: the summary is still shown whole, every section left out.
		{name: "tiny", doc: doc(), limit: 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := RenderMarkdown(tt.doc, tt.limit)
			golden(t, "note-"+tt.name+".md.golden", got)
			checkNote(t, tt.doc, got)
		})
	}
}

// TestRenderMarkdownEveryLimit renders the document at every limit from below the summary to
// above the whole, and checks the invariants each time.
func TestRenderMarkdownEveryLimit(t *testing.T) {
	d := doc()
	full := RenderMarkdown(d, 0)
	for limit := 1; limit <= len(full)+10; limit++ {
		got := RenderMarkdown(d, limit)
		// Only the summary, which is never cut, may overflow the limit, and then no section is
		// left in the note.
		if len(got) > limit && strings.Contains(got, "<details>") {
			t.Fatalf("limit %d: note is %d bytes and still has sections:\n%s", limit, len(got), got)
		}
		if limit >= len(full) && got != full {
			t.Fatalf("limit %d: the whole note fits but was cut", limit)
		}
		if t.Failed() {
			return
		}
		checkNote(t, d, got)
		if t.Failed() {
			t.Fatalf("limit %d:\n%s", limit, got)
		}
	}
}

var omittedRE = regexp.MustCompile(`(?m)^⚠ truncated: (\d+) lines omitted$`)

// checkNote checks what must hold at any limit: the marker first, the summary whole, every fence
// closed, <details> balanced, and each section either whole or marked as cut.
func checkNote(t *testing.T, d Document, got string) {
	t.Helper()
	if !strings.HasPrefix(got, Marker+"\n") {
		t.Errorf("note does not start with the marker line")
	}
	for _, r := range d.Summary {
		if !strings.Contains(got, "| "+r.Env+" |") {
			t.Errorf("summary row %s missing", r.Env)
		}
	}
	if d.Footer != "" && !strings.HasSuffix(got, d.Footer+"\n") {
		t.Errorf("footer missing")
	}
	if o, c := strings.Count(got, "<details>"), strings.Count(got, "</details>"); o != c {
		t.Errorf("%d <details> but %d </details>", o, c)
	}
	checkFences(t, got)
	cuts := len(omittedRE.FindAllString(got, -1))
	if marked := strings.Count(got, "(⚠ truncated)</summary>"); marked != cuts {
		t.Errorf("%d sections titled as truncated, %d truncation markers", marked, cuts)
	}
	if cuts > 0 && !strings.Contains(got, "shortened to fit") {
		t.Errorf("sections cut without the notice under the summary")
	}
}

// checkFences reads the fences as CommonMark does: one opens with a line starting with three or
// more backticks and closes at a line of only backticks, at least as many. Every fence must be
// closed, and by the line platctl wrote to close it, not by a line of a body.
func checkFences(t *testing.T, got string) {
	t.Helper()
	open := 0
	for i, l := range strings.Split(got, "\n") {
		ticks := len(l) - len(strings.TrimLeft(l, "`"))
		switch {
		case open == 0 && ticks >= 3:
			open = ticks
		case open > 0 && ticks >= open && strings.TrimSpace(l[ticks:]) == "":
			if ticks != open {
				t.Errorf("line %d: the fence of %d backticks is closed by %q", i+1, open, l)
			}
			open = 0
		}
	}
	if open > 0 {
		t.Errorf("a fence of %d backticks is left open", open)
	}
}

// FuzzRenderMarkdown: whatever the bodies, titles and limit, the note starts with the marker,
// every fence closes where it should, and it fits the limit unless only the summary is left.
func FuzzRenderMarkdown(f *testing.F) {
	f.Add("► a changed\n-  1\n+  2\n", "```\n````\n", "homelab · x", 300)
	f.Add("", "`\n``\n```", "<b>", 50)
	f.Add(strings.Repeat("+ line\n", 100), "x", "aws · y", 700)
	f.Fuzz(func(t *testing.T, body1, body2, title string, limit int) {
		if limit < 1 || limit > 1<<20 {
			return
		}
		d := Document{
			Title:   "t",
			Summary: []SummaryRow{{Env: "homelab", Changed: 1}},
			Sections: []Section{
				{Title: title, Body: body1, Lang: "diff"},
				{Title: "second", Body: body2, Lang: "diff"},
			},
		}
		got := RenderMarkdown(d, limit)
		if !strings.HasPrefix(got, Marker+"\n") {
			t.Fatalf("no marker first")
		}
		if len(got) > limit && strings.Contains(got, "<details>") {
			t.Fatalf("%d bytes over a limit of %d with sections left", len(got), limit)
		}
		checkFences(t, got)
	})
}

func TestFenceLongerThanBody(t *testing.T) {
	tests := []struct {
		body string
		want string
	}{
		{"plain\n", "```"},
		{"a ``` b\n", "````"},
		{"`````\n", "``````"},
	}
	for _, tt := range tests {
		if got := newSection(Section{Body: tt.body}).fence; got != tt.want {
			t.Errorf("fence for %q = %q, want %q", tt.body, got, tt.want)
		}
	}
}

func TestWaterLevel(t *testing.T) {
	tests := []struct {
		name   string
		sizes  []int
		budget int
		want   int
	}{
		{name: "all fit", sizes: []int{10, 20}, budget: 100, want: 70 + 20},
		{name: "largest cut", sizes: []int{10, 100}, budget: 60, want: 50},
		{name: "both cut equally", sizes: []int{40, 100}, budget: 60, want: 30},
		{name: "small kept whole", sizes: []int{5, 5, 100, 200}, budget: 110, want: 50},
		{name: "nothing left", sizes: []int{5, 5}, budget: -3, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secs := make([]section, len(tt.sizes))
			for i, s := range tt.sizes {
				secs[i].size = s
			}
			if got := waterLevel(secs, tt.budget); got != tt.want {
				t.Errorf("waterLevel(%v, %d) = %d, want %d", tt.sizes, tt.budget, got, tt.want)
			}
		})
	}
}

func TestSectionCut(t *testing.T) {
	s := newSection(Section{Body: "aa\nbbbb\ncc\n"})
	tests := []struct {
		limit, keep int
	}{
		{0, 0}, {2, 0}, {3, 1}, {7, 1}, {8, 2}, {11, 3}, {100, 3},
	}
	for _, tt := range tests {
		c := s
		c.cut(tt.limit)
		if diff := cmp.Diff(tt.keep, c.keep); diff != "" {
			t.Errorf("cut(%d) kept lines (-want +got):\n%s", tt.limit, diff)
		}
	}
}

// BenchmarkRenderMarkdownCut is a worst case for the note: 2,000 sections, about 6 MB of diff,
// cut to GitLab's limit.
func BenchmarkRenderMarkdownCut(b *testing.B) {
	var d Document
	line := strings.Repeat("x", 60)
	for i := range 2000 {
		body := strings.Repeat("+  "+line+"\n", 10+i%100)
		d.Sections = append(d.Sections, Section{Title: fmt.Sprintf("aws · ConfigMap web/c%04d", i), Body: body, Lang: "diff"})
	}
	for b.Loop() {
		if got := RenderMarkdown(d, 0); len(got) > DefaultLimit {
			b.Fatalf("note is %d bytes", len(got))
		}
	}
}
