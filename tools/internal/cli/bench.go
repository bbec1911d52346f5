package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/zavestudios/platform/tools/internal/benchgen"
)

func newBenchCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Benchmark helpers: generate synthetic platforms",
	}
	var o benchgen.Options
	gen := &cobra.Command{
		Use:   "gen --apps N --envs M DIR",
		Short: "Write a synthetic Flux repository of N applications in M environments",
		Long: `Gen writes a realistic Flux repository for benchmarks: per environment a flux-system sync and,
per application, a Flux Kustomization with a patch and postBuild substitution over a base of a
Namespace, Deployment (probes, restricted security context), Service, VirtualService, HPA,
PodDisruptionBudget, NetworkPolicy, ConfigMap and ServiceMonitor; every --helm-every-th
application is a HelmRelease of the in-repo chart instead. The tree validates clean against the
vendored schemas and the policies (images come from registry.bench.local), and the same --seed
writes the same bytes.`,
		Example: `  platctl bench gen --apps 1600 --envs 2 /tmp/bench
  platctl validate --repo /tmp/bench --root clusters/env-1 --registry registry.bench.local`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := benchgen.Generate(args[0], o)
			if err != nil {
				return err
			}
			fmt.Fprintf(app.Stdout, "%s: %d files, %d objects, %d Flux Kustomizations, %d HelmReleases\n",
				args[0], st.Files, st.Objects, st.Kustomizations, st.HelmReleases)
			return nil
		},
	}
	gen.Flags().IntVar(&o.Apps, "apps", 100, "applications per environment")
	gen.Flags().IntVar(&o.Envs, "envs", 2, "environments")
	gen.Flags().Uint64Var(&o.Seed, "seed", 1, "random seed: the same seed writes the same tree")
	gen.Flags().IntVar(&o.HelmEvery, "helm-every", 10, "every n-th application is a HelmRelease of the in-repo chart (0: none)")
	cmd.AddCommand(gen)
	return cmd
}
