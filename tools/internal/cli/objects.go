package cli

import (
	"github.com/spf13/cobra"

	"github.com/zavestudios/platform/tools/internal/load"
	"github.com/zavestudios/platform/tools/internal/manifest"
)

// envObjects returns every object the two engines apply in an environment, rendered from the
// model in memory (the working tree's clusters/ is not read, so a stale tree cannot hide a
// difference).
func envObjects(cmd *cobra.Command, app *App, m *load.Model, envs []string) (map[string][]manifest.Object, error) {
	_, trees, err := renderTreesFrom(cmd, app, m, envs)
	if err != nil {
		return nil, err
	}
	out := map[string][]manifest.Object{}
	for _, t := range trees {
		objs, err := t.Objects()
		if err != nil {
			return nil, err
		}
		out[t.Env] = objs
	}
	return out, nil
}
