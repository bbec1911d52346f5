package build

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	fluxfs "github.com/fluxcd/pkg/kustomize/filesys"
	"github.com/gobwas/glob"
	"sigs.k8s.io/kustomize/api/konfig"
	kustypes "sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/yaml"

	"github.com/zavestudios/platform/tools/internal/manifest"
)

// argoDirectory reads a directory source as Argo CD does: the .yaml, .yml and .json files in it
// (in subdirectories too with recurse), filtered by the include and exclude globs.
func (b *Builder) argoDirectory(dir string, opts map[string]any) ([]manifest.Object, error) {
	recurse := boolAt(opts, "recurse")
	include, err := compileGlob(strAt(opts, "include"))
	if err != nil {
		return nil, fmt.Errorf("directory.include: %w", err)
	}
	exclude, err := compileGlob(strAt(opts, "exclude"))
	if err != nil {
		return nil, fmt.Errorf("directory.exclude: %w", err)
	}
	var objs []manifest.Object
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && (!recurse || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(p) {
		case ".yaml", ".yml", ".json":
		default:
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if (include != nil && !include.Match(rel)) || (exclude != nil && exclude.Match(rel)) {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		file := b.rel(p)
		got, err := manifest.Decode(file, data)
		if err != nil {
			return locatedDecodeError(file, err)
		}
		objs = append(objs, got...)
		return nil
	})
	return objs, err
}

// locatedDecodeError carries a decode error's file:line as the finding's location.
func locatedDecodeError(file string, err error) error {
	line := 0
	if _, after, ok := strings.Cut(err.Error(), file+":"); ok {
		_, _ = fmt.Sscanf(after, "%d", &line)
	}
	return &locatedError{file: file, line: line, err: err}
}

// compileGlob compiles an Argo CD include/exclude pattern; `{a,b}` alternatives are allowed and
// `*` crosses directories, as in Argo CD.
func compileGlob(pattern string) (*glob.Pattern, error) {
	if pattern == "" {
		return nil, nil
	}
	return glob.Compile(pattern)
}

// argoKustomize builds a kustomize source as Argo CD does: the source's kustomize options are
// applied to the kustomization the way `kustomize edit` applies them, and kustomize builds it
// with its default load restrictions (files must stay under their kustomization's root).
func (b *Builder) argoKustomize(app manifest.Object, dir string, opts map[string]any) ([]manifest.Object, error) {
	kfile := ""
	for _, name := range konfig.RecognizedKustomizationFileNames() {
		if fi, err := os.Stat(filepath.Join(dir, name)); err == nil && !fi.IsDir() {
			kfile = filepath.Join(dir, name)
			break
		}
	}
	data, err := os.ReadFile(kfile)
	if err != nil {
		return nil, err
	}
	var k kustypes.Kustomization
	if err := yaml.Unmarshal(data, &k); err != nil {
		return nil, &locatedError{file: b.rel(kfile), line: 1, err: fmt.Errorf("%s: %w", b.rel(kfile), err)}
	}
	if err := applyArgoKustomize(&k, opts); err != nil {
		return nil, err
	}
	keep := false
	for _, m := range k.BuildMetadata {
		keep = keep || m == kustypes.OriginAnnotations
	}
	if !keep {
		k.BuildMetadata = append(k.BuildMetadata, kustypes.OriginAnnotations)
	}
	out, err := yaml.Marshal(k)
	if err != nil {
		return nil, err
	}
	disk, err := fluxfs.MakeFsOnDiskSecure(b.opts.Root)
	if err != nil {
		return nil, err
	}
	mem := fluxfs.MakeFsInMemory(disk)
	if err := mem.WriteFile(kfile, out); err != nil {
		return nil, err
	}
	m, warnings, err := kustomizeBuild(mem, dir, kustypes.LoadRestrictionsRootOnly)
	b.reportWarnings(warnings, app.Origin, app.ID())
	if err != nil {
		return nil, fmt.Errorf("kustomize build failed: %s", b.clean(err))
	}
	root := &source{dir: b.opts.Root}
	var objs []manifest.Object
	for _, res := range m.Resources() {
		at := b.resourceOrigin(root, dir, res.GetKind(), res.GetName(), originOf(res.GetAnnotations()))
		var o manifest.Object
		if c, ok := convertResource(res); ok {
			o = manifest.Object{Object: c.obj}
		} else {
			y, err := res.AsYAML()
			if err != nil {
				return nil, err
			}
			got, err := manifest.Decode(at.File, y)
			if err != nil || len(got) != 1 {
				return nil, fmt.Errorf("%s: %v", res.CurId(), err) //nolint:errorlint // err may be nil (one document too many), which %w would print as %!w(<nil>)
			}
			o = got[0]
		}
		o.Origin = at
		if !keep {
			deleteAnnotation(o.Object, originAnnotation)
		}
		objs = append(objs, o)
	}
	return objs, nil
}

// applyArgoKustomize applies spec.source.kustomize as Argo CD's `kustomize edit` calls do.
func applyArgoKustomize(k *kustypes.Kustomization, opts map[string]any) error {
	if opts == nil {
		return nil
	}
	if v := strAt(opts, "namePrefix"); v != "" {
		k.NamePrefix = v
	}
	if v := strAt(opts, "nameSuffix"); v != "" {
		k.NameSuffix = v
	}
	if v := strAt(opts, "namespace"); v != "" {
		k.Namespace = v
	}
	if labels := stringMap(mapAt(opts, "commonLabels")); len(labels) > 0 {
		// commonLabels, written as its non-deprecated equivalent.
		k.Labels = append(k.Labels, kustypes.Label{Pairs: labels, IncludeSelectors: true})
	}
	if ann := stringMap(mapAt(opts, "commonAnnotations")); len(ann) > 0 {
		if k.CommonAnnotations == nil {
			k.CommonAnnotations = map[string]string{}
		}
		for key, v := range ann {
			k.CommonAnnotations[key] = v
		}
	}
	for _, img := range sliceAt(opts, "images") {
		s, _ := img.(string)
		setImage(k, s)
	}
	for _, r := range maps(sliceAt(opts, "replicas")) {
		name, _ := r["name"].(string)
		var count int64
		switch c := r["count"].(type) {
		case int64:
			count = c
		case float64:
			count = int64(c)
		case string:
			_, _ = fmt.Sscanf(c, "%d", &count)
		}
		k.Replicas = append(k.Replicas, kustypes.Replica{Name: name, Count: count})
	}
	for _, c := range sliceAt(opts, "components") {
		if s, ok := c.(string); ok {
			k.Components = append(k.Components, s)
		}
	}
	for _, p := range maps(sliceAt(opts, "patches")) {
		raw, err := yaml.Marshal(p)
		if err != nil {
			return err
		}
		var patch kustypes.Patch
		if err := yaml.Unmarshal(raw, &patch); err != nil {
			return fmt.Errorf("kustomize.patches: %w", err)
		}
		k.Patches = append(k.Patches, patch)
	}
	return nil
}

// setImage applies one `kustomize edit set image` argument: name=newName:tag, name:tag,
// name@digest or name=newName@digest.
func setImage(k *kustypes.Kustomization, arg string) {
	name, target, hasTarget := strings.Cut(arg, "=")
	img := kustypes.Image{}
	if !hasTarget {
		target = arg
	}
	ref, digest, hasDigest := strings.Cut(target, "@")
	newName, tag := ref, ""
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		newName, tag = ref[:i], ref[i+1:]
	}
	if !hasTarget {
		name = newName
	} else if newName != name {
		img.NewName = newName
	}
	img.Name, img.NewTag = name, tag
	if hasDigest {
		img.Digest = digest
	}
	for i := range k.Images {
		if k.Images[i].Name == name {
			k.Images[i] = img
			return
		}
	}
	k.Images = append(k.Images, img)
}
