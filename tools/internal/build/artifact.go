package build

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/zavestudios/platform/tools/internal/manifest"
)

// stageArtifact resolves an ExternalArtifact the way Flux 2.7's source-watcher produces it: the
// ArtifactGenerator that names it copies files from its sources into a fresh artifact. When
// every source is local the copy is staged in a temporary directory; otherwise the artifact is
// remote.
func (b *Builder) stageArtifact(s *source, ns, name string) {
	gen, spec := b.findGenerator(ns, name)
	if gen == nil {
		s.missing = s.ref + ": no ArtifactGenerator in the tree produces it"
		return
	}
	s.url = "ArtifactGenerator " + nsName(*gen)
	aliases := map[string]*source{}
	for _, src := range maps(sliceAt(gen.Object, "spec", "sources")) {
		alias, _ := src["alias"].(string)
		kind, _ := src["kind"].(string)
		sname, _ := src["name"].(string)
		sns, _ := src["namespace"].(string)
		in := b.resolveSource(kind, or(sns, ns), sname)
		switch {
		case in.missing != "":
			s.missing = fmt.Sprintf("%s: source %s: %s", s.ref, alias, in.missing)
			return
		case in.remote:
			s.remote = true
			s.url += " from " + in.ref
			return
		}
		aliases[alias] = in
	}
	dir, err := os.MkdirTemp("", "platctl-artifact-")
	if err != nil {
		s.missing = fmt.Sprintf("%s: %v", s.ref, err)
		return
	}
	b.tmpDirs = append(b.tmpDirs, dir)
	s.files = map[string]string{}
	ops, _ := spec["copy"].([]any)
	for _, op := range maps(ops) {
		if err := copyOp(op, aliases, dir, s.files); err != nil {
			s.missing = fmt.Sprintf("%s: copy %v to %v: %v", s.ref, op["from"], op["to"], err)
			return
		}
	}
	s.dir = dir
}

// findGenerator returns the ArtifactGenerator in ns that declares artifact name, and the
// artifact's spec.
func (b *Builder) findGenerator(ns, name string) (*manifest.Object, map[string]any) {
	for _, o := range b.st.list {
		if o.Group() != extensionGroup || o.Kind() != "ArtifactGenerator" || o.Namespace() != ns {
			continue
		}
		for _, a := range maps(sliceAt(o.Object, "spec", "artifacts")) {
			if a["name"] == name {
				return &o, a
			}
		}
	}
	return nil, nil
}

// copyOp applies one copy operation: `from: "@alias/pattern"`, `to: "@artifact/path"`, with
// source-watcher's cp-like rules (a directory copies as a subdirectory, `dir/**` copies the
// directory's contents, a destination ending in / is a directory), `exclude` globs, `optional`
// and the Overwrite and Merge strategies.
func copyOp(op map[string]any, aliases map[string]*source, stage string, files map[string]string) error {
	from, _ := op["from"].(string)
	to, _ := op["to"].(string)
	strategy, _ := op["strategy"].(string)
	optional, _ := op["optional"].(bool)
	var excludes []string
	excl, _ := op["exclude"].([]any)
	for _, e := range excl {
		if s, ok := e.(string); ok {
			excludes = append(excludes, s)
		}
	}
	if strategy == "Extract" {
		return errors.New("the Extract strategy is not supported offline")
	}
	alias, pattern, ok := strings.Cut(strings.TrimPrefix(from, "@"), "/")
	if !strings.HasPrefix(from, "@") || !ok {
		return errors.New("source must be @alias/pattern")
	}
	src, ok := aliases[alias]
	if !ok {
		return fmt.Errorf("source alias %q not found", alias)
	}
	dest, ok := strings.CutPrefix(to, "@artifact/")
	if !ok && to != "@artifact" {
		return errors.New("destination must start with @artifact/")
	}
	if !filepath.IsLocal(or(dest, ".")) {
		return errors.New("destination must stay within the artifact")
	}
	c := copier{src: src, stage: stage, files: files, merge: strategy == "Merge", excludes: excludes}
	if !strings.ContainsAny(pattern, "*?[]") {
		return c.single(path.Clean(pattern), dest, strings.HasSuffix(to, "/"), optional)
	}
	matches, err := fs.Glob(os.DirFS(src.dir), pattern)
	if err != nil {
		return err
	}
	n := 0
	for _, m := range matches {
		if m == "." || m == ".." || excluded(m, excludes) {
			continue
		}
		n++
		if err := c.copy(m, globDestination(pattern, m, dest)); err != nil {
			return err
		}
	}
	if n == 0 && !optional {
		return fmt.Errorf("no files match %q", pattern)
	}
	return nil
}

// globDestination keeps the match's path, except that `dir/**` strips dir, as cp -r dir/* would.
func globDestination(pattern, match, dest string) string {
	if prefix, ok := strings.CutSuffix(pattern, "/**"); ok {
		if rel, ok := strings.CutPrefix(match, prefix+"/"); ok {
			return filepath.Join(dest, rel)
		}
	}
	return filepath.Join(dest, match)
}

func excluded(p string, patterns []string) bool {
	for _, pat := range patterns {
		pat = strings.ReplaceAll(pat, "**/", "")
		if ok, _ := path.Match(pat, p); ok {
			return true
		}
		if ok, _ := path.Match(pat, path.Base(p)); ok {
			return true
		}
	}
	return false
}

type copier struct {
	src      *source
	stage    string
	files    map[string]string
	merge    bool
	excludes []string
}

func (c copier) single(p, dest string, destIsDir, optional bool) error {
	fi, err := os.Stat(filepath.Join(c.src.dir, p))
	if err != nil {
		if optional && errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	if fi.IsDir() {
		return c.copy(p, filepath.Join(dest, path.Base(p)))
	}
	if destIsDir {
		dest = filepath.Join(dest, path.Base(p))
	} else if di, err := os.Stat(filepath.Join(c.stage, dest)); err == nil && di.IsDir() {
		dest = filepath.Join(dest, path.Base(p))
	}
	return c.copy(p, dest)
}

// copy copies a file or, recursively, a directory from the source into the stage.
func (c copier) copy(p, dest string) error {
	from := filepath.Join(c.src.dir, p)
	return filepath.WalkDir(from, func(f string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, f)
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".git" {
				return filepath.SkipDir
			}
			return nil
		}
		if excluded(filepath.ToSlash(filepath.Join(p, rel)), c.excludes) {
			return nil
		}
		to := filepath.Join(c.stage, dest, rel)
		return c.file(f, to)
	})
}

func (c copier) file(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	if c.merge && isYAML(to) {
		if old, err := os.ReadFile(to); err == nil {
			if data, err = mergeYAML(old, data); err != nil {
				return fmt.Errorf("merge %s: %w", filepath.Base(to), err)
			}
		}
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		return err
	}
	c.files[to] = c.src.original(from)
	return nil
}

func isYAML(p string) bool {
	ext := filepath.Ext(p)
	return ext == ".yaml" || ext == ".yml"
}

// mergeYAML deep-merges the mapping in patch over the one in base, as the Merge strategy does for
// values files.
func mergeYAML(base, patch []byte) ([]byte, error) {
	var a, p map[string]any
	if err := yaml.Unmarshal(base, &a); err != nil {
		return nil, err
	}
	if err := yaml.Unmarshal(patch, &p); err != nil {
		return nil, err
	}
	return yaml.Marshal(mergeMaps(a, p))
}

// mergeMaps deep-merges b over a (maps merge key by key, anything else is replaced), as Flux's
// transform.MergeMaps does for HelmRelease values.
func mergeMaps(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if bm, ok := v.(map[string]any); ok {
			if am, ok := out[k].(map[string]any); ok {
				out[k] = mergeMaps(am, bm)
				continue
			}
		}
		out[k] = v
	}
	return out
}
