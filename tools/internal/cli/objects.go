package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/zavestudios/platform/tools/internal/build"
	"github.com/zavestudios/platform/tools/internal/finding"
	"github.com/zavestudios/platform/tools/internal/load"
	"github.com/zavestudios/platform/tools/internal/manifest"
	"github.com/zavestudios/platform/tools/internal/render"
)

// built is what the controllers apply in each environment, and what building it found.
type built struct {
	trees    []*render.Tree
	objects  map[string][]manifest.Object
	findings []finding.Finding
}

// envObjects renders the model in memory and builds every environment as Flux and Argo CD would:
// the working tree's clusters/ is not read, so a stale tree cannot hide a change. The rendered
// trees are written to a temporary root laid out like the repository, so every origin is the
// repository path of the rendered file.
func envObjects(cmd *cobra.Command, app *App, m *load.Model, envs []string) (map[string][]manifest.Object, error) {
	b, err := buildEnvs(cmd, app, m, envs)
	if err != nil {
		return nil, err
	}
	return b.objects, nil
}

func buildEnvs(cmd *cobra.Command, app *App, m *load.Model, envs []string) (*built, error) {
	_, trees, err := renderTreesFrom(cmd, app, m, envs)
	if err != nil {
		return nil, err
	}
	var shadow string
	defer func() {
		if shadow != "" {
			_ = os.RemoveAll(shadow)
		}
	}()
	out := &built{trees: trees, objects: map[string][]manifest.Object{}}
	defer app.ProgressDone()
	for _, t := range trees {
		app.Progressf("building %s/%s…", render.ClustersDir, t.Env)
		// build reads the repository's clusters/<env> when it is exactly the render (the usual
		// case: render --check passes), and a scratch copy of the render otherwise
		root := app.Root
		if drift, err := render.Check(app.Root, t); err != nil || len(drift) > 0 {
			if shadow == "" {
				if shadow, err = os.MkdirTemp("", "platctl-build-"); err != nil {
					return nil, err
				}
			}
			if err := render.WriteFiles(shadow, t); err != nil {
				return nil, err
			}
			root = shadow
		}
		opts, err := buildOptions(m, t.Env)
		if err != nil {
			return nil, err
		}
		opts.Root, opts.Path = root, render.ClustersDir+"/"+t.Env
		res, fs, err := build.New(opts).Run(cmd.Context())
		if err != nil {
			return nil, fmt.Errorf("build %s: %w", t.Env, err)
		}
		out.objects[t.Env] = res.Objects
		out.findings = append(out.findings, fs...)
	}
	return out, nil
}

// buildOptions reads what build needs from the model: the environment's Kubernetes version
// (Helm's capabilities) and the repository it syncs (Argo CD sources that mean this repository).
func buildOptions(m *load.Model, env string) (build.Options, error) {
	var e struct {
		Cluster struct {
			KubernetesVersion string `json:"kubernetesVersion"`
		} `json:"cluster"`
		Git struct {
			URL string `json:"url"`
		} `json:"git"`
	}
	if err := m.Decode(fmt.Sprintf("environments.%q", env), &e); err != nil {
		return build.Options{}, err
	}
	return build.Options{KubeVersion: e.Cluster.KubernetesVersion, RepoURLs: []string{e.Git.URL}}, nil
}
