package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/zavestudios/platform/tools/internal/finding"
	"github.com/zavestudios/platform/tools/internal/manifest"
	"github.com/zavestudios/platform/tools/internal/policy"
	"github.com/zavestudios/platform/tools/internal/schema"
	"github.com/zavestudios/platform/tools/internal/validate"
)

// validateInputs validates objects already built (a YAML stream, as `platctl build -o yaml`
// writes, or any manifests): the same input kubeconform and conftest take, so the three can
// be compared on exactly the same objects.
func validateInputs(cmd *cobra.Command, app *App, inputs []string, ro rootOptions) ([]finding.Finding, error) {
	rules := app.Root
	if ro.rules != "" {
		var err error
		if rules, err = filepath.Abs(ro.rules); err != nil {
			return nil, fmt.Errorf("--rules: %w", err)
		}
	}
	var objs []manifest.Object
	for _, in := range inputs {
		var data []byte
		var err error
		if in == "-" {
			data, err = io.ReadAll(cmd.InOrStdin())
		} else {
			data, err = os.ReadFile(in)
		}
		if err != nil {
			return nil, fmt.Errorf("--input %s: %w", in, err)
		}
		got, err := manifest.Decode(in, data)
		if err != nil {
			return nil, err
		}
		objs = append(objs, got...)
	}
	sv, err := schema.New(schema.Options{Root: rules, KubernetesVersion: ro.kubeVersion})
	if err != nil {
		return nil, err
	}
	regs := make([]any, len(ro.registries))
	for i, r := range ro.registries {
		regs[i] = r
	}
	opts := validate.Options{Schema: sv, Policies: func(env string) (*policy.Engine, error) {
		return policy.New(cmd.Context(), policy.Options{Dir: filepath.Join(rules, "policies"),
			Env: map[string]any{"name": env, "registries": regs, "allowLoadBalancer": ro.allowLB}, Now: time.Now()})
	}}
	fs, err := validate.Run(cmd.Context(), opts, "input", objs)
	if err != nil {
		return nil, err
	}
	app.Logf("validated %d objects from %d input(s), %d finding(s)", len(objs), len(inputs), len(fs))
	return fs, nil
}
