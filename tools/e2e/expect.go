package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// Object is one object a GitOps engine applies, as `platctl build -o json` predicts it.
type Object struct {
	Object map[string]any `json:"object"`
	Origin Origin         `json:"origin"`
}

// Origin is platctl build's origin: which engine applies the object, for which Kustomization,
// HelmRelease or Application, from which file.
type Origin struct {
	File          string `json:"file,omitempty"`
	Line          int    `json:"line,omitempty"`
	Engine        string `json:"engine,omitempty"`
	Kustomization string `json:"kustomization,omitempty"`
	HelmRelease   string `json:"helmRelease,omitempty"`
	Application   string `json:"application,omitempty"`
}

// Prediction is what the tree applies.
type Prediction struct {
	Objects []Object `json:"objects"`
	// By says how it was computed: "platctl build" or the suite's own kustomize fallback.
	By string `json:"-"`
}

func (o Object) str(path ...string) string {
	v, _ := nested(o.Object, path...).(string)
	return v
}

// APIVersion, Kind, Namespace and Name read the object's identity.
func (o Object) APIVersion() string { return o.str("apiVersion") }
func (o Object) Kind() string       { return o.str("kind") }
func (o Object) Namespace() string  { return o.str("metadata", "namespace") }
func (o Object) Name() string       { return o.str("metadata", "name") }

// Group is the API group ("" for core).
func (o Object) Group() string {
	g, _, ok := strings.Cut(o.APIVersion(), "/")
	if !ok {
		return ""
	}
	return g
}

// Key identifies the object in the apiserver: group/Kind/namespace/name.
func (o Object) Key() string {
	return strings.Join([]string{o.Group(), o.Kind(), o.Namespace(), o.Name()}, "/")
}

// ID is apiVersion/Kind/[namespace/]name, the form platctl's findings use.
func (o Object) ID() string {
	parts := []string{o.APIVersion(), o.Kind()}
	if ns := o.Namespace(); ns != "" {
		parts = append(parts, ns)
	}
	return strings.Join(append(parts, o.Name()), "/")
}

// InventoryID is the form of Flux's Kustomization .status.inventory: ns_name_group_Kind.
func (o Object) InventoryID() string {
	return strings.Join([]string{o.Namespace(), o.Name(), o.Group(), o.Kind()}, "_")
}

// Where names the file the object came from.
func (o Object) Where() string {
	if o.Origin.File == "" {
		return "?"
	}
	if o.Origin.Line > 0 {
		return fmt.Sprintf("%s:%d", o.Origin.File, o.Origin.Line)
	}
	return o.Origin.File
}

// Encrypted reports a SOPS-encrypted manifest (it carries the sops metadata block).
func (o Object) Encrypted() bool { _, ok := o.Object["sops"]; return ok }

// Flux returns the objects kustomize-controller applies (not those helm-controller renders), by
// Kustomization namespace/name.
func (p *Prediction) Flux() map[string][]Object {
	m := map[string][]Object{}
	for _, o := range p.Objects {
		if o.Origin.Engine == "flux" && o.Origin.HelmRelease == "" && o.Origin.Kustomization != "" {
			m[o.Origin.Kustomization] = append(m[o.Origin.Kustomization], o)
		}
	}
	return m
}

// Engine returns the objects one engine applies.
func (p *Prediction) Engine(engine string) []Object {
	var out []Object
	for _, o := range p.Objects {
		if o.Origin.Engine == engine {
			out = append(out, o)
		}
	}
	return out
}

// Kustomizations lists the Flux Kustomizations (namespace/name) the tree applies.
func (p *Prediction) Kustomizations() []string {
	var ks []string
	for _, o := range p.Objects {
		if o.Origin.Engine == "flux" && o.Group() == "kustomize.toolkit.fluxcd.io" && o.Kind() == "Kustomization" {
			ks = append(ks, o.Namespace()+"/"+o.Name())
		}
	}
	slices.Sort(ks)
	return slices.Compact(ks)
}

// Predict runs `platctl --repo repo build env -o json --repo-url <repoURL>`: repoURL is the
// repository's own URL, which Argo CD Applications use, now that the sync points at the local
// server. Only if platctl has no build command yet does it fall back to predictKustomize;
// Prediction.By says which it used.
func Predict(ctx context.Context, platctl, repo, env, repoURL string) (*Prediction, error) {
	cmd := exec.CommandContext(ctx, platctl, "--repo", repo, "build", env, "-o", "json", "--repo-url", repoURL)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil && strings.Contains(stderr.String(), `unknown command "build"`) {
		return predictKustomize(repo, env)
	}
	// exit 1 means findings: the objects are still the prediction.
	if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() != 1) {
		return nil, fmt.Errorf("platctl build %s: %w\n%s", env, err, stderr.String())
	}
	p := &Prediction{By: "platctl build " + env + " -o json"}
	// a list of objects, or a result object holding them under "objects".
	var target any = p
	if b := bytes.TrimSpace(stdout.Bytes()); len(b) > 0 && b[0] == '[' {
		target = &p.Objects
	}
	if err := json.Unmarshal(stdout.Bytes(), target); err != nil {
		head := stdout.String()
		if len(head) > 300 {
			head = head[:300] + "…"
		}
		return nil, fmt.Errorf("platctl build %s -o json: decode: %w (output starts %q)", env, err, head)
	}
	if len(p.Objects) == 0 {
		return nil, fmt.Errorf("platctl build %s -o json: no objects\n%s", env, stderr.String())
	}
	return p, nil
}

// predictKustomize is the fallback until platctl build exists: it follows the tree the way the
// controllers do, with kustomize (every folder has an explicit kustomization.yaml), from the
// bootstrap Kustomization in clusters/<env>/flux-system: each Flux Kustomization of the
// flux-system GitRepository builds its spec.path, each Argo CD Application its spec.source.path.
// It does not render Helm charts.
func predictKustomize(repo, env string) (*Prediction, error) {
	build := func(dir string) ([]map[string]any, error) { return KustomizeBuild(repo, dir) }
	sync, err := build(path.Join("clusters", env, "flux-system"))
	if err != nil {
		return nil, err
	}
	type unit struct{ engine, owner, dir string }
	var queue []unit
	for _, o := range sync {
		obj := Object{Object: o}
		if obj.Kind() == "Kustomization" && obj.Group() == "kustomize.toolkit.fluxcd.io" {
			queue = append(queue, unit{"flux", obj.Namespace() + "/" + obj.Name(), cleanPath(obj.str("spec", "path"))})
		}
	}
	if len(queue) == 0 {
		return nil, fmt.Errorf("clusters/%s/flux-system: no Flux Kustomization", env)
	}
	p := &Prediction{By: "kustomize fallback (platctl build does not exist yet)"}
	seen := map[unit]bool{}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		if seen[u] {
			continue
		}
		seen[u] = true
		objs, err := build(u.dir)
		if err != nil {
			return nil, err
		}
		for _, m := range objs {
			o := Object{Object: m, Origin: Origin{Engine: u.engine, File: u.dir}}
			if u.engine == "flux" {
				o.Origin.Kustomization = u.owner
			} else {
				o.Origin.Application = u.owner
			}
			p.Objects = append(p.Objects, o)
			switch {
			case o.Group() == "kustomize.toolkit.fluxcd.io" && o.Kind() == "Kustomization" &&
				o.str("spec", "sourceRef", "kind") == "GitRepository" && o.str("spec", "sourceRef", "name") == "flux-system":
				queue = append(queue, unit{"flux", o.Namespace() + "/" + o.Name(), cleanPath(o.str("spec", "path"))})
			case o.Group() == "argoproj.io" && o.Kind() == "Application" && o.str("spec", "source", "path") != "":
				queue = append(queue, unit{"argocd", o.Namespace() + "/" + o.Name(), cleanPath(o.str("spec", "source", "path"))})
			}
		}
	}
	return p, nil
}

// KustomizeBuild is `kustomize build <repo>/<dir>`, with kustomize's defaults as Flux uses them
// for a folder that has a kustomization.yaml.
func KustomizeBuild(repo, dir string) ([]map[string]any, error) {
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	rm, err := k.Run(filesys.MakeFsOnDisk(), filepath.Join(repo, filepath.FromSlash(dir)))
	if err != nil {
		return nil, fmt.Errorf("kustomize build %s: %w", dir, err)
	}
	var out []map[string]any
	for _, r := range rm.Resources() {
		m, err := r.Map()
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

func cleanPath(p string) string { return strings.TrimPrefix(path.Clean("/"+p), "/") }

// nested reads a value at a path of map keys.
func nested(m map[string]any, keys ...string) any {
	var v any = m
	for _, k := range keys {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[k]
	}
	return v
}

// DiffKeys compares two sets of objects by key: what only a has, only b has, and what both have
// with different content.
func DiffKeys(a, b []Object) (onlyA, onlyB, changed []Object) {
	ma, mb := map[string]Object{}, map[string]Object{}
	for _, o := range a {
		ma[o.Key()] = o
	}
	for _, o := range b {
		mb[o.Key()] = o
	}
	for k, o := range ma {
		if _, ok := mb[k]; !ok {
			onlyA = append(onlyA, o)
		}
	}
	for k, o := range mb {
		old, ok := ma[k]
		if !ok {
			onlyB = append(onlyB, o)
			continue
		}
		if !o.Encrypted() && !jsonEqual(old.Object, o.Object) {
			changed = append(changed, o)
		}
	}
	for _, s := range [][]Object{onlyA, onlyB, changed} {
		slices.SortFunc(s, func(x, y Object) int { return strings.Compare(x.Key(), y.Key()) })
	}
	return onlyA, onlyB, changed
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}
