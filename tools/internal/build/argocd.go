package build

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/zavestudios/platform/tools/internal/finding"
	"github.com/zavestudios/platform/tools/internal/manifest"
)

// Argo CD source types, as Application status reports them.
const (
	typeDirectory = "Directory"
	typeKustomize = "Kustomize"
	typeHelm      = "Helm"
)

// buildApplication builds an Argo CD Application's sources the way the repo-server generates
// manifests: a source in this repository is built from the working tree as a directory, a
// kustomization or a Helm chart; a Helm repository chart is rendered from the chart cache; any
// other source is remote. The objects are what Argo CD syncs into the destination namespace.
func (b *Builder) buildApplication(app manifest.Object) {
	name := nsName(app)
	info := Application{Name: name, File: app.Origin.File, Line: app.Origin.Line}
	defer func() { b.res.Applications = append(b.res.Applications, info) }()
	spec := mapAt(app.Object, "spec")
	sources := maps(sliceAt(spec, "sources"))
	if src := mapAt(spec, "source"); src != nil {
		sources = []map[string]any{src}
	}
	if len(sources) == 0 {
		info.Reason = "no source"
		b.report(finding.Error, app.Origin, app.ID(), "application", "spec.source or spec.sources must name a source")
		return
	}
	destNS := strAt(spec, "destination", "namespace")
	// Multi-source Applications name sources with `ref` so Helm values files can read them.
	refs := map[string]string{}
	for _, s := range sources {
		if ref, _ := s["ref"].(string); ref != "" && b.isOwnURL(strAt(s, "repoURL")) {
			refs[ref] = b.opts.Root
		}
	}
	var all []manifest.Object
	var reasons []string
	for _, s := range sources {
		if strAt(s, "path") == "" && strAt(s, "chart") == "" && strAt(s, "ref") != "" {
			continue // only provides values files
		}
		info.RepoURL, info.Path = strAt(s, "repoURL"), strAt(s, "path")
		objs, typ, err := b.buildAppSource(app, s, refs, destNS)
		info.Type = typ
		if err != nil {
			reasons = append(reasons, err.Error())
			continue
		}
		all = append(all, objs...)
	}
	if len(reasons) > 0 {
		info.Reason = strings.Join(reasons, "; ")
	}
	for i := range all {
		o := &all[i]
		o.Origin.Engine, o.Origin.Application = "argocd", name
		if o.Origin.File == "" {
			o.Origin.File, o.Origin.Line = app.Origin.File, app.Origin.Line
		}
		b.defaultNamespace(o, destNS)
		maskSOPS(o)
	}
	info.Objects, info.Built = len(all), len(reasons) == 0
	b.addObjects(all)
}

// buildAppSource builds one source; an error is also reported as a finding (or, for a remote
// source, as a remote-source note).
func (b *Builder) buildAppSource(app manifest.Object, s map[string]any, refs map[string]string, destNS string) ([]manifest.Object, string, error) {
	repoURL, chart := strAt(s, "repoURL"), strAt(s, "chart")
	switch {
	case b.isOwnURL(repoURL):
		dir := securePath(b.opts.Root, strAt(s, "path"))
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			err := fmt.Errorf("path %s not found in this repository", strAt(s, "path"))
			b.report(finding.Error, app.Origin, app.ID(), "application", "%v", err)
			return nil, "", err
		}
		typ, err := appType(s, dir)
		if err == nil {
			var objs []manifest.Object
			switch typ {
			case typeDirectory:
				objs, err = b.argoDirectory(dir, mapAt(s, "directory"))
			case typeKustomize:
				objs, err = b.argoKustomize(app, dir, mapAt(s, "kustomize"))
			case typeHelm:
				objs, err = b.argoHelmDir(app, dir, mapAt(s, "helm"), refs, destNS)
			}
			if err == nil {
				return objs, typ, nil
			}
		}
		at, msg := locate(err, app.Origin)
		b.report(finding.Error, at, app.ID(), "application", "%s", msg)
		return nil, typ, err
	case chart != "":
		objs, err := b.argoHelmRepo(app, s, refs, destNS)
		return objs, typeHelm, err
	}
	src := &source{ref: repoURL}
	b.noteRemote(src, "application "+nsName(app), app.Origin, app.ID())
	return nil, "", fmt.Errorf("remote source %s", repoURL)
}

// appType chooses the source type as Argo CD does: an explicit helm, kustomize, directory or
// plugin block, else a kustomization file, else Chart.yaml, else a directory of manifests.
func appType(s map[string]any, dir string) (string, error) {
	var explicit []string
	for field, typ := range map[string]string{"helm": typeHelm, "kustomize": typeKustomize, "directory": typeDirectory, "plugin": "Plugin"} {
		if _, ok := s[field].(map[string]any); ok {
			explicit = append(explicit, typ)
		}
	}
	switch {
	case len(explicit) > 1:
		return "", fmt.Errorf("multiple application sources defined: %s", strings.Join(explicit, ", "))
	case len(explicit) == 1 && explicit[0] == "Plugin":
		return "Plugin", fmt.Errorf("config management plugins cannot run offline")
	case len(explicit) == 1:
		return explicit[0], nil
	case hasKustomization(dir):
		return typeKustomize, nil
	}
	if _, err := os.Stat(filepath.Join(dir, "Chart.yaml")); err == nil {
		return typeHelm, nil
	}
	return typeDirectory, nil
}
