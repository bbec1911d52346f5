package cli

import (
	"fmt"
	"os"
	"path/filepath"
)

// resolveRoot sets app.Root: --repo if given, else the nearest ancestor of the working directory
// holding .git, else the working directory itself (a plain copy of the repository).
func (a *App) resolveRoot() error {
	if a.Root != "" {
		abs, err := filepath.Abs(a.Root)
		if err != nil {
			return fmt.Errorf("--repo: %w", err)
		}
		if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
			return fmt.Errorf("--repo %s: not a directory", a.Root)
		}
		a.Root = abs
		return nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return fmt.Errorf("working directory: %w", err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			a.Root = dir
			return nil
		}
		if filepath.Dir(dir) == dir {
			break
		}
	}
	a.Root = wd
	return nil
}
