package render_test

import (
	"io/fs"
	"path/filepath"
	"testing"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// TestKustomizeBuildsEveryFolder builds every folder of the committed clusters/ that has a
// kustomization.yaml, without load restrictions as Flux does: every Flux Kustomization path and
// every Argo CD application path must build, and none may be empty.
func TestKustomizeBuildsEveryFolder(t *testing.T) {
	opts := krusty.MakeDefaultOptions()
	opts.LoadRestrictions = types.LoadRestrictionsNone
	k := krusty.MakeKustomizer(opts)
	fsys := filesys.MakeFsOnDisk()
	var dirs []string
	err := filepath.WalkDir(filepath.Join(repoRoot, "clusters"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == "kustomization.yaml" {
			dirs = append(dirs, filepath.Dir(p))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < 20 {
		t.Fatalf("found %d kustomization folders under clusters/, want every layer and app of both environments", len(dirs))
	}
	for _, dir := range dirs {
		rel, _ := filepath.Rel(repoRoot, dir)
		t.Run(rel, func(t *testing.T) {
			rm, err := k.Run(fsys, dir)
			if err != nil {
				t.Fatalf("kustomize build %s: %v", rel, err)
			}
			if rm.Size() == 0 {
				t.Errorf("kustomize build %s: no objects", rel)
			}
		})
	}
}
