package build

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPostBuildSubstitution checks postBuild against kustomize-controller's semantics, through
// fluxcd/pkg/kustomize with variables read from the tree.
func TestPostBuildSubstitution(t *testing.T) {
	const target = `
-- deploy/cm.yaml --
apiVersion: v1
kind: ConfigMap
metadata:
  name: out
  namespace: default
data:
  plain: ${name}
  defaulted: ${missing:=fallback}
  dashdefault: ${missing:-dash}
  empty: "[${missing}]"
  escaped: $${name}
  multi: ${multi}
`
	tests := []struct {
		name      string
		postBuild string
		vars      string // extra objects in the entry
		want      map[string]any
		wantMsgs  []string
	}{
		{
			name:      "inline substitute",
			postBuild: "substitute: {name: inline, multi: one}",
			want: map[string]any{"plain": "inline", "defaulted": "fallback", "dashdefault": "dash",
				"empty": "[]", "escaped": "${name}", "multi": "one"},
		},
		{
			name:      "inline wins over substituteFrom and later references over earlier",
			postBuild: "substitute: {name: inline}\nsubstituteFrom:\n- {kind: ConfigMap, name: first}\n- {kind: Secret, name: second}",
			vars: `apiVersion: v1
kind: ConfigMap
metadata: {name: first, namespace: flux-system}
data: {name: from-configmap, multi: from-configmap}
---
apiVersion: v1
kind: Secret
metadata: {name: second, namespace: flux-system}
data:
  multi: ` + b64("line1\nline2") + "\n",
			want: map[string]any{"plain": "inline", "defaulted": "fallback", "dashdefault": "dash",
				"empty": "[]", "escaped": "${name}", "multi": "line1line2"},
		},
		{
			name:      "without variables nothing is substituted",
			postBuild: "substitute: {}",
			want: map[string]any{"plain": "${name}", "defaulted": "${missing:=fallback}", "dashdefault": "${missing:-dash}",
				"empty": "[${missing}]", "escaped": "$${name}", "multi": "${multi}"},
		},
		{
			name:      "substituteStrategy Always substitutes defaults without variables",
			postBuild: "substituteStrategy: Always",
			// An empty value leaves `key: ` in the YAML: null, as in the cluster.
			want: map[string]any{"plain": nil, "defaulted": "fallback", "dashdefault": "dash",
				"empty": "[]", "escaped": "${name}", "multi": nil},
		},
		{
			name:      "missing required substituteFrom is an error and built as optional",
			postBuild: "substitute: {name: x}\nsubstituteFrom:\n- {kind: ConfigMap, name: absent}\n- {kind: Secret, name: optional-absent, optional: true}",
			want: map[string]any{"plain": "x", "defaulted": "fallback", "dashdefault": "dash",
				"empty": "[]", "escaped": "${name}", "multi": nil},
			wantMsgs: []string{"clusters/t/ks.yaml:1: build: kustomize.toolkit.fluxcd.io/v1/Kustomization/flux-system/app: [substitute-from] postBuild.substituteFrom ConfigMap/absent not found in namespace flux-system"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			archive := target + `
-- clusters/t/ks.yaml --
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: app, namespace: flux-system}
spec:
  path: ./deploy
  sourceRef: {kind: GitRepository, name: flux-system}
  postBuild:
` + indent(tt.postBuild, 4) + "\n"
			if tt.vars != "" {
				archive += "-- clusters/t/vars.yaml --\n" + tt.vars
			}
			res, fs := build(t, Options{Root: writeTree(t, archive), Path: "clusters/t"})
			if diff := cmp.Diff(tt.wantMsgs, messages(fs)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, object(t, res, "ConfigMap", "out").Object["data"]); diff != "" {
				t.Errorf("data (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSubstitutionOptOut checks the kustomize.toolkit.fluxcd.io/substitute: disabled label and
// annotation.
func TestSubstitutionOptOut(t *testing.T) {
	root := writeTree(t, `
-- clusters/t/ks.yaml --
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: app, namespace: flux-system}
spec:
  path: ./deploy
  sourceRef: {kind: GitRepository, name: flux-system}
  postBuild:
    substitute: {v: replaced}
-- deploy/objs.yaml --
apiVersion: v1
kind: ConfigMap
metadata:
  name: by-label
  labels: {kustomize.toolkit.fluxcd.io/substitute: disabled}
data: {k: "${v}"}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: by-annotation
  annotations: {kustomize.toolkit.fluxcd.io/substitute: disabled}
data: {k: "${v}"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: substituted}
data: {k: "${v}"}
`)
	res, fs := build(t, Options{Root: root, Path: "clusters/t"})
	if len(fs) != 0 {
		t.Fatalf("findings: %v", messages(fs))
	}
	for name, want := range map[string]string{"by-label": "${v}", "by-annotation": "${v}", "substituted": "replaced"} {
		got := object(t, res, "ConfigMap", name).Object["data"].(map[string]any)["k"]
		if got != want {
			t.Errorf("%s: k = %v, want %s", name, got, want)
		}
	}
}

// TestSubstituteFromWaitsForProducer checks that a Kustomization reading a ConfigMap another
// Kustomization applies is built after it, whatever the order in the tree.
func TestSubstituteFromWaitsForProducer(t *testing.T) {
	root := writeTree(t, `
-- clusters/t/a-consumer.yaml --
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: consumer, namespace: flux-system}
spec:
  path: ./consumer
  sourceRef: {kind: GitRepository, name: flux-system}
  postBuild:
    substituteFrom:
      - {kind: ConfigMap, name: settings}
-- clusters/t/b-producer.yaml --
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: producer, namespace: flux-system}
spec:
  path: ./producer
  sourceRef: {kind: GitRepository, name: flux-system}
-- producer/settings.yaml --
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: flux-system}
data: {color: blue}
-- consumer/cm.yaml --
apiVersion: v1
kind: ConfigMap
metadata: {name: consumer, namespace: default}
data: {color: "${color}"}
`)
	res, fs := build(t, Options{Root: root, Path: "clusters/t"})
	if len(fs) != 0 {
		t.Fatalf("findings: %v", messages(fs))
	}
	if got := fmt.Sprint(object(t, res, "ConfigMap", "consumer").Object["data"]); got != "map[color:blue]" {
		t.Errorf("data = %s", got)
	}
}
