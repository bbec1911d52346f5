package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/zavestudios/platform/tools/internal/finding"
	"github.com/zavestudios/platform/tools/internal/load"
	"github.com/zavestudios/platform/tools/internal/parity"
)

func newParityCmd(app *App) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "parity [ENV_A ENV_B]",
		Short: "Prove two environments differ only where the model declares",
		Long: `Parity pairs the objects of two environments by group, kind, namespace and name, compares
them field by field (embedded values YAML included, SOPS ciphertext and each environment's own
clusters/<env> folder aside), and matches every difference against the declarations in
schemas/differences.cue. An undeclared difference, a declaration that matches nothing (stale)
or one past its expiry date is a finding (exit 1). Without arguments it compares the primary
environment with each other one.`,
		Example: `  platctl parity
  platctl parity homelab aws -o markdown`,
		Args: cobra.RangeArgs(0, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				return fmt.Errorf("parity takes two environments or none, got %q", args[0])
			}
			m, err := load.Load(cmd.Context(), load.Options{Root: app.Root})
			if err != nil {
				return err
			}
			pairs, err := parityPairs(m, args)
			if err != nil {
				return err
			}
			decls, err := parity.FromModel(m)
			if err != nil {
				return err
			}
			var envs []string
			for _, p := range pairs {
				envs = append(envs, p[0], p[1])
			}
			objs, err := envObjects(cmd, app, m, dedupe(envs))
			if err != nil {
				return err
			}
			failing := 0
			for _, p := range pairs {
				res, fs, err := parity.Run(cmd.Context(), parity.Options{Declarations: decls, Now: time.Now()},
					parity.Env{Name: p[0], Objects: objs[p[0]]}, parity.Env{Name: p[1], Objects: objs[p[1]]})
				if err != nil {
					return err
				}
				if err := parity.Write(app.Stdout, output, res, fs, decls); err != nil {
					return err
				}
				if finding.Failing(fs) {
					failing += len(fs)
				}
			}
			if failing > 0 {
				return errFindings(failing)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text, markdown or json")
	return cmd
}

// parityPairs is the pair named on the command line, or the primary environment with each other.
func parityPairs(m *load.Model, args []string) ([][2]string, error) {
	all, err := m.Environments()
	if err != nil {
		return nil, err
	}
	if len(args) == 2 {
		if _, err := selectEnvs(m, args); err != nil {
			return nil, err
		}
		return [][2]string{{args[0], args[1]}}, nil
	}
	primary := all[0]
	for _, e := range all {
		var p bool
		if m.Labels("environments", e, "primary").Decode(&p) == nil && p {
			primary = e
		}
	}
	var pairs [][2]string
	for _, e := range all {
		if e != primary {
			pairs = append(pairs, [2]string{primary, e})
		}
	}
	if len(pairs) == 0 {
		return nil, fmt.Errorf("parity needs two environments; the model defines only %s", primary)
	}
	return pairs, nil
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
