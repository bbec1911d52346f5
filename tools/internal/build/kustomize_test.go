package build

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestKustomizationTransforms checks the Flux Kustomization fields fluxcd/pkg/kustomize's
// generator applies on top of the path's own kustomization: components, namePrefix, images,
// targetNamespace; and that Flux builds without load restrictions while Argo CD's kustomize
// keeps files under their kustomization's root.
func TestKustomizationTransforms(t *testing.T) {
	root := writeTree(t, `
-- clusters/t/ks.yaml --
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: app, namespace: flux-system}
spec:
  path: ./deploy/app
  sourceRef: {kind: GitRepository, name: flux-system}
  targetNamespace: team
  namePrefix: t-
  components: [../../components/sidecar, ../../components/absent]
  ignoreMissingComponents: true
  images:
    - {name: app, newName: registry.local/app, newTag: "2.0"}
-- clusters/t/argo.yaml --
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: same, namespace: argocd}
spec:
  destination: {namespace: argo}
  source: {repoURL: https://git.example.com/repo, path: deploy/app}
-- deploy/app/kustomization.yaml --
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../shared/cm.yaml
  - deployment.yaml
-- deploy/app/deployment.yaml --
apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      containers: [{name: app, image: "app:1.0"}]
-- deploy/shared/cm.yaml --
apiVersion: v1
kind: ConfigMap
metadata: {name: shared}
-- components/sidecar/kustomization.yaml --
apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
patches:
  - target: {kind: Deployment}
    patch: |
      - op: add
        path: /spec/template/metadata/labels/sidecar
        value: "true"
`)
	res, fs := build(t, Options{Root: root, Path: "clusters/t", RepoURLs: []string{"https://git.example.com/repo.git"}})
	want := []string{"clusters/t/argo.yaml:1: build: argoproj.io/v1alpha1/Application/argocd/same: [application] kustomize build failed: accumulating resources: "}
	got := messages(fs)
	if len(got) != 1 || !strings.HasPrefix(got[0], want[0]) || !strings.Contains(got[0], "is not in or below") {
		t.Errorf("findings = %q, want one starting %q about the load restriction", got, want[0])
	}
	d := object(t, res, "Deployment", "t-app")
	if d.Namespace() != "team" || d.Origin.File != "deploy/app/deployment.yaml" {
		t.Errorf("%s from %s", d.ID(), d.Origin.File)
	}
	tmpl := d.Object["spec"].(map[string]any)["template"].(map[string]any)
	if diff := cmp.Diff(map[string]any{"app": "app", "sidecar": "true"}, tmpl["metadata"].(map[string]any)["labels"]); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
	image := tmpl["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)["image"]
	if image != "registry.local/app:2.0" {
		t.Errorf("image = %v", image)
	}
	if cm := object(t, res, "ConfigMap", "t-shared"); cm.Origin.File != "deploy/shared/cm.yaml" {
		t.Errorf("shared ConfigMap from %s", cm.Origin.File)
	}
}

// TestValuesFiles checks spec.chart.spec.valuesFiles: the listed files, relative to a Git
// source, replace the chart's values.yaml.
func TestValuesFiles(t *testing.T) {
	root := writeTree(t, `
-- clusters/t/release.yaml --
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: r, namespace: apps}
spec:
  chart:
    spec:
      chart: ./chart
      sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}
      valuesFiles: [chart/values.yaml, env/prod.yaml, env/absent.yaml]
      ignoreMissingValuesFiles: true
-- chart/Chart.yaml --
apiVersion: v2
name: r
version: 1.0.0
-- chart/values.yaml --
size: small
color: red
-- env/prod.yaml --
size: large
-- chart/templates/cm.yaml --
apiVersion: v1
kind: ConfigMap
metadata: {name: r}
data: {size: "{{ .Values.size }}", color: "{{ .Values.color }}"}
`)
	res, fs := build(t, Options{Root: root, Path: "clusters/t"})
	if len(fs) != 0 {
		t.Fatalf("findings: %v", messages(fs))
	}
	if diff := cmp.Diff(map[string]any{"size": "large", "color": "red"}, object(t, res, "ConfigMap", "r").Object["data"]); diff != "" {
		t.Errorf("data (-want +got):\n%s", diff)
	}
}
