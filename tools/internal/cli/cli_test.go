package cli

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets testscript run platctl in-process as a command named platctl.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"platctl": func() { os.Exit(Run(context.Background(), os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs testdata/script/*.txtar: each builds a small repository in its archive, runs
// platctl and compares stdout, stderr, exit codes and files.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		UpdateScripts:       *updateScripts,
		Setup: func(env *testscript.Env) error {
			env.Setenv("CI", "true")
			// scripts that commit need an identity and no user or system git configuration
			env.Setenv("GIT_AUTHOR_NAME", "test")
			env.Setenv("GIT_AUTHOR_EMAIL", "test@example.com")
			env.Setenv("GIT_COMMITTER_NAME", "test")
			env.Setenv("GIT_COMMITTER_EMAIL", "test@example.com")
			env.Setenv("GIT_CONFIG_NOSYSTEM", "1")
			env.Setenv("GIT_CONFIG_GLOBAL", "/dev/null")
			return copyDefinitions(env.WorkDir)
		},
	})
}

// copyDefinitions gives every script the repository's shared CUE definitions (schemas/*.cue), so
// a script only writes the environments, components and applications it is about, and links the
// vendored JSON schemas and the policies (read-only, too large to copy per script).
func copyDefinitions(work string) error {
	if err := copyDir(filepath.Join("..", "..", "..", "policies"), filepath.Join(work, "policies")); err != nil {
		return err
	}
	for _, dir := range []string{"schemas/jsonschema"} {
		src, err := filepath.Abs(filepath.Join("..", "..", "..", dir))
		if err != nil {
			return err
		}
		dst := filepath.Join(work, dir)
		if _, err := os.Lstat(dst); err == nil {
			continue // the script brings its own
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.Symlink(src, dst); err != nil {
			return err
		}
	}
	defs, err := filepath.Glob(filepath.Join("..", "..", "..", "schemas", "*.cue"))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(work, "schemas"), 0o755); err != nil {
		return err
	}
	for _, d := range defs {
		dst := filepath.Join(work, "schemas", filepath.Base(d))
		if _, err := os.Stat(dst); err == nil {
			continue // the script brings its own
		}
		data, err := os.ReadFile(d)
		if err != nil {
			return err
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// copyDir copies a folder unless the script brings its own.
func copyDir(src, dst string) error {
	if _, err := os.Lstat(dst); err == nil {
		return nil
	}
	return filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}
