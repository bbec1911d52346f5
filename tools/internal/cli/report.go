package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/zavestudios/platform/tools/internal/diff"
	"github.com/zavestudios/platform/tools/internal/finding"
	"github.com/zavestudios/platform/tools/internal/gitlab"
	"github.com/zavestudios/platform/tools/internal/load"
	"github.com/zavestudios/platform/tools/internal/report"
)

// writeFindings writes fs to stdout in the format named by -o. It only reports: a command
// returns errFindings(n) itself when finding.Failing(fs), so it can still print a summary or
// write other files first.
func writeFindings(app *App, format string, fs []finding.Finding) error {
	f, err := report.ParseFormat(format)
	if err != nil {
		return err
	}
	return report.WriteFindings(app.Stdout, f, "platctl", fs)
}

// addFindingsFormatFlag registers -o/--output for a command that prints findings, defaulting to
// text, with the formats listed in the help.
func addFindingsFormatFlag(cmd *cobra.Command, p *string) {
	names := make([]string, len(report.Formats))
	for i, f := range report.Formats {
		names[i] = string(f)
	}
	cmd.Flags().StringVarP(p, "output", "o", string(report.Text), "output format: "+strings.Join(names, "|"))
}

func newReportCmd(app *App) *cobra.Command {
	var inputs []string
	var post, base string
	var limit int
	cmd := &cobra.Command{
		Use:   "report [--base REF] [--input FILE]... [--post gitlab] [--limit N]",
		Short: "Build the merge-request note; print it, or post it to GitLab",
		Long: `Report builds one note for a merge request. With --base it renders and builds the working tree
and the base revision and reports, per environment, the objects added, removed and changed,
the validation and policy findings, parity and cost and its change. It also reads report
envelopes other runs wrote (--input, JSON, kind platctl.report), merges everything into one note and prints it as Markdown: a summary table per environment, then a
collapsible section per changed object and one for the findings. When the note would exceed
--limit bytes the largest sections are cut, and say so; the summary is never cut.

With --post gitlab the note is also written to the merge request of the pipeline: the note
carrying the hidden <!-- platctl-report --> marker is updated, or created if there is none, so
each MR has one current report. It reads CI_API_V4_URL, CI_PROJECT_ID and CI_MERGE_REQUEST_IID,
which GitLab CI sets in merge request pipelines, and a token with the api scope from
PLATCTL_GITLAB_TOKEN (or GITLAB_TOKEN).

Report exits 0 once the note is printed and posted, whatever it contains: the commands that
produced the inputs already failed the pipeline for their findings and differences, and the
report job should not fail it a second time.`,
		Example: `  platctl report --base origin/main --post gitlab
  platctl report --input diff.json --input validate.json
  platctl report --input - < report.json
  platctl report --input diff.json --post gitlab`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(inputs) == 0 && base == "" {
				return errors.New("report: no input: give --base REF to report on the working tree's change, or --input FILE (- for stdin), a report file written by another platctl command")
			}
			if limit <= 0 {
				return fmt.Errorf("report: --limit %d: must be a positive number of bytes", limit)
			}
			var client gitlab.Client
			var project string
			var mr int
			switch post {
			case "":
			case "gitlab":
				// Check the environment before any work, so a misconfigured job fails at once.
				var err error
				if client, project, mr, err = gitlab.FromEnv(os.Getenv); err != nil {
					return fmt.Errorf("report --post gitlab: %w", err)
				}
			default:
				return fmt.Errorf("report: --post %q: the only target is gitlab", post)
			}

			envs, err := readEnvelopes(cmd.InOrStdin(), inputs)
			if err != nil {
				return err
			}
			if base != "" {
				e, err := changeEnvelope(cmd, app, base)
				if err != nil {
					return err
				}
				envs = append(envs, e)
			}
			merged, err := report.Merge(envs...)
			if err != nil {
				return fmt.Errorf("report: %w", err)
			}
			note := report.RenderMarkdown(report.Compose(merged), limit)
			if _, err := io.WriteString(app.Stdout, note); err != nil {
				return fmt.Errorf("report: %w", err)
			}
			if post == "" {
				return nil
			}
			app.Logf("posting the report to merge request !%d of project %s", mr, project)
			id, created, err := client.UpsertNote(cmd.Context(), project, mr, report.Marker, note)
			if err != nil {
				return fmt.Errorf("report --post gitlab: %w", err)
			}
			if created {
				app.Logf("created note %d", id)
			} else {
				app.Logf("updated note %d", id)
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&inputs, "input", nil, "report file to merge (repeatable; - reads stdin)")
	cmd.Flags().StringVar(&base, "base", "", "report the working tree's change against this revision: diff, validate, parity, cost")
	cmd.Flags().StringVar(&post, "post", "", "also write the note to the merge request: gitlab")
	cmd.Flags().IntVar(&limit, "limit", report.DefaultLimit, "most bytes in the note (GitLab accepts 1,000,000 characters)")
	return cmd
}

// readEnvelopes reads each input once; a file named twice is an error rather than counted
// twice in the summary.
func readEnvelopes(stdin io.Reader, inputs []string) ([]report.Envelope, error) {
	var envs []report.Envelope
	for i, name := range inputs {
		if slices.Contains(inputs[:i], name) {
			return nil, fmt.Errorf("report: --input %s given twice", name)
		}
		e, err := readEnvelope(stdin, name)
		if err != nil {
			if name == "-" {
				name = "stdin"
			}
			return nil, fmt.Errorf("report: %s: %w", name, err)
		}
		envs = append(envs, e)
	}
	return envs, nil
}

func readEnvelope(stdin io.Reader, name string) (report.Envelope, error) {
	if name == "-" {
		return report.ReadEnvelope(stdin)
	}
	f, err := os.Open(name)
	if err != nil {
		return report.Envelope{}, err
	}
	defer f.Close()
	return report.ReadEnvelope(f)
}

// changeEnvelope reports the working tree's change against base: the diff per environment and
// owner, and the findings of validate, parity and cost on the working tree.
func changeEnvelope(cmd *cobra.Command, app *App, base string) (report.Envelope, error) {
	r, err := refDiff(cmd, app, base, "")
	if err != nil {
		return report.Envelope{}, err
	}
	m, err := load.Load(cmd.Context(), load.Options{Root: app.Root})
	if err != nil {
		return report.Envelope{}, err
	}
	envs, err := m.Environments()
	if err != nil {
		return report.Envelope{}, err
	}
	var all []finding.Finding
	perEnv := map[string][]finding.Finding{}
	for _, e := range envs {
		fs, err := validateEnvs(cmd, app, m, []string{e})
		if err != nil {
			return report.Envelope{}, err
		}
		perEnv[e] = fs
		all = append(all, fs...)
	}
	doc := report.Document{Title: fmt.Sprintf("platctl report: %s → %s", r.Base, r.Head)}
	for _, s := range r.Summary {
		errs, warns, _ := report.Counts(perEnv[s.Env])
		doc.Summary = append(doc.Summary, report.SummaryRow{
			Env: s.Env, Added: s.Added, Removed: s.Removed, Changed: s.Changed,
			Findings: errs, Warnings: warns, Parity: s.Parity,
			CostMonthly: fmt.Sprintf("$%.2f", s.CostHead), CostDelta: fmt.Sprintf("%+.2f", s.CostHead-s.CostBase),
		})
	}
	for _, g := range diff.Groups(r.Changes) {
		added, removed, changed := 0, 0, 0
		for _, c := range g.Changes {
			switch c.Action {
			case "added":
				added++
			case "removed":
				removed++
			default:
				changed++
			}
		}
		doc.Sections = append(doc.Sections, report.Section{
			Title:   g.Env + " · " + g.Owner,
			Summary: fmt.Sprintf("%d added, %d removed, %d changed", added, removed, changed),
			Body:    diff.Body(g.Changes), Lang: "diff",
		})
	}
	return report.NewEnvelope(doc, []string{"diff", "schema", "policy", "parity", "cost"}, all), nil
}
