// Package report formats what the stages found: findings as text, JSON, JUnit, SARIF, GitLab Code
// Quality or a Markdown table, and the merge-request note (Document, RenderMarkdown) with its JSON
// envelope so several commands can contribute to one note. It never reads flags; it writes to the
// io.Writer it is given, and every output is sorted so it is byte-stable across runs.
package report

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/zavestudios/platform/tools/internal/finding"
)

// Format is an output format for findings, chosen with -o.
type Format string

const (
	Text        Format = "text"
	JSON        Format = "json"
	JUnit       Format = "junit"
	SARIF       Format = "sarif"
	CodeQuality Format = "codequality"
	Markdown    Format = "markdown"
)

// Formats lists every format in the order help texts show them.
var Formats = []Format{Text, JSON, JUnit, SARIF, CodeQuality, Markdown}

// ParseFormat returns the format named s if it is one of allowed (every format when allowed is
// empty); the error lists the allowed values so a mistyped -o is fixed in one go.
func ParseFormat(s string, allowed ...Format) (Format, error) {
	if len(allowed) == 0 {
		allowed = Formats
	}
	if slices.Contains(allowed, Format(s)) {
		return Format(s), nil
	}
	names := make([]string, len(allowed))
	for i, f := range allowed {
		names[i] = string(f)
	}
	return "", fmt.Errorf("unknown output format %q: want one of %s", s, strings.Join(names, ", "))
}

// Run is what one invocation reports: the tool, the stages that ran (so JUnit can show a stage
// that found nothing as passing) and the findings.
type Run struct {
	Tool     string
	Stages   []string
	Findings []finding.Finding
}

// WriteFindings writes fs to w in format f; tool names the producer in JUnit and SARIF. The
// stages shown are those the findings come from; use Write to name stages that found nothing.
func WriteFindings(w io.Writer, f Format, tool string, fs []finding.Finding) error {
	return Write(w, f, Run{Tool: tool, Findings: fs})
}

// Write writes r to w in format f. The findings are sorted on a copy: the caller's slice is
// left in its order.
func Write(w io.Writer, f Format, r Run) error {
	r.Findings = sorted(r.Findings)
	r.Stages = stages(r)
	if r.Tool == "" {
		r.Tool = "platctl"
	}
	var err error
	switch f {
	case Text:
		err = writeText(w, r.Findings)
	case JSON:
		err = writeJSON(w, r.Findings)
	case JUnit:
		err = writeJUnit(w, r)
	case SARIF:
		err = writeSARIF(w, r)
	case CodeQuality:
		err = writeCodeQuality(w, r.Findings)
	case Markdown:
		err = writeMarkdownTable(w, r.Findings)
	default:
		_, err = ParseFormat(string(f))
		return err
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", f, err)
	}
	return nil
}

// Counts returns how many findings have each severity.
func Counts(fs []finding.Finding) (errors, warnings, infos int) {
	for _, f := range fs {
		switch f.Severity {
		case finding.Error:
			errors++
		case finding.Warning:
			warnings++
		default:
			infos++
		}
	}
	return errors, warnings, infos
}

// textLine is a finding's text form as one line and its newline; the continuation lines of a
// message spanning several are indented with a tab.
func textLine(f finding.Finding) string {
	return strings.ReplaceAll(strings.TrimRight(f.String(), "\n"), "\n", "\n\t") + "\n"
}

// CountLine is the summary the text and Markdown formats end with.
func CountLine(fs []finding.Finding) string {
	e, w, _ := Counts(fs)
	return fmt.Sprintf("%d error(s), %d warning(s)", e, w)
}

// sorted returns a sorted copy. finding.Compare leaves stage and severity out, so they break the
// remaining ties: two findings differing only there must still come out in one order.
func sorted(fs []finding.Finding) []finding.Finding {
	out := slices.Clone(fs)
	slices.SortStableFunc(out, func(a, b finding.Finding) int {
		return cmp.Or(finding.Compare(a, b), cmp.Compare(a.Stage, b.Stage), cmp.Compare(a.Severity, b.Severity))
	})
	return out
}

// stages is the sorted union of the stages named and the stages the findings come from.
func stages(r Run) []string {
	out := slices.Clone(r.Stages)
	for _, f := range r.Findings {
		out = append(out, f.Stage)
	}
	slices.Sort(out)
	return slices.DeleteFunc(slices.Compact(out), func(s string) bool { return s == "" })
}

// writeText writes one finding per line. A message spanning lines has its continuation lines
// indented with a tab, so every line that starts in column one is a finding (grep, editors'
// file:line:col jumping) and the count line stays last.
func writeText(w io.Writer, fs []finding.Finding) error {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(textLine(f))
	}
	b.WriteString(CountLine(fs))
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}

func writeMarkdownTable(w io.Writer, fs []finding.Finding) error {
	var b strings.Builder
	if len(fs) == 0 {
		b.WriteString("No findings.\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	b.WriteString("| Severity | Location | Stage | Object | Field | Rule | Message |\n")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	for _, f := range fs {
		cells := []string{string(f.Severity), code(f.Location()), text(f.Stage), code(f.Object), code(f.Field), text(f.Rule), text(f.Message)}
		b.WriteString("|")
		for _, c := range cells {
			b.WriteString(" " + cell(c) + " |")
		}
		b.WriteByte('\n')
	}
	b.WriteString("\n" + CountLine(fs) + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// cell makes s safe inside a Markdown table cell: a pipe would end the cell and a newline the row.
func cell(s string) string {
	if s == "" {
		return "—"
	}
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(s, "\r\n", "<br>")
	return strings.ReplaceAll(s, "\n", "<br>")
}

// text escapes the HTML metacharacters of plain text: GitLab would take "<sha256>" in a message
// for a tag and drop it.
func text(s string) string {
	return htmlEscaper.Replace(s)
}

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// code puts s in an inline code span, with a delimiter longer than any backtick run inside so the
// span cannot end early. Paths and pointers read better in code, and `_`/`*` in them stay literal.
func code(s string) string {
	if s == "" {
		return ""
	}
	tick := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return tick + " " + s + " " + tick
	}
	return tick + s + tick
}

// longestRun is the length of the longest run of c in s.
func longestRun(s string, c byte) int {
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}
