package render

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"golang.org/x/sys/unix"
	"sigs.k8s.io/yaml"
)

// tmpPrefix marks the folders a render builds before swapping them in; a render killed midway
// leaves one behind, which the next render removes.
const tmpPrefix = ".render-"

// Write replaces clusters/<env> with the tree atomically: it writes a complete new folder beside
// the old one, then swaps the two with one rename, so Flux never sees a partial tree. Files that
// flux bootstrap owns are carried over from the old tree.
func Write(root string, t *Tree) error {
	clusters := filepath.Join(root, ClustersDir)
	if err := os.MkdirAll(clusters, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", ClustersDir, err)
	}
	removeStale(clusters, t.Env)
	live := filepath.Join(clusters, t.Env)
	tmp, err := os.MkdirTemp(clusters, "."+t.Env+tmpPrefix)
	if err != nil {
		return fmt.Errorf("write %s: %w", t.Env, err)
	}
	if err := fill(tmp, live, t); err != nil {
		_ = os.RemoveAll(tmp)
		return fmt.Errorf("write %s: %w", t.Env, err)
	}
	if err := swap(tmp, live); err != nil {
		_ = os.RemoveAll(tmp)
		return fmt.Errorf("write %s: %w", t.Env, err)
	}
	return nil
}

// WriteFiles writes the tree into dir/clusters/<env> as it is, with no swap and no sync: for a
// scratch copy that build reads and nothing syncs.
func WriteFiles(dir string, t *Tree) error {
	base := filepath.Join(dir, ClustersDir, t.Env)
	for _, p := range t.Paths() {
		dst := filepath.Join(base, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(dst, t.Files[p], 0o644); err != nil {
			return err
		}
	}
	return nil
}

// fill writes the tree into dir, keeping bootstrap's copies from live where render defers to them.
func fill(dir, live string, t *Tree) error {
	if err := os.Chmod(dir, 0o755); err != nil {
		return err
	}
	for _, p := range t.Paths() {
		data := t.Files[p]
		if old, err := os.ReadFile(filepath.Join(live, filepath.FromSlash(p))); err == nil {
			if BootstrapOwned(p) || (Semantic(p, old) && sameObjects(old, data)) {
				data = old
			}
		}
		dst := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			return err
		}
	}
	return syncDir(dir)
}

// swap puts tmp in place of live: one atomic exchange where the kernel offers it, else two renames.
func swap(tmp, live string) error {
	if _, err := os.Stat(live); errors.Is(err, fs.ErrNotExist) {
		return os.Rename(tmp, live)
	}
	err := unix.Renameat2(unix.AT_FDCWD, tmp, unix.AT_FDCWD, live, unix.RENAME_EXCHANGE)
	if err == nil {
		return os.RemoveAll(tmp) // tmp now holds the old tree
	}
	if !errors.Is(err, unix.ENOSYS) && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOTSUP) {
		return err
	}
	old := tmp + ".old"
	if err := os.Rename(live, old); err != nil {
		return err
	}
	if err := os.Rename(tmp, live); err != nil {
		_ = os.Rename(old, live)
		return err
	}
	return os.RemoveAll(old)
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// removeStale deletes what a killed render of env left behind.
func removeStale(clusters, env string) {
	matches, _ := filepath.Glob(filepath.Join(clusters, "."+env+tmpPrefix+"*"))
	for _, m := range matches {
		_ = os.RemoveAll(m)
	}
}

// sameObjects compares two YAML streams by their objects, ignoring comments and formatting.
func sameObjects(a, b []byte) bool {
	da, errA := documents(a)
	db, errB := documents(b)
	return errA == nil && errB == nil && reflect.DeepEqual(da, db)
}

func documents(data []byte) ([]any, error) {
	var docs []any
	for _, part := range bytes.Split(data, []byte("\n---")) {
		var v any
		if err := yaml.Unmarshal(part, &v); err != nil {
			return nil, err
		}
		if v != nil {
			docs = append(docs, v)
		}
	}
	return docs, nil
}

// Drift is one way clusters/<env> differs from what the sources render.
type Drift struct {
	Path string // repo-relative
	Kind string // "missing", "stale" or "extra"
}

func (d Drift) String() string { return d.Kind + ": " + d.Path }

// Check compares clusters/<env> on disk with the tree without writing anything.
func Check(root string, t *Tree) ([]Drift, error) {
	live := filepath.Join(root, ClustersDir, t.Env)
	rel := func(p string) string { return ClustersDir + "/" + t.Env + "/" + p }
	var drift []Drift
	for _, p := range t.Paths() {
		old, err := os.ReadFile(filepath.Join(live, filepath.FromSlash(p)))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			drift = append(drift, Drift{rel(p), "missing"})
		case err != nil:
			return nil, fmt.Errorf("check %s: %w", rel(p), err)
		case BootstrapOwned(p):
		case Semantic(p, old):
			if !sameObjects(old, t.Files[p]) {
				drift = append(drift, Drift{rel(p), "stale"})
			}
		case !bytes.Equal(old, t.Files[p]):
			drift = append(drift, Drift{rel(p), "stale"})
		}
	}
	err := filepath.WalkDir(live, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		r, _ := filepath.Rel(live, p)
		if _, ok := t.Files[filepath.ToSlash(r)]; !ok {
			drift = append(drift, Drift{rel(filepath.ToSlash(r)), "extra"})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("check %s: %w", live, err)
	}
	return drift, nil
}

// Orphans lists folders under clusters/ that belong to no environment of the model, except the
// hidden ones a render in progress uses.
func Orphans(root string, envs []string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(root, ClustersDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, e := range envs {
		known[e] = true
	}
	var out []string
	for _, e := range entries {
		if !known[e.Name()] && !strings.HasPrefix(e.Name(), ".") {
			out = append(out, ClustersDir+"/"+e.Name())
		}
	}
	return out, nil
}
