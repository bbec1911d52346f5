package report

import (
	"cmp"
	"fmt"
	"html"
	"slices"
	"strconv"
	"strings"
)

// Marker is the hidden first line of the merge-request note: the GitLab client finds the note to
// update by it, so one note per MR is edited in place instead of a new one per pipeline.
const Marker = "<!-- platctl-report -->"

// NoteLimit is GitLab's maximum note length (1,000,000 characters).
const NoteLimit = 1_000_000

// DefaultLimit is the budget RenderMarkdown uses when given none: GitLab's limit less a margin.
// The budget is counted in bytes, which is never less than GitLab's character count, so the margin
// is not for multi-byte text; it leaves room for a caller appending a line (a pipeline link) and
// for GitLab's own normalisation of the body.
const DefaultLimit = NoteLimit - 10_000

// DefaultTitle is the heading of a document that has none.
const DefaultTitle = "platctl report"

// Document is the merge-request note: a summary table that is always shown in full, then one
// collapsible section per changed object, each a fenced block that may be cut to fit the limit.
type Document struct {
	Title    string       `json:"title,omitempty"`
	Summary  []SummaryRow `json:"summary,omitempty"`
	Sections []Section    `json:"sections,omitempty"`
	Footer   string       `json:"footer,omitempty"`
}

// SummaryRow is one environment's line of the summary table.
type SummaryRow struct {
	Env     string `json:"env"`
	Added   int    `json:"added,omitempty"`
	Removed int    `json:"removed,omitempty"`
	Changed int    `json:"changed,omitempty"`
	// Findings counts the error-severity findings (those that fail the pipeline), shown as
	// "Errors"; Warnings counts the warnings.
	Findings int `json:"findings,omitempty"`
	Warnings int `json:"warnings,omitempty"`
	// Parity is "pass" or "N undeclared".
	Parity      string `json:"parity,omitempty"`
	CostMonthly string `json:"costMonthly,omitempty"`
	CostDelta   string `json:"costDelta,omitempty"`
}

// Section is one collapsible block of the note.
type Section struct {
	// Title is the <summary> line, e.g. "homelab · Kustomization flux-system/platform".
	Title string `json:"title"`
	// Summary is Markdown shown above the block, e.g. "2 changed, 1 added".
	Summary string `json:"summary,omitempty"`
	// Body is the fenced text, a diff in flux-diff style.
	Body string `json:"body,omitempty"`
	// Lang is the code fence's language, "diff" for diffs.
	Lang string `json:"lang,omitempty"`
}

// RenderMarkdown renders d as a GitLab note of at most limit bytes (DefaultLimit when limit <= 0).
//
// When the whole document does not fit, section bodies are cut, largest first: every body gets
// the same cap, the largest cap at which all fit, so bodies under it are shown whole and only
// the biggest are cut, to the same size. Proportional cutting would also shorten the small
// diffs, which are the ones a reviewer reads line by line; the huge ones (a CRD bump, a
// regenerated chart) are skimmed anyway, and each cut one says how many lines it lost. Bodies are
// cut at line ends, so no line or UTF-8 sequence is split and every fence still closes. The
// marker, title, summary table and footer are never cut; if even the section headers do not fit,
// the costliest sections are left out and counted, so as many as possible are still listed. Only
// a summary larger than the limit by itself gives a longer result.
func RenderMarkdown(d Document, limit int) string {
	if limit <= 0 {
		limit = DefaultLimit
	}
	secs := make([]section, len(d.Sections))
	for i, s := range d.Sections {
		secs[i] = newSection(s)
	}
	full := renderDoc(d, secs, false, 0)
	if len(full) <= limit || len(secs) == 0 {
		return full
	}

	// What each section costs at the least: whole, or cut to its header, whichever is shorter.
	// A section whose whole form is the shorter (a body of a line or two) is never cut: cutting
	// it would only add the truncation marker.
	whole := make([]bool, len(secs))
	cost := make([]int, len(secs))
	for i, s := range secs {
		wholeLen, least := len(s.render(false)), s.overhead()
		whole[i] = wholeLen <= least
		cost[i] = min(wholeLen, least)
	}

	// If not every section fits even at that cost, keep as many as fit by leaving out the
	// costliest, as with the bodies, and count the rest; the kept ones stay in their order.
	fixed := len(renderDoc(d, nil, true, 0))
	order := make([]int, len(secs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(cost[a], cost[b]) })
	keep := make([]bool, len(secs))
	omitted := len(secs)
	for _, i := range order {
		if fixed+cost[i]+len(omittedLine(omitted-1)) > limit {
			break
		}
		fixed += cost[i]
		keep[i] = true
		omitted--
	}
	fixed += len(omittedLine(omitted))
	n := 0
	for i := range secs {
		if keep[i] {
			secs[n], whole[n], cost[n] = secs[i], whole[i], cost[i]
			n++
		}
	}
	secs, whole, cost = secs[:n], whole[:n], cost[:n]

	// Share what is left among the bodies of the sections still to cut, at one water level. A
	// body under the level is shown whole instead, which costs at most its size more than the
	// header reserved for it, so the level for the others can only rise; repeat until no more
	// bodies come out whole, at most once per section.
	for {
		var cut []section
		var idx []int
		for i, s := range secs {
			if !whole[i] {
				cut = append(cut, s)
				idx = append(idx, i)
			}
		}
		level := waterLevel(cut, limit-fixed)
		more := false
		for _, i := range idx {
			if secs[i].size <= level {
				whole[i], more = true, true
				wholeLen := len(secs[i].render(false))
				fixed += wholeLen - cost[i]
				cost[i] = wholeLen
			}
		}
		if !more {
			for _, i := range idx {
				secs[i].cut(level)
			}
			break
		}
	}
	return renderDoc(d, secs, true, omitted)
}

// section is a Section split into lines, with its fence chosen and how many lines are kept.
type section struct {
	Section
	lines []string
	size  int // bytes of the body, each line with its newline
	fence string
	keep  int // lines kept; len(lines) when whole
}

func newSection(s Section) section {
	out := section{Section: s}
	if s.Body != "" {
		out.lines = strings.Split(strings.TrimSuffix(s.Body, "\n"), "\n")
	}
	for _, l := range out.lines {
		out.size += len(l) + 1
	}
	// A fence must be longer than any backtick run in the body, or a line of ``` in a diff of a
	// Markdown file would close it early.
	out.fence = strings.Repeat("`", max(3, longestRun(s.Body, '`')+1))
	out.keep = len(out.lines)
	return out
}

func (s section) truncated() bool { return s.keep < len(s.lines) }

// overhead is the length of the section's wrapping at its longest: cut, with every line omitted.
func (s section) overhead() int {
	t := s
	t.keep = 0
	return len(t.render(true))
}

// cut keeps the longest run of whole lines from the top that fits in limit bytes.
func (s *section) cut(limit int) {
	used := 0
	for i, l := range s.lines {
		if used+len(l)+1 > limit {
			s.keep = i
			return
		}
		used += len(l) + 1
	}
}

// render writes the section. reserve writes the fence even when no line is kept, so overhead()
// measures the longest form; the real render drops an empty block.
func (s section) render(reserve bool) string {
	var b strings.Builder
	title := html.EscapeString(oneLine(s.Title))
	if s.truncated() {
		title += " (⚠ truncated)"
	}
	b.WriteString("<details><summary>" + title + "</summary>\n\n")
	if s.Summary != "" {
		b.WriteString(strings.TrimRight(s.Summary, "\n") + "\n\n")
	}
	if s.keep > 0 || reserve {
		b.WriteString(s.fence + fenceLang(s.Lang) + "\n")
		for _, l := range s.lines[:s.keep] {
			b.WriteString(l + "\n")
		}
		b.WriteString(s.fence + "\n\n")
	}
	if s.truncated() {
		fmt.Fprintf(&b, "⚠ truncated: %d lines omitted\n\n", len(s.lines)-s.keep)
	}
	b.WriteString("</details>\n\n")
	return b.String()
}

// fenceLang keeps the info string to one word: a space or backtick in it would change how the
// fence parses.
func fenceLang(l string) string {
	l, _, _ = strings.Cut(strings.TrimSpace(l), " ")
	return strings.ReplaceAll(l, "`", "")
}

// waterLevel is the largest per-body cap c such that the bodies, each cut to min(size, c), fit in
// budget.
func waterLevel(secs []section, budget int) int {
	sizes := make([]int, len(secs))
	for i, s := range secs {
		sizes[i] = s.size
	}
	slices.Sort(sizes)
	budget = max(budget, 0)
	for i, sz := range sizes {
		left := len(sizes) - i
		if sz*left > budget {
			return budget / left
		}
		budget -= sz
	}
	return budget + sizeMax(sizes)
}

func sizeMax(sizes []int) int {
	if len(sizes) == 0 {
		return 0
	}
	return sizes[len(sizes)-1]
}

func omittedLine(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("⚠ truncated: %d sections omitted\n\n", n)
}

// renderDoc writes the whole note. cut adds the notice that the note was shortened; omitted
// counts the sections left out.
func renderDoc(d Document, secs []section, cut bool, omitted int) string {
	var b strings.Builder
	b.WriteString(Marker + "\n")
	b.WriteString("### " + oneLine(cmp.Or(d.Title, DefaultTitle)) + "\n\n")
	if len(d.Summary) > 0 {
		b.WriteString(summaryTable(d.Summary))
		b.WriteString("\n")
	}
	if cut {
		b.WriteString("⚠ This report was shortened to fit GitLab's note limit; run `platctl report` for the whole of it.\n\n")
	}
	if len(d.Sections) == 0 {
		b.WriteString("No differences.\n\n")
	}
	for _, s := range secs {
		b.WriteString(s.render(false))
	}
	b.WriteString(omittedLine(omitted))
	if d.Footer != "" {
		b.WriteString(strings.TrimRight(d.Footer, "\n") + "\n")
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}

func summaryTable(rows []SummaryRow) string {
	var b strings.Builder
	b.WriteString("| Environment | Added | Removed | Changed | Errors | Warnings | Parity | Cost / month | Cost Δ |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|---|--:|--:|\n")
	for _, r := range rows {
		cells := []string{
			text(r.Env), strconv.Itoa(r.Added), strconv.Itoa(r.Removed), strconv.Itoa(r.Changed),
			strconv.Itoa(r.Findings), strconv.Itoa(r.Warnings), text(r.Parity), text(r.CostMonthly), text(r.CostDelta),
		}
		b.WriteString("|")
		for _, c := range cells {
			b.WriteString(" " + cell(c) + " |")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// oneLine folds newlines, which would end a heading or a <summary> early.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
