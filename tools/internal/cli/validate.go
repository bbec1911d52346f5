package cli

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/zavestudios/platform/tools/internal/build"
	"github.com/zavestudios/platform/tools/internal/finding"
	"github.com/zavestudios/platform/tools/internal/load"
	"github.com/zavestudios/platform/tools/internal/policy"
	"github.com/zavestudios/platform/tools/internal/report"
	"github.com/zavestudios/platform/tools/internal/schema"
	"github.com/zavestudios/platform/tools/internal/validate"
)

func newValidateCmd(app *App) *cobra.Command {
	var output string
	var ro rootOptions
	cmd := &cobra.Command{
		Use:   "validate [ENV...]",
		Short: "Check every object against the vendored schemas and the policies, offline",
		Long: `Validate checks every object each environment applies (Flux and Argo CD alike) against the
vendored JSON schemas with kubeconform in strict mode and against the Rego policies in policies/,
in one pass and with no network. Each finding names the source that produced it: the CUE line of
the field for what render generated, otherwise the YAML line. Policy exceptions live in the
model with a reason and an expiry date; an expired one is a finding. Exit 0 clean, 1 findings.`,
		Example: `  platctl validate
  platctl validate homelab -o junit > validate.xml
  platctl validate -o codequality > gl-code-quality-report.json
  platctl validate --repo ../fleet --root clusters/staging --registry ghcr.io`,
		RunE: func(cmd *cobra.Command, envs []string) error {
			format, err := report.ParseFormat(output, report.Text, report.JSON, report.JUnit, report.SARIF, report.CodeQuality)
			if err != nil {
				return err
			}
			var fs []finding.Finding
			if len(ro.inputs) > 0 {
				if fs, err = validateInputs(cmd, app, ro.inputs, ro); err != nil {
					return err
				}
			} else if len(ro.roots) > 0 {
				if len(envs) > 0 {
					return fmt.Errorf("give environments or --root, not both")
				}
				if fs, err = validateRoots(cmd, app, ro); err != nil {
					return err
				}
			} else {
				m, err := load.Load(cmd.Context(), load.Options{Root: app.Root})
				if err != nil {
					return err
				}
				envs, err = selectEnvs(m, envs)
				if err != nil {
					return err
				}
				if fs, err = validateEnvs(cmd, app, m, envs); err != nil {
					return err
				}
			}
			if err := report.Write(app.Stdout, format, report.Run{Tool: "platctl", Stages: []string{"schema", "policy"}, Findings: fs}); err != nil {
				return err
			}
			if finding.Failing(fs) {
				return errFindings(len(fs))
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text|json|junit|sarif|codequality")
	cmd.Flags().StringArrayVar(&ro.roots, "root", nil, "validate any Flux repository: the cluster folder to build (repeatable), instead of the model's environments")
	cmd.Flags().StringArrayVar(&ro.inputs, "input", nil, "validate built objects from this YAML file (repeatable; - reads stdin), instead of building")
	cmd.Flags().StringArrayVar(&ro.registries, "registry", nil, "with --root: a registry images may come from (repeatable)")
	cmd.Flags().BoolVar(&ro.allowLB, "allow-load-balancer", false, "with --root: Services of type LoadBalancer are allowed")
	cmd.Flags().StringVar(&ro.rules, "rules", "", "with --root: the checkout whose schemas/jsonschema/ and policies/ check the tree (default: --repo)")
	cmd.Flags().StringVar(&ro.kubeVersion, "kube-version", schema.DefaultKubernetesVersion, "with --root: the Kubernetes version of the schemas and of Helm's capabilities")
	return cmd
}

// rootOptions describe a plain Flux repository, which has no model to say them.
type rootOptions struct {
	roots, registries  []string
	inputs             []string
	allowLB            bool
	kubeVersion, rules string
}

// validateRoots builds each cluster folder of a plain Flux repository and validates what it
// applies, sharing one schema validator and one policy compilation.
func validateRoots(cmd *cobra.Command, app *App, ro rootOptions) (_ []finding.Finding, err error) {
	rules := app.Root
	if ro.rules != "" {
		if rules, err = filepath.Abs(ro.rules); err != nil {
			return nil, fmt.Errorf("--rules: %w", err)
		}
	}
	sv, err := schema.New(schema.Options{Root: rules, KubernetesVersion: ro.kubeVersion})
	if err != nil {
		return nil, err
	}
	regs := make([]any, len(ro.registries))
	for i, r := range ro.registries {
		regs[i] = r
	}
	// The roots' policy data differ only in their name: the policies are compiled once, when
	// the first root needs them.
	var policies *policy.Rules
	var all []finding.Finding
	for _, root := range ro.roots {
		res, bfs, err := build.New(build.Options{Root: app.Root, Path: root, KubeVersion: ro.kubeVersion}).Run(cmd.Context())
		if err != nil {
			return nil, err
		}
		opts := validate.Options{Schema: sv, Policies: func(env string) (_ *policy.Engine, err error) {
			if policies == nil {
				if policies, err = policy.Compile(filepath.Join(rules, "policies")); err != nil {
					return nil, err
				}
			}
			return policy.New(cmd.Context(), policy.Options{Rules: policies,
				Env: map[string]any{"name": env, "registries": regs, "allowLoadBalancer": ro.allowLB}, Now: time.Now()})
		}}
		fs, err := validate.Run(cmd.Context(), opts, root, res.Objects)
		if err != nil {
			return nil, err
		}
		all = append(all, fs...)
		all = append(all, bfs...)
		app.Logf("validated %s: %d objects, %d finding(s)", root, len(res.Objects), len(fs)+len(bfs))
	}
	finding.Sort(all)
	return all, nil
}

// validateEnvs validates the environments with one schema validator per Kubernetes version and
// one policy compilation, the expensive parts, shared by all of them.
func validateEnvs(cmd *cobra.Command, app *App, m *load.Model, envs []string) ([]finding.Finding, error) {
	b, err := buildEnvs(cmd, app, m, envs)
	if err != nil {
		return nil, err
	}
	return validateBuilt(cmd, app, m, envs, b)
}

// validateBuilt validates what buildEnvs built, so a caller that needs the objects for other
// checks (check: parity, cost) renders and builds once.
func validateBuilt(cmd *cobra.Command, app *App, m *load.Model, envs []string, b *built) ([]finding.Finding, error) {
	objs := b.objects
	excs, err := validate.Exceptions(m)
	if err != nil {
		return nil, err
	}
	validators := map[string]*schema.Validator{}
	var all []finding.Finding
	for _, env := range envs {
		kv, err := validate.KubernetesVersion(m, env)
		if err != nil {
			return nil, err
		}
		sv, ok := validators[kv]
		if !ok {
			sv, err = schema.New(schema.Options{Root: app.Root, KubernetesVersion: kv})
			if err != nil {
				return nil, err
			}
			validators[kv] = sv
		}
		opts := validate.Options{
			Schema: sv,
			Model:  m,
			Policies: func(env string) (*policy.Engine, error) {
				data, err := validate.EnvData(m, env)
				if err != nil {
					return nil, err
				}
				return policy.New(cmd.Context(), policy.Options{Dir: filepath.Join(app.Root, "policies"), Env: data,
					Exceptions: excs, Now: time.Now()})
			},
		}
		fs, err := validate.Run(cmd.Context(), opts, env, objs[env])
		if err != nil {
			return nil, err
		}
		all = append(all, fs...)
		app.Logf("validated %s: %d objects, %d finding(s)", env, len(objs[env]), len(fs))
	}
	// what building found (duplicates, dependsOn cycles, charts that cannot be had offline)
	validate.ToSource(m, b.findings)
	all = append(all, b.findings...)
	finding.Sort(all)
	return all, nil
}
