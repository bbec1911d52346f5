package build

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"

	fluxk "github.com/fluxcd/pkg/kustomize"
	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resmap"
	kustypes "sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/openapi"
)

// kustomizeMu guards the process-wide state kustomize touches: its OpenAPI schema, which a
// kustomization's openapi field replaces, and os.Stderr, where it prints deprecation warnings
// (build captures them, see captureStderr). A build whose kustomizations touch neither (the
// guard below proves it before kustomize reads them) only reads that state, so such builds run
// concurrently under the read lock, with nothing to capture; any other build, and the schema
// resets it needs, hold the lock exclusively. Code that reads kustomize resources outside a
// build (CurId asks the schema whether a kind is namespaced) runs either under the read lock
// or on the goroutine that takes the write lock, so it never meets a reset.
var kustomizeMu sync.RWMutex

// errExclusive ends a shared build that reached a kustomization needing the exclusive lock.
var errExclusive = errors.New("the kustomization needs an exclusive build")

// sharedBuild builds dir under the read lock, which the caller holds. ok is false when a
// kustomization in the build sets a field that changes kustomize's global schema or makes it
// print a warning: the guard refuses to read it, so kustomize stops before acting on it, and the
// caller builds exclusively instead.
func sharedBuild(fs filesys.FileSystem, dir string, lr kustypes.LoadRestrictions) (m resmap.ResMap, ok bool, err error) {
	g := &guardFS{FileSystem: fs}
	m, err = runKustomizer(g, dir, lr)
	if g.refused {
		return nil, false, nil
	}
	return m, true, err
}

// exclusiveBuild builds dir alone, exactly as before builds ran concurrently: with os.Stderr
// captured for kustomize's warnings, and the schema reset around kustomizations that change it.
// The schema is initialised again before the lock is released, so shared builds never
// initialise it concurrently with a reader (kyaml reads its namespace-scope table unlocked).
func exclusiveBuild(fs filesys.FileSystem, dir string, lr kustypes.LoadRestrictions) (m resmap.ResMap, warnings []string, err error) {
	kustomizeMu.Lock()
	defer kustomizeMu.Unlock()
	warnings = captureStderr(func() { m, err = krustyBuild(fs, dir, lr) })
	_ = openapi.Schema()
	return m, warnings, err
}

// kustomizeBuild builds dir from the calling goroutine, which holds no lock: shared when the
// guard allows, else exclusively.
func kustomizeBuild(fs filesys.FileSystem, dir string, lr kustypes.LoadRestrictions) (resmap.ResMap, []string, error) {
	kustomizeMu.RLock()
	m, ok, err := sharedBuild(fs, dir, lr)
	kustomizeMu.RUnlock()
	if ok {
		return m, nil, err
	}
	return exclusiveBuild(fs, dir, lr)
}

// initSchema parses kustomize's built-in schema before builds run concurrently; see
// exclusiveBuild.
func initSchema() {
	kustomizeMu.Lock()
	defer kustomizeMu.Unlock()
	_ = openapi.Schema()
}

// krustyBuild runs kustomize with the options fluxcd/pkg/kustomize's Build uses (plugins
// disabled, the given load restrictions) but without re-parsing the built-in OpenAPI schema for
// every build, which is most of a build's time. That per-build reset only matters when a
// kustomization changes the global schema (its openapi or crds fields); when one does, the
// result is thrown away and the build runs again isolated, exactly as Flux runs it. The caller
// holds kustomizeMu exclusively.
func krustyBuild(fs filesys.FileSystem, dir string, lr kustypes.LoadRestrictions) (resmap.ResMap, error) {
	rec := &recordingFS{FileSystem: fs}
	m, err := runKustomizer(rec, dir, lr)
	if !rec.schema {
		return m, err
	}
	openapi.ResetOpenAPI()
	defer openapi.ResetOpenAPI()
	if lr == kustypes.LoadRestrictionsNone {
		return fluxk.Build(fs, dir)
	}
	_ = openapi.Schema()
	return runKustomizer(fs, dir, lr)
}

func runKustomizer(fs filesys.FileSystem, dir string, lr kustypes.LoadRestrictions) (m resmap.ResMap, err error) {
	// Kustomize panics on some malformed input; a build must not.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("recovered from kustomize build panic: %v", r)
		}
	}()
	opts := &krusty.Options{LoadRestrictions: lr, PluginConfig: kustypes.DisabledPluginConfig()}
	return krusty.MakeKustomizer(opts).Run(fs, dir)
}

func isKustomizationFile(path string) bool {
	return slices.Contains(konfig.RecognizedKustomizationFileNames(), filepath.Base(path))
}

// recordingFS notes whether a kustomization read during a build sets the fields that change
// kustomize's global OpenAPI schema.
type recordingFS struct {
	filesys.FileSystem
	schema bool
}

func (r *recordingFS) ReadFile(path string) ([]byte, error) {
	data, err := r.FileSystem.ReadFile(path)
	if err == nil && isKustomizationFile(path) &&
		(bytes.Contains(data, []byte("openapi")) || bytes.Contains(data, []byte("crds"))) {
		r.schema = true
	}
	return data, err
}

// guardFS refuses to read a kustomization that might set a field a shared build must not meet.
type guardFS struct {
	filesys.FileSystem
	refused bool
}

func (g *guardFS) ReadFile(path string) ([]byte, error) {
	data, err := g.FileSystem.ReadFile(path)
	if err == nil && isKustomizationFile(path) && !plainKustomization(data) {
		g.refused = true
		return nil, errExclusive
	}
	return data, err
}

// exclusiveFields are, lowercased, the kustomization fields that change kustomize's global
// schema (openapi; crds, which recordingFS treats the same way) or that
// types.Kustomization.CheckDeprecatedFields warns about, which kustomize prints to os.Stderr.
var exclusiveFields = [][]byte{
	[]byte("openapi"), []byte("crds"), []byte("bases"), []byte("commonlabels"), []byte("imagetags"),
	[]byte("patchesjson6902"), []byte("patchesstrategicmerge"), []byte("vars"),
}

// plainKustomization reports whether a kustomization certainly sets none of exclusiveFields. The
// test is on the text, so it errs on the side of an exclusive build: kustomize reads the file
// as YAML into JSON field names matched case-insensitively (encoding/json also folds two
// non-ASCII letters, ſ and K, onto s and k), and a YAML escape could spell a name, so the text
// must be ASCII, free of backslashes and, lowercased, free of every name.
func plainKustomization(data []byte) bool {
	lower := make([]byte, len(data))
	for i, c := range data {
		switch {
		case c >= 0x80 || c == '\\':
			return false
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	for _, f := range exclusiveFields {
		if bytes.Contains(lower, f) {
			return false
		}
	}
	return true
}
