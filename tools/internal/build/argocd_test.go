package build

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestArgoHelmValues checks the order Argo CD gives Helm values: value files (one from another
// source through $ref), then valuesObject (which wins over values), then parameters.
func TestArgoHelmValues(t *testing.T) {
	root := writeTree(t, `
-- clusters/t/app.yaml --
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: multi, namespace: argocd}
spec:
  destination: {namespace: target}
  sources:
    - repoURL: https://git.example.com/platform.git
      ref: values
    - repoURL: https://git.example.com/platform
      path: chart
      helm:
        releaseName: rel
        valueFiles: [values-a.yaml, $values/env/values-b.yaml, missing.yaml]
        ignoreMissingValueFiles: true
        values: |
          fromValues: ignored
        valuesObject:
          fromObject: object
          order: object
        parameters:
          - {name: order, value: parameter}
          - {name: port, value: "8080"}
          - {name: zip, value: "01234", forceString: true}
-- chart/Chart.yaml --
apiVersion: v2
name: dump
version: 1.0.0
-- chart/values-a.yaml --
order: file-a
fromA: a
-- env/values-b.yaml --
order: file-b
-- chart/templates/cm.yaml --
apiVersion: v1
kind: ConfigMap
metadata: {name: "{{ .Release.Name }}"}
data:
  values: {{ toJson .Values | quote }}
`)
	res, fs := build(t, Options{Root: root, Path: "clusters/t", RepoURLs: []string{"git@git.example.com:platform.git"}})
	if len(fs) != 0 {
		t.Fatalf("findings: %v", messages(fs))
	}
	cm := object(t, res, "ConfigMap", "rel")
	want := `{"fromA":"a","fromObject":"object","order":"parameter","port":8080,"zip":"01234"}`
	if got := cm.Object["data"].(map[string]any)["values"]; got != want {
		t.Errorf("values = %v, want %s", got, want)
	}
	if cm.Namespace() != "target" || cm.Origin.Engine != "argocd" || cm.Origin.Application != "argocd/multi" {
		t.Errorf("%s origin %+v", cm.ID(), cm.Origin)
	}
}

// TestArgoDirectory checks a directory source: recurse, include and exclude globs, JSON files.
func TestArgoDirectory(t *testing.T) {
	root := writeTree(t, `
-- clusters/t/app.yaml --
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: dir, namespace: argocd}
spec:
  destination: {namespace: d}
  source:
    repoURL: https://git.example.com/platform
    path: manifests
    directory:
      recurse: true
      include: "{*.yaml,*.json}"
      exclude: "legacy/*"
-- manifests/a.yaml --
apiVersion: v1
kind: ConfigMap
metadata: {name: a}
-- manifests/sub/b.json --
{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}}
-- manifests/legacy/c.yaml --
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
-- manifests/notes.txt --
not a manifest
`)
	res, fs := build(t, Options{Root: root, Path: "clusters/t", RepoURLs: []string{"https://git.example.com/platform"}})
	if len(fs) != 0 {
		t.Fatalf("findings: %v", messages(fs))
	}
	var got []string
	for _, o := range res.Objects {
		if o.Origin.Engine == "argocd" {
			got = append(got, o.Namespace()+"/"+o.Name()+"@"+o.Origin.File)
		}
	}
	want := []string{"d/a@manifests/a.yaml", "d/b@manifests/sub/b.json"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("objects (-want +got):\n%s", diff)
	}
}
