package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/zavestudios/platform/tools/internal/load"
	"github.com/zavestudios/platform/tools/internal/render"
)

func newRenderCmd(app *App) *cobra.Command {
	var envs []string
	var check bool
	cmd := &cobra.Command{
		Use:   "render [--env NAME]... [--check]",
		Short: "Render the CUE model into clusters/<env>/",
		Long: `Render evaluates the CUE model (schemas/, platform/, apps/) and writes clusters/<env>/ for
every environment, or those named with --env: the Flux sync, the platform Kustomizations and
their manifests, the Argo CD root and Applications, and the rendered application manifests.
Each environment's tree is written beside the old one and swapped in, so a failed render leaves
clusters/ exactly as it was. With --check nothing is written: every stale, missing or extra
file is listed and the exit code is 1.`,
		Example: `  platctl render
  platctl render --env homelab
  platctl render --check`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			m, trees, err := renderTrees(cmd, app, envs)
			if err != nil {
				return err
			}
			if check {
				return checkTrees(app, m, trees, len(envs) == 0)
			}
			for _, t := range trees {
				if err := render.Write(app.Root, t); err != nil {
					return err
				}
				app.Logf("rendered %s/%s (%d files)", render.ClustersDir, t.Env, len(t.Files))
			}
			if len(envs) == 0 {
				all, _ := m.Environments()
				orphans, err := render.Orphans(app.Root, all)
				if err != nil {
					return err
				}
				for _, o := range orphans {
					if err := os.RemoveAll(filepath.Join(app.Root, o)); err != nil {
						return fmt.Errorf("remove %s: %w", o, err)
					}
					app.Logf("removed %s: no such environment in the model", o)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringSliceVar(&envs, "env", nil, "environment to render (repeatable; default: all)")
	cmd.Flags().BoolVar(&check, "check", false, "write nothing; exit 1 listing files that differ from the sources")
	return cmd
}

// renderTrees loads the model and renders the selected environments in memory.
func renderTrees(cmd *cobra.Command, app *App, envs []string) (*load.Model, []*render.Tree, error) {
	m, err := load.Load(cmd.Context(), load.Options{Root: app.Root})
	if err != nil {
		return nil, nil, err
	}
	return renderTreesFrom(cmd, app, m, envs)
}

// renderTreesFrom renders the selected environments of a loaded model in memory.
func renderTreesFrom(cmd *cobra.Command, app *App, m *load.Model, envs []string) (*load.Model, []*render.Tree, error) {
	selected, err := selectEnvs(m, envs)
	if err != nil {
		return nil, nil, err
	}
	read := func(name string) ([]byte, error) {
		return os.ReadFile(filepath.Join(app.Root, filepath.FromSlash(name)))
	}
	var trees []*render.Tree
	for _, e := range selected {
		t, err := render.Plan(cmd.Context(), m, e, read)
		if err != nil {
			return nil, nil, err
		}
		trees = append(trees, t)
	}
	return m, trees, nil
}

// selectEnvs validates --env names against the model; no names means every environment.
func selectEnvs(m *load.Model, envs []string) ([]string, error) {
	all, err := m.Environments()
	if err != nil {
		return nil, err
	}
	if len(envs) == 0 {
		return all, nil
	}
	for _, e := range envs {
		if !slices.Contains(all, e) {
			return nil, fmt.Errorf("unknown environment %q: the model defines %s", e, strings.Join(all, ", "))
		}
	}
	return envs, nil
}

func checkTrees(app *App, m *load.Model, trees []*render.Tree, all bool) error {
	var drift []render.Drift
	for _, t := range trees {
		d, err := render.Check(app.Root, t)
		if err != nil {
			return err
		}
		drift = append(drift, d...)
	}
	if all {
		envs, _ := m.Environments()
		orphans, err := render.Orphans(app.Root, envs)
		if err != nil {
			return err
		}
		for _, o := range orphans {
			drift = append(drift, render.Drift{Path: o + "/", Kind: "extra"})
		}
	}
	slices.SortFunc(drift, func(a, b render.Drift) int { return strings.Compare(a.Path, b.Path) })
	for _, d := range drift {
		fmt.Fprintln(app.Stdout, d)
	}
	if len(drift) > 0 {
		app.Logf("clusters/ is out of date: run `make render` (platctl render) and commit the result")
		return errFindings(len(drift))
	}
	app.Logf("clusters/ is up to date")
	return nil
}
