package build

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	fluxk "github.com/fluxcd/pkg/kustomize"
	fluxfs "github.com/fluxcd/pkg/kustomize/filesys"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/api/resmap"
	kustypes "sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/yaml"

	"github.com/zavestudios/platform/tools/internal/manifest"
)

// originAnnotation is the annotation kustomize's originAnnotations build option adds; build
// reads it to point every object at the file it came from.
const originAnnotation = "config.kubernetes.io/origin"

// locatedError is a build problem with a better location than the unit that hit it: the file
// and line of a document kustomize could not read.
type locatedError struct {
	file string
	line int
	err  error
}

func (e *locatedError) Error() string { return e.err.Error() }
func (e *locatedError) Unwrap() error { return e.err }

// kustomizeRun is one build of a Flux Kustomization's path. Everything it reads from the
// Builder is fixed when it is made, so it can run on a worker while the queue moves on.
type kustomizeRun struct {
	src *source
	dir string
	// ks is the Kustomization as built: its spec.postBuild.substituteFrom references already
	// checked against the tree (substituteRefs).
	ks map[string]any
	// lookup finds the ConfigMaps and Secrets post-build substitution reads.
	lookup func(kind, ns, name string) (manifest.Object, bool)
	// tmpDirs are the staged artifacts, cleaned out of error messages.
	tmpDirs []string
	// shared is set when the caller holds kustomizeMu's read lock: a kustomization that needs
	// the exclusive lock then ends the run with errExclusive instead of waiting for it.
	shared bool
	// decoded, when set, is given the objects of the files prescan decodes.
	decoded func([]manifest.Object)
}

// kustomizeResult is what a kustomizeRun produced: objects or an error, and kustomize's
// warnings, reported at the unit whatever the outcome.
type kustomizeResult struct {
	objs     []manifest.Object
	warnings []string
	err      error
}

// newRun prepares a build of dir in src with the Builder's current state.
func (b *Builder) newRun(src *source, dir string, ks map[string]any) *kustomizeRun {
	return &kustomizeRun{src: src, dir: dir, ks: ks, tmpDirs: slices.Clone(b.tmpDirs),
		lookup: func(kind, ns, name string) (manifest.Object, bool) { return b.st.get("", kind, ns, name) }}
}

// kustomize builds dir the way kustomize-controller builds a Flux Kustomization's path:
// fluxcd/pkg/kustomize's generator writes the kustomization.yaml Flux writes (one listing the
// directory's manifests when there is none, with the Kustomization's targetNamespace, namePrefix,
// nameSuffix, patches, images and components applied), and its Build runs krusty without load
// restrictions and with plugins disabled. The generated file lives in an in-memory layer, so the
// working tree is never written. Post-build substitution runs on every resource when ks has a
// postBuild. Objects come back with Origin.File and Line set from kustomize's origin annotation.
// The run reads nothing the Builder changes: it may run on a worker (see speculate.go).
func (b *Builder) kustomize(ctx context.Context, r *kustomizeRun) (out kustomizeResult) {
	if !hasKustomization(r.dir) {
		// The generator would fail on a non-Kubernetes file with a bare path; decoding first
		// names the file and line.
		if err := b.prescan(r.src, r.dir, r.decoded); err != nil {
			return kustomizeResult{err: err}
		}
	}
	ksU := unstructured.Unstructured{Object: r.ks}
	data, kfile, _, err := fluxk.NewGenerator(r.src.dir, ksU).GenerateManifest(r.dir)
	if err != nil {
		return kustomizeResult{err: fmt.Errorf("generate kustomization: %s", b.cleanWith(r.tmpDirs, err))}
	}
	data, keepOrigin, err := withOriginAnnotations(data)
	if err != nil {
		return kustomizeResult{err: fmt.Errorf("generate kustomization: %w", err)}
	}
	disk, err := fluxfs.MakeFsOnDiskSecure(r.src.dir)
	if err != nil {
		return kustomizeResult{err: fmt.Errorf("kustomize build failed: %s", b.cleanWith(r.tmpDirs, err))}
	}
	mem := fluxfs.MakeFsInMemory(disk)
	if err := mem.WriteFile(kfile, data); err != nil {
		return kustomizeResult{err: fmt.Errorf("kustomize build failed: %w", err)}
	}
	var m resmap.ResMap
	if r.shared {
		var ok bool
		if m, ok, err = sharedBuild(mem, r.dir, kustypes.LoadRestrictionsNone); !ok {
			return kustomizeResult{err: errExclusive}
		}
	} else {
		m, out.warnings, err = kustomizeBuild(mem, r.dir, kustypes.LoadRestrictionsNone)
	}
	if err != nil {
		out.err = fmt.Errorf("kustomize build failed: %s", b.cleanWith(r.tmpDirs, err))
		return out
	}
	out.objs, out.err = b.resourceObjects(ctx, r, m, ksU, keepOrigin)
	return out
}

// resourceObjects turns a Kustomization's built resources into objects: located, post-build
// substituted, and without the origin annotation unless the Kustomization asked for it.
func (b *Builder) resourceObjects(ctx context.Context, r *kustomizeRun, m resmap.ResMap, ksU unstructured.Unstructured, keepOrigin bool) ([]manifest.Object, error) {
	postBuild := mapAt(r.ks, "spec", "postBuild") != nil
	always := strAt(r.ks, "spec", "postBuild", "substituteStrategy") == "Always"
	client := treeClient{lookup: r.lookup}
	var subst *substitution
	resources := m.Resources()
	objs := make([]manifest.Object, 0, len(resources))
	for _, res := range resources {
		if res.GetName() == "" || res.GetKind() == "" || res.GetApiVersion() == "" {
			return nil, fmt.Errorf("failed to decode Kubernetes apiVersion, kind and name from: %s", strings.TrimSpace(res.String()))
		}
		at := b.resourceOrigin(r.src, r.dir, res.GetKind(), res.GetName(), originOf(res.GetAnnotations()))
		if at.File == "" {
			at = manifest.Origin{}
		}
		var c converted
		fast, substitute := false, postBuild
		if postBuild {
			if subst == nil {
				subst = b.substitution(ctx, client, ksU, always)
			}
			// fluxcd/pkg/kustomize re-reads the whole resource through YAML and JSON however
			// little it substitutes; where that provably changes nothing it is skipped.
			if subst.ok && !hasDollar(res.YNode()) {
				c, fast = convertResource(res)
				substitute = !fast || !subst.unchanged(c)
			}
		}
		if substitute {
			out, err := fluxk.SubstituteVariables(ctx, client, ksU, res, fluxk.SubstituteWithAlways(always))
			if err != nil {
				return nil, &locatedError{file: at.File, line: at.Line,
					err: fmt.Errorf("post build failed for '%s/%s': %w", res.GetGvk(), res.GetName(), err)}
			}
			fast = false
			if out != nil {
				res = out
				c, fast = convertSubstituted(res)
			}
		}
		if !fast {
			c, fast = convertResource(res)
		}
		var o manifest.Object
		if fast {
			o = manifest.Object{Object: c.obj}
		} else {
			y, err := res.AsYAML()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", res.CurId(), err)
			}
			decoded, err := manifest.Decode(at.File, y)
			if err != nil || len(decoded) != 1 {
				return nil, &locatedError{file: at.File, line: at.Line, err: fmt.Errorf("%s: %v", res.CurId(), err)} //nolint:errorlint // err may be nil (one document too many), which %w would print as %!w(<nil>)
			}
			o = decoded[0]
		}
		o.Origin = at
		if !keepOrigin {
			deleteAnnotation(o.Object, originAnnotation)
		}
		objs = append(objs, o)
	}
	return objs, nil
}

// withOriginAnnotations turns on kustomize's origin annotations in a generated kustomization so
// build can trace objects to files; keep reports whether the Kustomization asked for them itself
// (spec.buildMetadata), in which case the cluster sees them too and they stay.
func withOriginAnnotations(data []byte) ([]byte, bool, error) {
	var k kustypes.Kustomization
	if err := yaml.Unmarshal(data, &k); err != nil {
		return nil, false, err
	}
	if slices.Contains(k.BuildMetadata, kustypes.OriginAnnotations) {
		return data, true, nil
	}
	k.BuildMetadata = append(k.BuildMetadata, kustypes.OriginAnnotations)
	out, err := yaml.Marshal(k)
	return out, false, err
}

func hasKustomization(dir string) bool {
	for _, name := range konfig.RecognizedKustomizationFileNames() {
		if fi, err := os.Stat(filepath.Join(dir, name)); err == nil && !fi.IsDir() {
			return true
		}
	}
	return false
}

// prescan decodes the manifests the generator would list for a directory without a
// kustomization.yaml (its YAML files, and subdirectories holding one), so a file that is not
// Kubernetes YAML is reported with its name and line. When every file decodes, decoded (if set)
// is given their objects.
func (b *Builder) prescan(src *source, dir string, decoded func([]manifest.Object)) error {
	var objs []manifest.Object
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != dir && hasKustomization(path) {
				return filepath.SkipDir
			}
			return nil
		}
		if ext := filepath.Ext(path); ext != ".yaml" && ext != ".yml" {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		file := b.rel(src.original(path))
		got, err := manifest.Decode(file, data)
		if err != nil {
			line := 0
			if _, after, ok := strings.Cut(err.Error(), file+":"); ok {
				_, _ = fmt.Sscanf(after, "%d", &line)
			}
			return &locatedError{file: file, line: line, err: err}
		}
		if decoded != nil {
			objs = append(objs, got...)
		}
		return nil
	})
	if err == nil && decoded != nil {
		decoded(objs)
	}
	return err
}

// clean makes the paths in a kustomize error repo-relative.
func (b *Builder) clean(err error) string { return b.cleanWith(b.tmpDirs, err) }

// cleanWith is clean with the staged artifacts a run was given.
func (b *Builder) cleanWith(tmpDirs []string, err error) string {
	msg := err.Error()
	msg = strings.ReplaceAll(msg, b.opts.Root+string(filepath.Separator), "")
	for _, d := range tmpDirs {
		msg = strings.ReplaceAll(msg, d+string(filepath.Separator), "<artifact>/")
	}
	return msg
}

func deleteAnnotation(obj map[string]any, key string) {
	meta, _ := obj["metadata"].(map[string]any)
	ann, _ := meta["annotations"].(map[string]any)
	if ann == nil {
		return
	}
	delete(ann, key)
	if len(ann) == 0 {
		delete(meta, "annotations")
	}
}

// locate turns an error into the place a finding should point at (the document kustomize
// failed on when known, else the unit's own location) and the message without that place.
func locate(err error, at manifest.Origin) (manifest.Origin, string) {
	var le *locatedError
	if !errors.As(err, &le) || le.file == "" {
		return at, err.Error()
	}
	at.File, at.Line = le.file, le.line
	msg := err.Error()
	msg = strings.TrimPrefix(msg, fmt.Sprintf("%s:%d: ", le.file, le.line))
	msg = strings.TrimPrefix(msg, le.file+": ")
	return at, msg
}
