package schemagen

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
)

// OutputDirs are the directories the generator owns, relative to the repository root: after a
// run they hold exactly the generated files.
var OutputDirs = []string{"schemas/jsonschema/kubernetes", "schemas/jsonschema/crds", "schemas/crds"}

// encodeJSON is the one encoding of every schema file: keys sorted (encoding/json sorts map
// keys), two-space indent, no HTML escaping (descriptions are full of < and &), one trailing
// newline. Regenerating therefore gives byte-identical files.
func encodeJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// syncStats counts what syncTree changed on disk.
type syncStats struct{ written, removed int }

// syncTree makes the output directories under root hold exactly files (repo-relative slash
// paths → content). Unchanged files are not rewritten, so their modification times survive;
// files no source produces any more are removed, and so are directories left empty.
func syncTree(root string, files map[string][]byte) (syncStats, error) {
	var st syncStats
	for _, name := range slices.Sorted(maps.Keys(files)) {
		path := filepath.Join(root, filepath.FromSlash(name))
		if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, files[name]) {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return st, err
		}
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			return st, err
		}
		st.written++
	}
	for _, dir := range OutputDirs {
		base := filepath.Join(root, filepath.FromSlash(dir))
		var dirs []string
		err := filepath.WalkDir(base, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				dirs = append(dirs, path)
				return nil
			}
			rel, err := filepath.Rel(root, path)
			if err != nil {
				return err
			}
			if _, keep := files[filepath.ToSlash(rel)]; keep {
				return nil
			}
			st.removed++
			return os.Remove(path)
		})
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return st, fmt.Errorf("clean %s: %w", dir, err)
		}
		// Deepest first, so a directory emptied by its children's removal goes too.
		for _, d := range slices.Backward(dirs) {
			if entries, err := os.ReadDir(d); err == nil && len(entries) == 0 {
				if err := os.Remove(d); err != nil {
					return st, err
				}
			}
		}
	}
	return st, nil
}
