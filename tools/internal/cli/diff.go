package cli

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/zavestudios/platform/tools/internal/cost"
	"github.com/zavestudios/platform/tools/internal/diff"
	"github.com/zavestudios/platform/tools/internal/finding"
	"github.com/zavestudios/platform/tools/internal/gitref"
	"github.com/zavestudios/platform/tools/internal/load"
	"github.com/zavestudios/platform/tools/internal/manifest"
	"github.com/zavestudios/platform/tools/internal/parity"
)

func newDiffCmd(app *App) *cobra.Command {
	var base, head, output string
	cmd := &cobra.Command{
		Use:   "diff --base REF [--head REF]",
		Short: "Show what a change does to every environment: objects added, removed, changed",
		Long: `Diff renders and builds two revisions (the base from git, the head from the working tree
unless --head names a revision) for every environment and reports the objects added, removed and
changed, field by field, as flux diff does; Secret values are masked. It also shows how parity and
cost change. Exit 0 when nothing changes, 1 when something does, 2 on failure.`,
		Example: `  platctl diff --base HEAD~1
  platctl diff --base origin/main --head HEAD -o markdown`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if base == "" {
				return fmt.Errorf("--base is required: the revision to compare with, e.g. --base HEAD~1")
			}
			r, err := refDiff(cmd, app, base, head)
			if err != nil {
				return err
			}
			if err := diff.Write(app.Stdout, output, r); err != nil {
				return err
			}
			if len(r.Changes) > 0 {
				return errFindings(len(r.Changes))
			}
			app.Logf("no changes between %s and %s", r.Base, r.Head)
			return nil
		},
	}
	cmd.Flags().StringVar(&base, "base", "", "revision to compare with (required)")
	cmd.Flags().StringVar(&head, "head", "", "revision to compare (default: the working tree)")
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text, markdown or json")
	return cmd
}

// side is one revision, loaded and rendered.
type side struct {
	model   *load.Model
	envs    []string
	objects map[string][]manifest.Object
}

// modelPaths is what rendering a revision reads: the model and the SOPS files beside it, not the
// vendored schemas and CRDs (most of the repository's bytes).
var modelPaths = []string{"schemas", "platform", "apps", ":(exclude)schemas/jsonschema", ":(exclude)schemas/crds"}

func refDiff(cmd *cobra.Command, app *App, base, head string) (*diff.Report, error) {
	ctx := cmd.Context()
	baseDir, cleanup, err := gitref.Export(ctx, app.Root, base, modelPaths...)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	headDir, headName := app.Root, "working tree"
	if head != "" {
		dir, cleanup, err := gitref.Export(ctx, app.Root, head, modelPaths...)
		if err != nil {
			return nil, err
		}
		defer cleanup()
		headDir, headName = dir, head
	}
	// the two revisions are independent: load and render them on two cores at once
	var b, h side
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) { b, err = loadSide(gctx, cmd, app, baseDir, base); return err })
	g.Go(func() (err error) { h, err = loadSide(gctx, cmd, app, headDir, headName); return err })
	if err := g.Wait(); err != nil {
		return nil, err
	}
	envs := dedupe(append(slices.Clone(h.envs), b.envs...))
	slices.Sort(envs)
	r := &diff.Report{Base: base, Head: headName}
	for _, e := range envs {
		r.Changes = append(r.Changes, diff.Objects(e, b.objects[e], h.objects[e])...)
	}
	r.Summary = diff.Summarise(envs, r.Changes)
	pb, ph := parityStatus(ctx, b), parityStatus(ctx, h)
	for i := range r.Summary {
		s := &r.Summary[i]
		s.Parity = pb
		if pb != ph {
			s.Parity = pb + " → " + ph
		}
		s.CostBase, s.CostHead = monthly(b, s.Env), monthly(h, s.Env)
	}
	return r, nil
}

func loadSide(ctx context.Context, cmd *cobra.Command, app *App, dir, name string) (side, error) {
	m, err := load.Load(ctx, load.Options{Root: dir})
	if err != nil {
		return side{}, fmt.Errorf("%s: %w", name, err)
	}
	envs, err := m.Environments()
	if err != nil {
		return side{}, fmt.Errorf("%s: %w", name, err)
	}
	sub := *app
	sub.Root = dir
	objs, err := envObjects(cmd, &sub, m, envs)
	if err != nil {
		return side{}, fmt.Errorf("%s: %w", name, err)
	}
	return side{model: m, envs: envs, objects: objs}, nil
}

// parityStatus is the parity result of one revision in a few words.
func parityStatus(ctx context.Context, s side) string {
	pairs, err := parityPairs(s.model, nil)
	if err != nil {
		return "n/a"
	}
	decls, err := parity.FromModel(s.model)
	if err != nil {
		return "error"
	}
	n := 0
	for _, p := range pairs {
		_, fs, err := parity.Run(ctx, parity.Options{Declarations: decls, Now: time.Now()},
			parity.Env{Name: p[0], Objects: s.objects[p[0]]}, parity.Env{Name: p[1], Objects: s.objects[p[1]]})
		if err != nil {
			return "error"
		}
		if finding.Failing(fs) {
			n += len(fs)
		}
	}
	if n == 0 {
		return "pass"
	}
	return fmt.Sprintf("%d finding(s)", n)
}

func monthly(s side, env string) float64 {
	if s.model == nil || !slices.Contains(s.envs, env) {
		return 0
	}
	cm, err := cost.FromModel(s.model, env)
	if err != nil {
		return 0
	}
	est, _, err := cost.Run(cm, s.objects[env])
	if err != nil {
		return 0
	}
	return est.Monthly
}
