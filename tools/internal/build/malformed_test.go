package build

import (
	"strings"
	"testing"
)

// TestMalformedInput feeds fields of the wrong type everywhere build reads one: every problem is
// a finding with a file, none is a panic or an operational error.
func TestMalformedInput(t *testing.T) {
	root := writeTree(t, `
-- clusters/t/ks.yaml --
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: list-spec, namespace: flux-system}
spec: [a, b]
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: bad-fields, namespace: flux-system}
spec:
  path: ./deploy
  sourceRef: {kind: GitRepository, name: flux-system}
  dependsOn: flux-system
  patches: "not a list"
  postBuild:
    substitute: [x]
    substituteFrom: {kind: ConfigMap}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: string-ref, namespace: flux-system}
spec:
  path: 42
  sourceRef: flux-system
  dependsOn: [3, {name: 4}]
-- clusters/t/hr.yaml --
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: bad, namespace: apps}
spec:
  chart: ./chart
  values: [1, 2]
  valuesFrom: [x, {kind: ConfigMap}]
  postRenderers: {kustomize: 1}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: worse, namespace: apps}
spec:
  chart:
    spec:
      chart: {name: x}
      sourceRef: [GitRepository]
      valuesFiles: 7
-- clusters/t/app.yaml --
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: bad, namespace: argocd}
spec:
  source: https://git.example.com/repo
  sources: [a, 1]
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: worse, namespace: argocd}
spec:
  destination: [x]
  source:
    repoURL: https://git.example.com/repo
    path: deploy
    helm: {valueFiles: 3, parameters: x}
    kustomize: {images: 1}
-- clusters/t/gen.yaml --
apiVersion: source.extensions.fluxcd.io/v1beta1
kind: ArtifactGenerator
metadata: {name: g, namespace: flux-system}
spec:
  sources: x
  artifacts: [{name: a, copy: [{from: 1, to: []}]}]
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: from-artifact, namespace: flux-system}
spec:
  path: ./
  sourceRef: {kind: ExternalArtifact, name: a}
-- deploy/cm.yaml --
apiVersion: v1
kind: ConfigMap
metadata: {name: cm}
`)
	res, fs := build(t, Options{Root: root, Path: "clusters/t", RepoURLs: []string{"https://git.example.com/repo"}})
	if len(fs) == 0 {
		t.Fatal("no findings for malformed input")
	}
	for _, f := range fs {
		if f.File == "" {
			t.Errorf("finding without a file: %s", f)
		}
		if strings.Contains(f.Message, "panic") {
			t.Errorf("panic reported: %s", f)
		}
	}
	if len(res.Objects) == 0 {
		t.Error("the entry's objects are missing")
	}
	t.Log(strings.Join(messages(fs), "\n"))
}
