package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestRepositoryBuildGolden is the golden test of `platctl build <env> -o yaml` on this
// repository: every object Flux and Argo CD apply, with its origin. `go test ./tools/internal/cli
// -update` rewrites testdata/golden/build-<env>.yaml, so reviewers see what a change applies.
func TestRepositoryBuildGolden(t *testing.T) {
	for _, env := range []string{"homelab", "aws"} {
		t.Run(env, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := Run(context.Background(), []string{"build", env, "-o", "yaml", "-q", "--repo", "../../.."}, &out, &errb); code != 0 {
				t.Fatalf("platctl build %s: exit %d: %s", env, code, errb.String())
			}
			golden := filepath.Join("testdata", "golden", "build-"+env+".yaml")
			if *updateScripts {
				if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./tools/internal/cli -run TestRepositoryBuildGolden -update)", err)
			}
			if !bytes.Equal(out.Bytes(), want) {
				t.Errorf("platctl build %s differs from %s: run `go test ./tools/internal/cli -run TestRepositoryBuildGolden -update` and review the diff", env, golden)
			}
		})
	}
}
