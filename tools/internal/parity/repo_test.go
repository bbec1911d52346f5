package parity_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/zavestudios/platform/tools/internal/load"
	"github.com/zavestudios/platform/tools/internal/parity"
	"github.com/zavestudios/platform/tools/internal/render"
)

const repoRoot = "../../.."

// TestRepositoryParity: the two environments' renders differ only where the model declares, every
// declaration is used, and the declarations cover exactly the seeds' "What's Different" list.
func TestRepositoryParity(t *testing.T) {
	ctx := context.Background()
	m, err := load.Load(ctx, load.Options{Root: repoRoot})
	if err != nil {
		t.Fatal(err)
	}
	decls, err := parity.FromModel(m)
	if err != nil {
		t.Fatal(err)
	}
	read := func(name string) ([]byte, error) { return os.ReadFile(filepath.Join(repoRoot, name)) }
	envs := map[string]parity.Env{}
	for _, e := range []string{"homelab", "aws"} {
		tree, err := render.Plan(ctx, m, e, read)
		if err != nil {
			t.Fatal(err)
		}
		objs, err := tree.Objects()
		if err != nil {
			t.Fatal(err)
		}
		envs[e] = parity.Env{Name: e, Objects: objs}
	}
	res, findings, err := parity.Run(ctx, parity.Options{Declarations: decls, Now: time.Now()}, envs["homelab"], envs["aws"])
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		t.Errorf("%s", f)
	}
	if res.Paired == 0 || len(res.Differences) == 0 {
		t.Errorf("paired %d objects with %d differences: the comparison did not run", res.Paired, len(res.Differences))
	}
	seeds := []string{"k3s vs EKS control plane", "Local storage vs EBS", "NodePort vs LoadBalancer services",
		"Local registry vs ECR", "Cloudflare Tunnel vs AWS NLB"}
	for _, s := range seeds {
		if !slices.ContainsFunc(decls, func(d parity.Declaration) bool { return d.Seed == s }) {
			t.Errorf("the seeds list %q as a difference, but the model declares nothing for it", s)
		}
	}
}
