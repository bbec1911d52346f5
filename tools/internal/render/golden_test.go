package render_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/zavestudios/platform/tools/internal/load"
	"github.com/zavestudios/platform/tools/internal/render"
)

var update = flag.Bool("update", false, "rewrite clusters/ from the model")

// repoRoot is the repository this package lives in.
const repoRoot = "../../.."

// TestRepositoryRender is the golden test of the real platform: the committed clusters/<env> is
// the golden tree, and `go test ./tools/internal/render -update` rewrites it (the same as
// `make render`), so reviewers see every manifest change in the diff.
func TestRepositoryRender(t *testing.T) {
	m, err := load.Load(context.Background(), load.Options{Root: repoRoot})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	envs, err := m.Environments()
	if err != nil {
		t.Fatal(err)
	}
	if len(envs) < 2 {
		t.Fatalf("the platform has %d environments, want homelab and aws", len(envs))
	}
	read := func(name string) ([]byte, error) { return os.ReadFile(filepath.Join(repoRoot, name)) }
	for _, env := range envs {
		t.Run(env, func(t *testing.T) {
			tree, err := render.Plan(context.Background(), m, env, read)
			if err != nil {
				t.Fatalf("plan: %v", err)
			}
			if *update {
				if err := render.Write(repoRoot, tree); err != nil {
					t.Fatal(err)
				}
				return
			}
			drift, err := render.Check(repoRoot, tree)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range drift {
				t.Errorf("%s (run `go test ./tools/internal/render -update` or `make render`)", d)
			}
		})
	}
}

// TestRenderDeterministic renders every environment twice from two loads of the model and
// requires byte-identical trees.
func TestRenderDeterministic(t *testing.T) {
	read := func(name string) ([]byte, error) { return os.ReadFile(filepath.Join(repoRoot, name)) }
	plan := func() map[string]*render.Tree {
		m, err := load.Load(context.Background(), load.Options{Root: repoRoot})
		if err != nil {
			t.Fatal(err)
		}
		envs, _ := m.Environments()
		out := map[string]*render.Tree{}
		for _, e := range envs {
			tr, err := render.Plan(context.Background(), m, e, read)
			if err != nil {
				t.Fatal(err)
			}
			out[e] = tr
		}
		return out
	}
	a, b := plan(), plan()
	for env, ta := range a {
		tb := b[env]
		if len(ta.Files) != len(tb.Files) {
			t.Fatalf("%s: %d files then %d", env, len(ta.Files), len(tb.Files))
		}
		for p, data := range ta.Files {
			if string(tb.Files[p]) != string(data) {
				t.Errorf("%s/%s differs between two renders", env, p)
			}
		}
	}
}
