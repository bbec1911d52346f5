package render_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/zavestudios/platform/tools/internal/load"
	"github.com/zavestudios/platform/tools/internal/render"
)

// BenchmarkRender loads the repository's model and renders both environments in memory: the
// work of `make render` without the writes.
func BenchmarkRender(b *testing.B) {
	read := func(name string) ([]byte, error) { return os.ReadFile(filepath.Join(repoRoot, name)) }
	for b.Loop() {
		m, err := load.Load(context.Background(), load.Options{Root: repoRoot})
		if err != nil {
			b.Fatal(err)
		}
		for _, env := range []string{"homelab", "aws"} {
			if _, err := render.Plan(context.Background(), m, env, read); err != nil {
				b.Fatal(err)
			}
		}
	}
}
