package parity

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/zavestudios/platform/tools/internal/finding"
)

// Write prints a parity result as text, markdown or json.
func Write(w io.Writer, format string, r *Result, fs []finding.Finding, decls []Declaration) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			A        string            `json:"a"`
			B        string            `json:"b"`
			Result   *Result           `json:"result"`
			Findings []finding.Finding `json:"findings"`
		}{r.A, r.B, r, nonNil(fs)})
	case "markdown":
		fmt.Fprintf(w, "### Parity %s ↔ %s: %s\n\n", r.A, r.B, r.status(fs))
		fmt.Fprintf(w, "| declared difference | seed | differences |\n|---|---|---:|\n")
		for _, d := range decls {
			fmt.Fprintf(w, "| `%s` | %s | %d |\n", d.ID, d.Seed, r.count(d.ID))
		}
		if len(fs) > 0 {
			fmt.Fprintf(w, "\n| where | what |\n|---|---|\n")
			for _, f := range fs {
				fmt.Fprintf(w, "| `%s` | %s |\n", f.Location(), strings.ReplaceAll(strings.TrimPrefix(f.String(), f.Location()+": "), "|", "\\|"))
			}
		}
		fmt.Fprintln(w)
		return nil
	case "text", "":
		fmt.Fprintf(w, "parity %s ↔ %s: %d objects paired, %d differences: %s\n", r.A, r.B, r.Paired, len(r.Differences), r.status(fs))
		for _, d := range decls {
			if n := r.count(d.ID); n > 0 {
				fmt.Fprintf(w, "  declared %-24s %3d  (%s)\n", d.ID, n, d.Seed)
			}
		}
		for _, f := range fs {
			fmt.Fprintln(w, f.String())
		}
		return nil
	}
	return fmt.Errorf("unknown output format %q: use text, markdown or json", format)
}

func (r *Result) count(id string) int {
	n := 0
	for _, d := range r.Differences {
		if d.Declared == id {
			n++
		}
	}
	return n
}

func (r *Result) status(fs []finding.Finding) string {
	if len(fs) == 0 {
		return "only declared differences"
	}
	kinds := map[string]int{}
	for _, f := range fs {
		kinds[strings.TrimPrefix(f.Rule, "parity/")]++
	}
	var parts []string
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range kinds {
			if !yield(k) {
				return
			}
		}
	}) {
		parts = append(parts, fmt.Sprintf("%d %s", kinds[k], k))
	}
	return strings.Join(parts, ", ")
}

func nonNil(fs []finding.Finding) []finding.Finding {
	if fs == nil {
		return []finding.Finding{}
	}
	return fs
}
