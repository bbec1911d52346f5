package render

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestWriteFailureKeepsPreviousTree: when the new tree cannot be written, the live tree is
// untouched and no temporary folder is left behind.
func TestWriteFailureKeepsPreviousTree(t *testing.T) {
	root := t.TempDir()
	good := &Tree{Env: "dev", Files: map[string][]byte{"a.yaml": []byte("a: 1\n"), "sub/b.yaml": []byte("b: 2\n")}}
	if err := Write(root, good); err != nil {
		t.Fatal(err)
	}
	// a file and a folder of the same name cannot both be written: the render fails midway.
	bad := &Tree{Env: "dev", Files: map[string][]byte{"a.yaml": []byte("a: changed\n"), "x": []byte("file\n"), "x/y.yaml": []byte("y\n")}}
	if err := Write(root, bad); err == nil {
		t.Fatal("Write of an impossible tree succeeded")
	}
	got := readTree(t, filepath.Join(root, ClustersDir, "dev"))
	want := map[string]string{"a.yaml": "a: 1\n", "sub/b.yaml": "b: 2\n"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("live tree changed by a failed write (-want +got):\n%s", diff)
	}
	entries, _ := os.ReadDir(filepath.Join(root, ClustersDir))
	if len(entries) != 1 {
		t.Errorf("clusters/ holds %d entries after a failed write, want only dev", len(entries))
	}
}

// TestWriteReplacesWholeTree: files no longer rendered disappear, bootstrap's gotk-components.yaml stays.
func TestWriteReplacesWholeTree(t *testing.T) {
	root := t.TempDir()
	live := filepath.Join(root, ClustersDir, "dev")
	if err := os.MkdirAll(filepath.Join(live, "flux-system"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(live, "old.yaml"), []byte("old\n"), 0o644)
	os.WriteFile(filepath.Join(live, GotkComponents), []byte("bootstrapped\n"), 0o644)
	// a render killed earlier left this behind
	os.MkdirAll(filepath.Join(root, ClustersDir, ".dev"+tmpPrefix+"123"), 0o755)
	tree := &Tree{Env: "dev", Files: map[string][]byte{"new.yaml": []byte("new\n"), GotkComponents: []byte("placeholder\n")}}
	if err := Write(root, tree); err != nil {
		t.Fatal(err)
	}
	got := readTree(t, live)
	want := map[string]string{"new.yaml": "new\n", GotkComponents: "bootstrapped\n"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tree after write (-want +got):\n%s", diff)
	}
	if m, _ := filepath.Glob(filepath.Join(root, ClustersDir, ".dev*")); len(m) != 0 {
		t.Errorf("stale render folders left: %v", m)
	}
}

func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		r, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(r)] = string(data)
		return nil
	})
	return out
}
