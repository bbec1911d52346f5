// Package manifest holds the Kubernetes object as every stage after render sees it: the decoded
// object plus where it came from, so a finding about it can point at its source.
package manifest

import (
	"cmp"
	"strings"
)

// Origin records which controller applies an object and which source produced it.
type Origin struct {
	// File and Line locate the YAML document (repo-relative) the object was read from; for an
	// object rendered from CUE the render stage maps it further to the CUE position.
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	// Engine is "flux" or "argocd": the GitOps engine that applies the object.
	Engine string `json:"engine,omitempty"`
	// Kustomization is the namespace/name of the Flux Kustomization that applies the object.
	Kustomization string `json:"kustomization,omitempty"`
	// HelmRelease is the namespace/name of the HelmRelease whose chart produced the object.
	HelmRelease string `json:"helmRelease,omitempty"`
	// Application is the namespace/name of the Argo CD Application that syncs the object.
	Application string `json:"application,omitempty"`
	// Template is the chart template (Helm `# Source:`) that produced the object.
	Template string `json:"template,omitempty"`
}

// Object is one Kubernetes object with its origin.
type Object struct {
	Object map[string]any `json:"object"`
	Origin Origin         `json:"origin"`
}

// APIVersion, Kind, Namespace and Name read the identifying fields.
func (o Object) APIVersion() string { return str(o.Object, "apiVersion") }
func (o Object) Kind() string       { return str(o.Object, "kind") }
func (o Object) Namespace() string  { return str(meta(o.Object), "namespace") }
func (o Object) Name() string       { return str(meta(o.Object), "name") }

// Group is the API group, empty for the core group.
func (o Object) Group() string {
	g, _, found := strings.Cut(o.APIVersion(), "/")
	if !found {
		return ""
	}
	return g
}

// ID is apiVersion/Kind/namespace/name (namespace left out for cluster-scoped objects), the form
// findings and diffs use: apps/v1/Deployment/web/site.
func (o Object) ID() string {
	parts := []string{o.APIVersion(), o.Kind()}
	if ns := o.Namespace(); ns != "" {
		parts = append(parts, ns)
	}
	return strings.Join(append(parts, o.Name()), "/")
}

// Key identifies an object the way the apiserver does: group, kind, namespace, name (the version
// is left out, so the same object served at two versions is one object).
func (o Object) Key() string {
	return strings.Join([]string{o.Group(), o.Kind(), o.Namespace(), o.Name()}, "/")
}

// Compare orders objects by key and then by origin file, for stable output.
func Compare(a, b Object) int {
	return cmp.Or(cmp.Compare(a.Key(), b.Key()), cmp.Compare(a.Origin.File, b.Origin.File),
		cmp.Compare(a.Origin.Line, b.Origin.Line))
}

func meta(obj map[string]any) map[string]any {
	m, _ := obj["metadata"].(map[string]any)
	return m
}

func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}
