package cost

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Write prints estimates as text, markdown or json.
func Write(w io.Writer, format string, es []*Estimate) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(es)
	case "markdown":
		for _, e := range es {
			fmt.Fprintf(w, "### %s\n\n%s\n\n| item | hourly | monthly |\n|---|---:|---:|\n", e.Env, e.headline())
			for _, l := range e.Lines {
				fmt.Fprintf(w, "| %s | $%.4f | $%.2f |\n", l.Item, l.Hourly, l.Monthly)
			}
			fmt.Fprintf(w, "| **total** | **$%.4f** | **$%.2f** |\n\n%s\n\n", e.Hourly, e.Monthly, e.budgetLine())
		}
		return nil
	case "text", "":
		for i, e := range es {
			if i > 0 {
				fmt.Fprintln(w)
			}
			fmt.Fprintf(w, "%s: %s\n", e.Env, e.headline())
			for _, l := range e.Lines {
				fmt.Fprintf(w, "  %-34s $%8.4f/h  $%8.2f/month\n", l.Item, l.Hourly, l.Monthly)
			}
			fmt.Fprintf(w, "  %-34s $%8.4f/h  $%8.2f/month\n", "total", e.Hourly, e.Monthly)
			fmt.Fprintf(w, "  %s\n", e.budgetLine())
		}
		return nil
	}
	return fmt.Errorf("unknown output format %q: use text, markdown or json", format)
}

func (e *Estimate) headline() string {
	fit := "fits"
	if !e.Fits {
		fit = "DOES NOT FIT"
	}
	return fmt.Sprintf("%d nodes, %s: requests %s CPU and %s memory (%.1f%% and %.1f%% of capacity, %d%% headroom kept), %.0f GB of volumes",
		e.Nodes, fit, cores(e.CPU), gib(e.Memory), e.UsedCPU, e.UsedMemory, e.Budget.HeadroomPercent, e.StorageGB)
}

func (e *Estimate) budgetLine() string {
	var parts []string
	if e.Budget.WeekendHours > 0 {
		parts = append(parts, fmt.Sprintf("%d-hour weekend $%.2f (budget $%.2f)", e.Budget.WeekendHours, e.Weekend, e.Budget.WeekendUSD))
	}
	parts = append(parts, fmt.Sprintf("month $%.2f (budget $%.2f)", e.Monthly, e.Budget.MonthlyUSD))
	status := "within budget"
	if e.Monthly > e.Budget.MonthlyUSD+1e-9 || (e.Budget.WeekendHours > 0 && e.Weekend > e.Budget.WeekendUSD+1e-9) {
		status = "OVER BUDGET"
	}
	return strings.Join(parts, ", ") + ": " + status
}
