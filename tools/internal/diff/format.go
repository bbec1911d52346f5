package diff

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"sigs.k8s.io/yaml"
)

// Report is a ref diff: the changes of every environment and what changed around them.
type Report struct {
	Base    string    `json:"base"`
	Head    string    `json:"head"`
	Changes []Change  `json:"changes"`
	Summary []Summary `json:"summary"`
}

// Summary counts one environment's changes and puts its checks side by side.
type Summary struct {
	Env     string `json:"env"`
	Added   int    `json:"added"`
	Removed int    `json:"removed"`
	Changed int    `json:"changed"`
	// Parity and Cost are "base → head" in words, filled by the caller.
	Parity     string  `json:"parity,omitempty"`
	CostBase   float64 `json:"costMonthlyBase"`
	CostHead   float64 `json:"costMonthlyHead"`
	Validation string  `json:"validation,omitempty"`
}

// Summarise counts the changes per environment, in the order envs are given.
func Summarise(envs []string, cs []Change) []Summary {
	out := make([]Summary, len(envs))
	at := map[string]int{}
	for i, e := range envs {
		out[i].Env = e
		at[e] = i
	}
	for _, c := range cs {
		s := &out[at[c.Env]]
		switch c.Action {
		case "added":
			s.Added++
		case "removed":
			s.Removed++
		default:
			s.Changed++
		}
	}
	return out
}

// Write prints the report as text (flux diff's layout), markdown or json.
func Write(w io.Writer, format string, r *Report) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case "markdown":
		fmt.Fprintf(w, "### platctl diff %s → %s\n\n| environment | added | removed | changed | parity | cost / month |\n|---|---:|---:|---:|---|---:|\n", r.Base, r.Head)
		for _, s := range r.Summary {
			fmt.Fprintf(w, "| %s | %d | %d | %d | %s | %s |\n", s.Env, s.Added, s.Removed, s.Changed, s.Parity, costDelta(s))
		}
		for _, g := range Groups(r.Changes) {
			fmt.Fprintf(w, "\n<details><summary>%s · %s (%d)</summary>\n\n```diff\n%s```\n\n</details>\n", g.Env, g.Owner, len(g.Changes), Body(g.Changes))
		}
		return nil
	case "text", "":
		for _, c := range r.Changes {
			fmt.Fprint(w, "► "+c.Env+" "+c.Title()+" "+c.Action+"\n"+indent(fieldsBody(c.Fields), "  "))
		}
		for _, s := range r.Summary {
			fmt.Fprintf(w, "%s: %d added, %d removed, %d changed; parity %s; cost %s a month\n",
				s.Env, s.Added, s.Removed, s.Changed, s.Parity, costDelta(s))
		}
		return nil
	}
	return fmt.Errorf("unknown output format %q: use text, markdown or json", format)
}

// Body is the flux-diff body of a group of changes: a header per object, then each changed path
// with its old and new values.
func Body(cs []Change) string {
	var b strings.Builder
	for _, c := range cs {
		b.WriteString("► " + c.Title() + " " + c.Action + "\n")
		b.WriteString(fieldsBody(c.Fields))
	}
	return b.String()
}

func fieldsBody(fs []Field) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.Path + "\n")
		if f.A != nil {
			b.WriteString(indent(value(f.A), "- "))
		}
		if f.B != nil {
			b.WriteString(indent(value(f.B), "+ "))
		}
	}
	return b.String()
}

func value(v any) string {
	switch x := v.(type) {
	case string:
		return x + "\n"
	case map[string]any, []any:
		out, err := yaml.Marshal(x)
		if err == nil {
			return string(out)
		}
	}
	return fmt.Sprint(v) + "\n"
}

func indent(s, prefix string) string {
	if s == "" {
		return ""
	}
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n") + "\n"
}

func costDelta(s Summary) string {
	if s.CostBase == s.CostHead {
		return fmt.Sprintf("$%.2f (unchanged)", s.CostHead)
	}
	return fmt.Sprintf("$%.2f → $%.2f (%+.2f)", s.CostBase, s.CostHead, s.CostHead-s.CostBase)
}

// Group is the changes one owner (Kustomization, Application, folder) makes in one environment.
type Group struct {
	Env, Owner string
	Changes    []Change
}

// Groups splits changes by environment and owner (already their sort order).
func Groups(cs []Change) []Group {
	var out []Group
	for _, c := range cs {
		if n := len(out); n > 0 && out[n-1].Env == c.Env && out[n-1].Owner == c.Owner {
			out[n-1].Changes = append(out[n-1].Changes, c)
			continue
		}
		out = append(out, Group{c.Env, c.Owner, []Change{c}})
	}
	return out
}
