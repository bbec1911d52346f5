package build

import (
	"context"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/zavestudios/platform/tools/internal/finding"
	"github.com/zavestudios/platform/tools/internal/manifest"
)

// buildEntry builds the entry directory. In a bootstrapped cluster it is the output of the
// Kustomization flux bootstrap writes (flux-system/flux-system, path ./clusters/<env>), so it is
// built once, as that Kustomization, and the GitRepository it syncs is this working tree.
func (b *Builder) buildEntry(ctx context.Context, entry string) error {
	root := &source{ref: "working tree", dir: b.opts.Root}
	at := manifest.Origin{File: b.rel(entry)}
	plain := map[string]any{
		"apiVersion": kustomizeGroup + "/v1", "kind": "Kustomization",
		"metadata": map[string]any{"name": "entry", "namespace": "flux-system"},
		"spec":     map[string]any{"path": "./" + filepath.ToSlash(b.opts.Path)},
	}
	run := b.newRun(root, entry, plain)
	run.decoded = b.predictEntry // workers build the Kustomizations it declares meanwhile
	done := b.spec.busy()
	r := b.kustomize(ctx, run)
	done()
	b.reportWarnings(r.warnings, at, manifest.Object{Object: plain}.ID())
	objs, err := r.objs, r.err
	if err != nil {
		where, msg := locate(err, at)
		b.report(finding.Error, where, "", "kustomize-build", "%s", msg)
		return ctx.Err()
	}
	boot, ok := b.findBootstrap(objs)
	info := Kustomization{Name: "(entry)", Source: "working tree", Path: "./" + filepath.ToSlash(b.opts.Path), File: at.File}
	if ok {
		b.bootstrap = nsName(boot)
		info.Name, info.File, info.Line = b.bootstrap, boot.Origin.File, boot.Origin.Line
		info.DependsOn = dependsOn(boot)
		ref := mapAt(boot.Object, "spec", "sourceRef")
		ns, _ := ref["namespace"].(string)
		name, _ := ref["name"].(string)
		b.ownRepos[or(ns, boot.Namespace())+"/"+name] = true
		info.Source = "GitRepository/" + or(ns, boot.Namespace()) + "/" + name
		if transforms(boot.Object) {
			// The bootstrap Kustomization patches its own output: build the entry again with it.
			spec := b.substituteRefs(boot)
			r := b.kustomize(ctx, b.newRun(root, entry, spec))
			b.reportWarnings(r.warnings, boot.Origin, manifest.Object{Object: spec}.ID())
			if objs, err = r.objs, r.err; err != nil {
				where, msg := locate(err, boot.Origin)
				b.report(finding.Error, where, boot.ID(), "kustomize-build", "%s", msg)
				return ctx.Err()
			}
		}
		b.checkDecryption(boot.Object, b.bootstrap, objs)
	}
	for i := range objs {
		objs[i].Origin.Engine = "flux"
		if objs[i].Origin.File == "" {
			objs[i].Origin.File = at.File
		}
		if ok {
			b.fluxMetadata(&objs[i], boot)
		}
		maskSOPS(&objs[i])
	}
	info.Objects, info.Built = len(objs), true
	b.res.Kustomizations = append(b.res.Kustomizations, info)
	b.addObjects(objs)
	return nil
}

// findBootstrap finds the Kustomization whose path is the entry directory in the repository's
// own GitRepository.
func (b *Builder) findBootstrap(objs []manifest.Object) (manifest.Object, bool) {
	want := path.Clean(filepath.ToSlash(b.opts.Path))
	for _, o := range objs {
		if !isKustomization(o) || strAt(o.Object, "spec", "sourceRef", "kind") != "GitRepository" {
			continue
		}
		if path.Clean(strings.TrimPrefix(strAt(o.Object, "spec", "path"), "/")) == want {
			return o, true
		}
	}
	return manifest.Object{}, false
}

// transforms reports whether a Kustomization changes what its path builds to.
func transforms(ks map[string]any) bool {
	spec := mapAt(ks, "spec")
	for _, f := range []string{"targetNamespace", "namePrefix", "nameSuffix", "patches", "patchesStrategicMerge",
		"patchesJson6902", "images", "components", "postBuild", "commonMetadata"} {
		if _, ok := spec[f]; ok {
			return true
		}
	}
	return false
}

// buildKustomization builds one Flux Kustomization: resolves its source, builds its path with
// its transformations and post-build substitution, and stores what it applies.
func (b *Builder) buildKustomization(ctx context.Context, ks manifest.Object, j *job) {
	name := nsName(ks)
	ref := mapAt(ks.Object, "spec", "sourceRef")
	kind, _ := ref["kind"].(string)
	sname, _ := ref["name"].(string)
	sns, _ := ref["namespace"].(string)
	info := Kustomization{
		Name: name, Source: kind + "/" + or(sns, ks.Namespace()) + "/" + sname,
		Path: or(strAt(ks.Object, "spec", "path"), "./"), File: ks.Origin.File, Line: ks.Origin.Line,
		DependsOn: dependsOn(ks),
	}
	defer func() { b.res.Kustomizations = append(b.res.Kustomizations, info) }()
	if boolAt(ks.Object, "spec", "suspend") {
		b.report(finding.Info, ks.Origin, ks.ID(), "suspended", "suspended: Flux does not reconcile it; built anyway")
	}
	src := b.resolveSource(kind, or(sns, ks.Namespace()), sname)
	switch {
	case src.missing != "":
		info.Reason = src.missing
		b.report(finding.Error, ks.Origin, ks.ID(), "source", "sourceRef: %s", src.missing)
		return
	case src.remote:
		info.Reason = "remote source " + src.ref
		b.noteRemote(src, "kustomization "+name, ks.Origin, ks.ID())
		return
	}
	dir := securePath(src.dir, info.Path)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		info.Reason = "path not found"
		b.report(finding.Error, ks.Origin, ks.ID(), "path", "kustomization path not found: %s", info.Path)
		return
	}
	spec := b.substituteRefs(ks)
	r := b.collect(ctx, j, b.newRun(src, dir, spec))
	b.reportWarnings(r.warnings, ks.Origin, manifest.Object{Object: spec}.ID())
	objs, err := r.objs, r.err
	if err != nil {
		info.Reason = "build failed"
		where, msg := locate(err, ks.Origin)
		b.report(finding.Error, where, ks.ID(), "kustomize-build", "%s", msg)
		return
	}
	b.checkDecryption(ks.Object, name, objs)
	for i := range objs {
		if objs[i].Origin.File == "" {
			objs[i].Origin.File, objs[i].Origin.Line = ks.Origin.File, ks.Origin.Line
		}
		objs[i].Origin.Engine = "flux"
		b.fluxMetadata(&objs[i], ks)
		maskSOPS(&objs[i])
	}
	info.Objects, info.Built = len(objs), true
	b.addObjects(objs)
}

// fluxMetadata adds what kustomize-controller adds when it applies an object: the
// Kustomization's spec.commonMetadata and its ownership labels.
func (b *Builder) fluxMetadata(o *manifest.Object, ks manifest.Object) {
	o.Origin.Kustomization = nsName(ks)
	setLabels(o.Object, stringMap(mapAt(ks.Object, "spec", "commonMetadata", "labels")))
	setMeta(o.Object, "annotations", stringMap(mapAt(ks.Object, "spec", "commonMetadata", "annotations")))
	setLabels(o.Object, map[string]string{
		kustomizeGroup + "/name":      ks.Name(),
		kustomizeGroup + "/namespace": ks.Namespace(),
	})
}

// securePath joins a path inside a source root the way Flux's securejoin does: `..` cannot
// climb above the root.
func securePath(root, p string) string {
	return filepath.Join(root, filepath.FromSlash(path.Join("/", filepath.ToSlash(p))))
}

// dependsOn lists a unit's spec.dependsOn as namespace/name, the namespace defaulting to its own.
func dependsOn(o manifest.Object) []string {
	var out []string
	for _, d := range maps(sliceAt(o.Object, "spec", "dependsOn")) {
		name, _ := d["name"].(string)
		ns, _ := d["namespace"].(string)
		out = append(out, or(ns, o.Namespace())+"/"+name)
	}
	return out
}
