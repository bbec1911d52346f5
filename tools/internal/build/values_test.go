package build

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

// TestValuesFromMergeOrder checks helm-controller's merge: valuesFrom in order (later wins, maps
// merge deeply), targetPath typed as --set types it unless quoted, spec.values last, and the
// chart's defaults under all of them.
func TestValuesFromMergeOrder(t *testing.T) {
	root := writeTree(t, `
-- clusters/t/release.yaml --
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: dump, namespace: apps}
spec:
  chart:
    spec:
      chart: ./chart
      sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}
  valuesFrom:
    - {kind: ConfigMap, name: base}
    - {kind: Secret, name: override, valuesKey: custom.yaml}
    - {kind: ConfigMap, name: paths, valuesKey: count, targetPath: deep.count}
    - {kind: ConfigMap, name: paths, valuesKey: quoted, targetPath: deep.code}
    - {kind: ConfigMap, name: absent, optional: true}
    - {kind: ConfigMap, name: paths, valuesKey: nokey, optional: true}
  values:
    top: from-spec
    nested: {c: spec}
-- clusters/t/values.yaml --
apiVersion: v1
kind: ConfigMap
metadata: {name: base, namespace: apps}
data:
  values.yaml: |
    top: from-base
    nested: {a: base, b: base}
    list: [1, 2]
---
apiVersion: v1
kind: Secret
metadata: {name: override, namespace: apps}
stringData:
  custom.yaml: |
    nested: {b: secret}
    list: [3]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: paths, namespace: apps}
data:
  count: "7"
  quoted: "'007'"
-- chart/Chart.yaml --
apiVersion: v2
name: dump
version: 1.0.0
-- chart/values.yaml --
chartDefault: kept
nested: {a: chart, d: chart}
-- chart/templates/values.yaml --
apiVersion: v1
kind: ConfigMap
metadata:
  name: values
data:
  values.yaml: |
{{ toYaml .Values | indent 4 }}
`)
	res, fs := build(t, Options{Root: root, Path: "clusters/t"})
	if len(fs) != 0 {
		t.Fatalf("findings: %v", messages(fs))
	}
	var got map[string]any
	data := object(t, res, "ConfigMap", "values").Object["data"].(map[string]any)["values.yaml"].(string)
	if err := yaml.Unmarshal([]byte(data), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"chartDefault": "kept",
		"top":          "from-spec",
		"nested":       map[string]any{"a": "base", "b": "secret", "c": "spec", "d": "chart"},
		"list":         []any{float64(3)},
		"deep":         map[string]any{"count": float64(7), "code": "007"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
	o := object(t, res, "ConfigMap", "values")
	if o.Namespace() != "apps" || o.Origin.HelmRelease != "apps/dump" || o.Origin.Template != "dump/templates/values.yaml" {
		t.Errorf("object %s origin %+v", o.ID(), o.Origin)
	}
}

// TestValuesFromMissing checks that a missing required reference is an error and the release is
// still rendered without it.
func TestValuesFromMissing(t *testing.T) {
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
  valuesFrom:
    - {kind: Secret, name: gone}
-- chart/Chart.yaml --
apiVersion: v2
name: r
version: 1.0.0
-- chart/templates/cm.yaml --
apiVersion: v1
kind: ConfigMap
metadata: {name: rendered}
`)
	res, fs := build(t, Options{Root: root, Path: "clusters/t"})
	want := []string{"clusters/t/release.yaml:1: build: helm.toolkit.fluxcd.io/v2/HelmRelease/apps/r: [values-from] valuesFrom Secret/gone key values.yaml: not found in namespace apps"}
	if diff := cmp.Diff(want, messages(fs)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	object(t, res, "ConfigMap", "rendered")
}
