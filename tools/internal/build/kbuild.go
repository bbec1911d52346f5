package build

import (
	"bytes"
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

// krustyMu serialises kustomize builds: kustomize keeps its OpenAPI schema in globals.
var krustyMu sync.Mutex

// krustyBuild runs kustomize with the options fluxcd/pkg/kustomize's Build uses (plugins
// disabled, the given load restrictions) but without re-parsing the built-in OpenAPI schema for
// every build, which is most of a build's time. That per-build reset only matters when a
// kustomization changes the global schema (its openapi or crds fields); when one does, the
// result is thrown away and the build runs again isolated, exactly as Flux runs it.
func krustyBuild(fs filesys.FileSystem, dir string, lr kustypes.LoadRestrictions) (resmap.ResMap, error) {
	krustyMu.Lock()
	defer krustyMu.Unlock()
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

// recordingFS notes whether a kustomization read during a build sets the fields that change
// kustomize's global OpenAPI schema.
type recordingFS struct {
	filesys.FileSystem
	schema bool
}

func (r *recordingFS) ReadFile(path string) ([]byte, error) {
	data, err := r.FileSystem.ReadFile(path)
	if err == nil && slices.Contains(konfig.RecognizedKustomizationFileNames(), filepath.Base(path)) &&
		(bytes.Contains(data, []byte("openapi")) || bytes.Contains(data, []byte("crds"))) {
		r.schema = true
	}
	return data, err
}
