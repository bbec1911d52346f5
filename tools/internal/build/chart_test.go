package build

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
)

// saveChart packages a one-template chart into dir as <name>-<version>.tgz.
func saveChart(t *testing.T, dir, name, version, template string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ch := &chart.Chart{
		Metadata:  &chart.Metadata{APIVersion: "v2", Name: name, Version: version},
		Templates: []*chart.File{{Name: "templates/t.yaml", Data: []byte(template)}},
	}
	if _, err := chartutil.Save(ch, dir); err != nil {
		t.Fatal(err)
	}
}

// TestChartSources checks every way a HelmRelease names its chart: a HelmRepository chart with a
// semver range (the highest cached version that matches), an OCIRepository chartRef, a
// HelmChart chartRef, and an ExternalArtifact composed by an ArtifactGenerator.
func TestChartSources(t *testing.T) {
	root := writeTree(t, `
-- clusters/t/sources.yaml --
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: charts, namespace: apps}
spec: {url: https://charts.example.com/stable}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {name: podinfo, namespace: apps}
spec:
  url: oci://ghcr.io/example/charts/podinfo
  ref: {semver: ">=6.0.0"}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmChart
metadata: {name: via-helmchart, namespace: apps}
spec:
  chart: tool
  version: 0.1.0
  sourceRef: {kind: HelmRepository, name: charts}
---
apiVersion: source.extensions.fluxcd.io/v1beta1
kind: ArtifactGenerator
metadata: {name: composer, namespace: apps}
spec:
  sources:
    - {alias: repo, kind: GitRepository, name: flux-system, namespace: flux-system}
  artifacts:
    - name: composed
      copy:
        - {from: "@repo/charts/base/**", to: "@artifact/"}
        - {from: "@repo/charts/prod-values.yaml", to: "@artifact/values.yaml"}
-- clusters/t/releases.yaml --
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: ranged, namespace: apps}
spec:
  chart:
    spec:
      chart: tool
      version: "1.x"
      sourceRef: {kind: HelmRepository, name: charts}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: oci, namespace: apps}
spec:
  chartRef: {kind: OCIRepository, name: podinfo}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: helmchart, namespace: apps}
spec:
  chartRef: {kind: HelmChart, name: via-helmchart}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: composed, namespace: apps}
spec:
  chartRef: {kind: ExternalArtifact, name: composed}
-- charts/base/Chart.yaml --
apiVersion: v2
name: base
version: 3.0.0
-- charts/base/values.yaml --
flavour: vanilla
-- charts/base/templates/cm.yaml --
apiVersion: v1
kind: ConfigMap
metadata: {name: composed}
data: {flavour: "{{ .Values.flavour }}"}
-- charts/prod-values.yaml --
flavour: prod
`)
	cache := filepath.Join(root, "cache")
	tool := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: \"tool-{{ .Chart.Version }}-{{ .Release.Name }}\"}\n"
	for _, v := range []string{"0.1.0", "1.2.0", "1.10.0", "2.0.0"} {
		saveChart(t, filepath.Join(cache, "charts.example.com/stable"), "tool", v, tool)
	}
	saveChart(t, filepath.Join(cache, "podinfo", "podinfo"), "podinfo", "6.5.0", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: podinfo-{{ .Chart.Version }}}\n")
	if err := os.Rename(filepath.Join(cache, "podinfo", "podinfo", "podinfo-6.5.0.tgz"), filepath.Join(cache, "podinfo", "podinfo", "6.5.0.tgz")); err != nil {
		t.Fatal(err)
	}
	res, fs := build(t, Options{Root: root, Path: "clusters/t", ChartCache: cache})
	if len(fs) != 0 {
		t.Fatalf("findings: %v", messages(fs))
	}
	object(t, res, "ConfigMap", "tool-1.10.0-ranged")
	object(t, res, "ConfigMap", "tool-0.1.0-helmchart")
	object(t, res, "ConfigMap", "podinfo-6.5.0")
	if got := object(t, res, "ConfigMap", "composed").Object["data"]; !cmp.Equal(got, map[string]any{"flavour": "prod"}) {
		t.Errorf("composed chart data = %v", got)
	}
	var versions []string
	for _, h := range res.HelmReleases {
		versions = append(versions, h.Name+"@"+h.Version)
	}
	want := []string{"apps/composed@3.0.0", "apps/helmchart@0.1.0", "apps/oci@6.5.0", "apps/ranged@1.10.0"}
	if diff := cmp.Diff(want, versions); diff != "" {
		t.Errorf("versions (-want +got):\n%s", diff)
	}
}

// TestRenderOptions checks CRD handling, capabilities from CRDs in the tree, post-renderers and
// helm-controller's labels.
func TestRenderOptions(t *testing.T) {
	root := writeTree(t, `
-- clusters/t/crd.yaml --
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: monitors.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Monitor, plural: monitors}
  versions: [{name: v1, served: true, storage: true}]
-- clusters/t/release.yaml --
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: app, namespace: flux-system}
spec:
  targetNamespace: apps
  install: {crds: Skip}
  chart:
    spec:
      chart: ./chart
      sourceRef: {kind: GitRepository, name: flux-system}
  postRenderers:
    - kustomize:
        patches:
          - target: {kind: ConfigMap, name: plain}
            patch: |
              - op: add
                path: /data/patched
                value: "yes"
-- chart/Chart.yaml --
apiVersion: v2
name: app
version: 1.0.0
-- chart/crds/crd.yaml --
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: skipped.example.com}
spec:
  group: example.com
  names: {kind: Skipped, plural: skipped}
  scope: Namespaced
  versions: [{name: v1, served: true, storage: true}]
-- chart/templates/objs.yaml --
apiVersion: v1
kind: ConfigMap
metadata: {name: plain}
data: {release: "{{ .Release.Name }}"}
{{- if .Capabilities.APIVersions.Has "example.com/v1/Monitor" }}
---
apiVersion: example.com/v1
kind: Monitor
metadata: {name: gated}
{{- end }}
`)
	res, fs := build(t, Options{Root: root, Path: "clusters/t"})
	if len(fs) != 0 {
		t.Fatalf("findings: %v", messages(fs))
	}
	cm := object(t, res, "ConfigMap", "plain")
	wantData := map[string]any{"release": "apps-app", "patched": "yes"}
	if diff := cmp.Diff(wantData, cm.Object["data"]); diff != "" {
		t.Errorf("data (-want +got):\n%s", diff)
	}
	if cm.Namespace() != "apps" {
		t.Errorf("namespace %q, want the target namespace", cm.Namespace())
	}
	labels := cm.Object["metadata"].(map[string]any)["labels"]
	if diff := cmp.Diff(map[string]any{"helm.toolkit.fluxcd.io/name": "app", "helm.toolkit.fluxcd.io/namespace": "flux-system"}, labels); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
	if m := object(t, res, "Monitor", "gated"); m.Namespace() != "apps" {
		t.Errorf("Monitor namespace %q: the CRD in the tree says it is namespaced", m.Namespace())
	}
	for _, o := range res.Objects {
		if o.Name() == "skipped.example.com" {
			t.Error("install.crds: Skip rendered the chart's CRDs")
		}
	}
}
