package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/zavestudios/platform/tools/internal/cost"
	"github.com/zavestudios/platform/tools/internal/docs"
	"github.com/zavestudios/platform/tools/internal/finding"
	"github.com/zavestudios/platform/tools/internal/load"
	"github.com/zavestudios/platform/tools/internal/parity"
	"github.com/zavestudios/platform/tools/internal/render"
	"github.com/zavestudios/platform/tools/internal/report"
)

func newCheckCmd(app *App) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Every check of the repository in one pass: render, docs, validate, parity, cost",
		Long: `Check loads the model once and runs what make test and the pre-commit hook need: clusters/
and README's diagram are current (render --check, docs --check), every object validates against
the schemas and the policies, the environments differ only where declared (parity), and each
fits its nodes and budget (cost). Findings go to stdout in the -o format; exit 1 on any.`,
		Example: `  platctl check
  platctl check -o codequality > gl-code-quality-report.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, err := report.ParseFormat(output, report.Text, report.JSON, report.JUnit, report.SARIF, report.CodeQuality)
			if err != nil {
				return err
			}
			start := time.Now()
			m, err := load.Load(cmd.Context(), load.Options{Root: app.Root})
			if err != nil {
				return err
			}
			fs, err := checkAll(cmd, app, m)
			if err != nil {
				return err
			}
			if err := report.Write(app.Stdout, format, report.Run{Tool: "platctl",
				Stages: []string{"render", "docs", "schema", "policy", "parity", "cost"}, Findings: fs}); err != nil {
				return err
			}
			app.Logf("checked in %s", time.Since(start).Round(time.Millisecond))
			if finding.Failing(fs) {
				return errFindings(len(fs))
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text|json|junit|sarif|codequality")
	return cmd
}

// checkAll runs every repository check on one loaded model.
func checkAll(cmd *cobra.Command, app *App, m *load.Model) ([]finding.Finding, error) {
	envs, err := m.Environments()
	if err != nil {
		return nil, err
	}
	b, err := buildEnvs(cmd, app, m, envs)
	if err != nil {
		return nil, err
	}
	var fs []finding.Finding
	for _, t := range b.trees {
		drift, err := render.Check(app.Root, t)
		if err != nil {
			return nil, err
		}
		for _, d := range drift {
			fs = append(fs, finding.Finding{Stage: "render", Severity: finding.Error, File: d.Path, Rule: "render/" + d.Kind,
				Message: fmt.Sprintf("%s: run `make render` and commit the result", d.Kind)})
		}
	}
	orphans, err := render.Orphans(app.Root, envs)
	if err != nil {
		return nil, err
	}
	for _, o := range orphans {
		fs = append(fs, finding.Finding{Stage: "render", Severity: finding.Error, File: o, Rule: "render/extra",
			Message: "belongs to no environment of the model: run `make render`"})
	}
	if gen, err := docs.Generate(m); err != nil {
		return nil, err
	} else if readme, err := os.ReadFile(filepath.Join(app.Root, "README.md")); err == nil {
		if updated, err := docs.Splice(string(readme), gen); err != nil || updated != string(readme) {
			fs = append(fs, finding.Finding{Stage: "docs", Severity: finding.Error, File: "README.md", Rule: "docs/stale",
				Message: "the platform diagram is out of date: run `platctl docs`"})
		}
	}
	vfs, err := validateBuilt(cmd, app, m, envs, b)
	if err != nil {
		return nil, err
	}
	fs = append(fs, vfs...)
	envObjs := b.objects
	pairs, err := parityPairs(m, nil)
	if err == nil {
		decls, err := parity.FromModel(m)
		if err != nil {
			return nil, err
		}
		for _, p := range pairs {
			_, pfs, err := parity.Run(cmd.Context(), parity.Options{Declarations: decls, Now: time.Now()},
				parity.Env{Name: p[0], Objects: envObjs[p[0]]}, parity.Env{Name: p[1], Objects: envObjs[p[1]]})
			if err != nil {
				return nil, err
			}
			fs = append(fs, pfs...)
		}
	}
	for _, e := range envs {
		cm, err := cost.FromModel(m, e)
		if err != nil {
			return nil, err
		}
		_, cfs, err := cost.Run(cm, envObjs[e])
		if err != nil {
			return nil, err
		}
		fs = append(fs, cfs...)
	}
	finding.Sort(fs)
	return slices.CompactFunc(fs, func(a, b finding.Finding) bool { return strings.EqualFold(a.String(), b.String()) }), nil
}
