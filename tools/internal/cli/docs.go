package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/zavestudios/platform/tools/internal/docs"
	"github.com/zavestudios/platform/tools/internal/load"
)

func newDocsCmd(app *App) *cobra.Command {
	var check bool
	cmd := &cobra.Command{
		Use:   "docs [--check]",
		Short: "Draw the platform into README.md from the model",
		Long: `Docs writes a Mermaid diagram of every environment (components, the engine that owns them,
their dependsOn order, exposure, registry, storage) and the table of declared differences into
README.md between its platctl docs markers. With --check it writes nothing and exits 1 when the
README is stale.`,
		Example: `  platctl docs
  platctl docs --check`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			m, err := load.Load(cmd.Context(), load.Options{Root: app.Root})
			if err != nil {
				return err
			}
			gen, err := docs.Generate(m)
			if err != nil {
				return err
			}
			path := filepath.Join(app.Root, "README.md")
			old, err := os.ReadFile(path)
			if err != nil {
				return fmt.Errorf("docs: %w", err)
			}
			updated, err := docs.Splice(string(old), gen)
			if err != nil {
				return fmt.Errorf("docs: %w", err)
			}
			if check {
				if updated != string(old) {
					fmt.Fprintln(app.Stdout, "stale: README.md")
					app.Logf("README.md's diagram is out of date: run `platctl docs`")
					return errFindings(1)
				}
				return nil
			}
			if updated == string(old) {
				return nil
			}
			if err := os.WriteFile(path, []byte(updated), 0o644); err != nil {
				return fmt.Errorf("docs: %w", err)
			}
			app.Logf("updated README.md")
			return nil
		},
	}
	cmd.Flags().BoolVar(&check, "check", false, "write nothing; exit 1 when README.md is stale")
	return cmd
}
