package parity

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zavestudios/platform/tools/internal/finding"
	"github.com/zavestudios/platform/tools/internal/manifest"
)

func obj(kind, ns, name string, extra map[string]any) manifest.Object {
	meta := map[string]any{"name": name}
	if ns != "" {
		meta["namespace"] = ns
	}
	o := map[string]any{"apiVersion": "v1", "kind": kind, "metadata": meta}
	for k, v := range extra {
		o[k] = v
	}
	return manifest.Object{Object: o, Origin: manifest.Origin{File: "clusters/x/" + strings.ToLower(kind) + ".yaml", Line: 2}}
}

func rules(fs []finding.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule+" "+f.Object+" "+f.Field)
	}
	return out
}

func TestRun(t *testing.T) {
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	pvc := func(class string) manifest.Object {
		return obj("PersistentVolumeClaim", "data", "staging", map[string]any{"spec": map[string]any{"storageClassName": class}})
	}
	deploy := func(replicas int) manifest.Object {
		return obj("Deployment", "web", "site", map[string]any{"spec": map[string]any{"replicas": replicas}})
	}
	pvcDecl := Declaration{ID: "pvc", Kind: "PersistentVolumeClaim", Path: "/spec/storageClassName",
		Values: map[string]string{"a": "^local-path$", "b": "^gp3$"}, File: "schemas/differences.cue", Line: 10}
	tests := []struct {
		name  string
		decls []Declaration
		a, b  []manifest.Object
		want  []string
	}{
		{
			name:  "declared field difference passes",
			decls: []Declaration{pvcDecl},
			a:     []manifest.Object{pvc("local-path")},
			b:     []manifest.Object{pvc("gp3")},
		},
		{
			name:  "undeclared replica change fails naming object and field",
			decls: []Declaration{pvcDecl},
			a:     []manifest.Object{pvc("local-path"), deploy(2)},
			b:     []manifest.Object{pvc("gp3"), deploy(3)},
			want:  []string{"parity/undeclared v1/Deployment/web/site /spec/replicas"},
		},
		{
			name:  "a value outside the declared pattern is undeclared",
			decls: []Declaration{pvcDecl},
			a:     []manifest.Object{pvc("local-path")},
			b:     []manifest.Object{pvc("io2")},
			want:  []string{"parity/undeclared v1/PersistentVolumeClaim/data/staging /spec/storageClassName", "parity/stale  "},
		},
		{
			name:  "stale declaration is reported at its position",
			decls: []Declaration{pvcDecl},
			a:     []manifest.Object{deploy(2)},
			b:     []manifest.Object{deploy(2)},
			want:  []string{"parity/stale  "},
		},
		{
			name:  "object in one environment must be declared with only",
			decls: []Declaration{{ID: "np", Kind: "NodePool", Only: []string{"b"}}},
			a:     nil,
			b:     []manifest.Object{obj("NodePool", "", "default", nil), obj("Namespace", "", "extra", nil)},
			want:  []string{"parity/undeclared v1/Namespace/extra "},
		},
		{
			name:  "only names the wrong environment",
			decls: []Declaration{{ID: "np", Kind: "NodePool", Only: []string{"a"}}},
			b:     []manifest.Object{obj("NodePool", "", "default", nil)},
			want:  []string{"parity/stale  ", "parity/undeclared v1/NodePool/default "},
		},
		{
			name: "expired declaration fails even while it matches",
			decls: []Declaration{{ID: "pvc", Kind: "PersistentVolumeClaim", Path: "/spec/storageClassName",
				Expires: "2026-01-01", File: "d.cue", Line: 3}},
			a:    []manifest.Object{pvc("local-path")},
			b:    []manifest.Object{pvc("gp3")},
			want: []string{"parity/expired  "},
		},
		{
			name: "embedded values YAML is compared field by field",
			decls: []Declaration{{ID: "domain", Kind: "ConfigMap", Name: "environment", Path: "/data/values.yaml/domain",
				Values: map[string]string{"a": "^a\\.dev$", "b": "^b\\.dev$"}}},
			a:    []manifest.Object{obj("ConfigMap", "bb", "environment", map[string]any{"data": map[string]any{"values.yaml": "domain: a.dev\nflux:\n  interval: 5m\n"}})},
			b:    []manifest.Object{obj("ConfigMap", "bb", "environment", map[string]any{"data": map[string]any{"values.yaml": "domain: b.dev\nflux:\n  interval: 1m\n"}})},
			want: []string{"parity/undeclared v1/ConfigMap/bb/environment /data/values.yaml/flux/interval"},
		},
		{
			name: "SOPS ciphertext and the environment folder are not differences",
			a: []manifest.Object{obj("Secret", "bb", "s", map[string]any{"stringData": map[string]any{"v": "ENC[AES256_GCM,data:aaa,type:str]"}, "sops": map[string]any{"mac": "x"}}),
				obj("Kustomization", "flux-system", "apps", map[string]any{"spec": map[string]any{"path": "./clusters/a/apps"}})},
			b: []manifest.Object{obj("Secret", "bb", "s", map[string]any{"stringData": map[string]any{"v": "ENC[AES256_GCM,data:bbb,type:str]"}, "sops": map[string]any{"mac": "y"}}),
				obj("Kustomization", "flux-system", "apps", map[string]any{"spec": map[string]any{"path": "./clusters/b/apps"}})},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, fs, err := Run(context.Background(), Options{Declarations: tt.decls, Now: now}, Env{"a", tt.a}, Env{"b", tt.b})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, rules(fs)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMatchPath(t *testing.T) {
	tests := []struct {
		glob, ptr string
		want      bool
	}{
		{"/spec/**/containers/*/image", "/spec/template/spec/containers/0/image", true},
		{"/spec/**/containers/*/image", "/spec/jobTemplate/spec/template/spec/containers/1/image", true},
		{"/spec/**/containers/*/image", "/spec/template/spec/containers/0/name", false},
		{"/metadata/annotations/eks.amazonaws.com~1role-arn", "/metadata/annotations/eks.amazonaws.com~1role-arn", true},
		{"/data/values.yaml/**/storageClass*", "/data/values.yaml/addons/gitlab/values/global/storageClass", true},
		{"/data/values.yaml/**/storageClass*", "/data/values.yaml/monitoring/values/prometheus/spec/storageClassName", true},
		{"/spec/hosts/*", "/spec/hosts", false},
	}
	for _, tt := range tests {
		if got := matchPath(splitPointer(tt.glob), splitPointer(tt.ptr)); got != tt.want {
			t.Errorf("matchPath(%q, %q) = %v, want %v", tt.glob, tt.ptr, got, tt.want)
		}
	}
}
