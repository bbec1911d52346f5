package benchgen

import (
	"os"
	"path/filepath"
	"testing"
)

// TestDeterministic: the same seed writes byte-identical trees; another seed does not.
func TestDeterministic(t *testing.T) {
	read := func(seed uint64) map[string]string {
		dir := t.TempDir()
		if _, err := Generate(dir, Options{Apps: 12, Envs: 2, Seed: seed, HelmEvery: 5}); err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() {
				data, _ := os.ReadFile(p)
				rel, _ := filepath.Rel(dir, p)
				out[rel] = string(data)
			}
			return err
		})
		return out
	}
	a, b, c := read(7), read(7), read(8)
	if len(a) == 0 || len(a) != len(b) {
		t.Fatalf("%d and %d files", len(a), len(b))
	}
	for p := range a {
		if a[p] != b[p] {
			t.Errorf("%s differs between two runs with the same seed", p)
		}
	}
	same := true
	for p := range a {
		if a[p] != c[p] {
			same = false
		}
	}
	if same {
		t.Error("a different seed wrote the same tree")
	}
}

func TestStats(t *testing.T) {
	st, err := Generate(t.TempDir(), Options{Apps: 10, Envs: 3, Seed: 1, HelmEvery: 5})
	if err != nil {
		t.Fatal(err)
	}
	// per env: the sync (2 objects, 1 Kustomization), 8 apps as Kustomizations + base, 2 HelmReleases
	wantObjects := 3 * (2 + 8*(1+appObjects) + 2*(1+chartObjects))
	if st.Objects != wantObjects || st.HelmReleases != 6 || st.Kustomizations != 3*9 {
		t.Errorf("stats = %+v, want %d objects, 6 HelmReleases, 27 Kustomizations", st, wantObjects)
	}
	if _, err := Generate(t.TempDir(), Options{Apps: 0, Envs: 1}); err == nil {
		t.Error("Generate with no applications succeeded")
	}
}
