package cli

import (
	"github.com/spf13/cobra"

	"github.com/zavestudios/platform/tools/internal/cost"
	"github.com/zavestudios/platform/tools/internal/finding"
	"github.com/zavestudios/platform/tools/internal/load"
)

func newCostCmd(app *App) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "cost [ENV...]",
		Short: "Estimate each environment's capacity and cost against its budget",
		Long: `Cost sums the requests of every workload (replicas or the HPA minimum, DaemonSets per node,
CronJobs one run at a time) plus the footprints components declare, packs them onto the
environment's nodes (the home lab's VMs, or as many Karpenter nodes as needed), prices nodes,
fixed costs and storage from the model, and compares the result with the budget. Not fitting,
or costing more than the budget, is a finding (exit 1).`,
		Example: `  platctl cost
  platctl cost aws -o markdown`,
		RunE: func(cmd *cobra.Command, envs []string) error {
			m, err := load.Load(cmd.Context(), load.Options{Root: app.Root})
			if err != nil {
				return err
			}
			envs, err = selectEnvs(m, envs)
			if err != nil {
				return err
			}
			objs, err := envObjects(cmd, app, m, envs)
			if err != nil {
				return err
			}
			var ests []*cost.Estimate
			var all []finding.Finding
			for _, e := range envs {
				cm, err := cost.FromModel(m, e)
				if err != nil {
					return err
				}
				est, fs, err := cost.Run(cm, objs[e])
				if err != nil {
					return err
				}
				ests = append(ests, est)
				all = append(all, fs...)
			}
			if err := cost.Write(app.Stdout, output, ests); err != nil {
				return err
			}
			for _, f := range all {
				app.Logf("%s", f)
			}
			if finding.Failing(all) {
				return errFindings(len(all))
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text, markdown or json")
	return cmd
}
