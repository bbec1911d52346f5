package build

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	kustypes "sigs.k8s.io/kustomize/api/types"

	"github.com/zavestudios/platform/tools/internal/manifest"
)

func sortStrings(s []string) { slices.Sort(s) }

func TestNormalizeURL(t *testing.T) {
	want := "github.com/example/platform"
	for _, u := range []string{
		"https://github.com/example/platform",
		"https://github.com/example/platform.git",
		"https://GitHub.com/example/platform/",
		"ssh://git@github.com/example/platform",
		"ssh://git@github.com:22/example/platform.git",
		"git@github.com:example/platform.git",
		"https://user:token@github.com/example/platform.git",
	} {
		if got := normalizeURL(u); got != want {
			t.Errorf("normalizeURL(%q) = %q, want %q", u, got, want)
		}
	}
	if normalizeURL("https://github.com/example/other") == want {
		t.Error("a different repository normalises to the same URL")
	}
}

func TestPickVersion(t *testing.T) {
	entries := map[string]string{"1.2.0": "a", "1.10.0": "b", "2.0.0-rc.1": "c", "2.0.0": "d", "main": "e"}
	tests := []struct {
		want, path, version string
		ok                  bool
	}{
		{"1.x", "b", "1.10.0", true},
		{"", "d", "2.0.0", true},
		{"*", "d", "2.0.0", true},
		{">=2.0.0-alpha", "d", "2.0.0", true},
		{"2.0.0-rc.1", "c", "2.0.0-rc.1", true},
		{"v1.2.0", "a", "1.2.0", true},
		{"main", "e", "main", true},
		{"3.x", "", "", false},
		{"develop", "", "", false},
	}
	for _, tt := range tests {
		p, v, ok := pickVersion(entries, tt.want)
		if p != tt.path || v != tt.version || ok != tt.ok {
			t.Errorf("pickVersion(%q) = %q, %q, %v; want %q, %q, %v", tt.want, p, v, ok, tt.path, tt.version, tt.ok)
		}
	}
}

func TestSetImage(t *testing.T) {
	tests := []struct {
		arg  string
		want kustypes.Image
	}{
		{"nginx:1.27", kustypes.Image{Name: "nginx", NewTag: "1.27"}},
		{"nginx=registry.local:5000/nginx:1.27", kustypes.Image{Name: "nginx", NewName: "registry.local:5000/nginx", NewTag: "1.27"}},
		{"nginx=nginx@sha256:abc", kustypes.Image{Name: "nginx", Digest: "sha256:abc"}},
		{"ghcr.io/org/app", kustypes.Image{Name: "ghcr.io/org/app"}},
	}
	for _, tt := range tests {
		var k kustypes.Kustomization
		setImage(&k, tt.arg)
		if diff := cmp.Diff([]kustypes.Image{tt.want}, k.Images); diff != "" {
			t.Errorf("setImage(%q) (-want +got):\n%s", tt.arg, diff)
		}
	}
}

func TestReleaseName(t *testing.T) {
	hr := func(name, target, release string) manifest.Object {
		return manifest.Object{Object: map[string]any{
			"metadata": map[string]any{"name": name},
			"spec":     map[string]any{"targetNamespace": target, "releaseName": release},
		}}
	}
	long := "a-very-long-helmrelease-name-that-goes-past-helms-limit"
	tests := []struct {
		obj  manifest.Object
		want string
	}{
		{hr("web", "", ""), "web"},
		{hr("web", "prod", ""), "prod-web"},
		{hr("web", "prod", "custom"), "custom"},
		{hr(long, "", ""), long[:40] + "-7718637d37c6"},
	}
	for _, tt := range tests {
		got := releaseName(tt.obj)
		if got != tt.want || len(got) > 53 {
			t.Errorf("releaseName(%s) = %q, want %q", tt.obj.Name(), got, tt.want)
		}
	}
}

func TestGlobDestination(t *testing.T) {
	tests := []struct{ pattern, match, dest, want string }{
		{"infrastructure/**", "infrastructure/controllers", "", "controllers"},
		{"apps/base/**", "apps/base/podinfo", "base", "base/podinfo"},
		{"deploy/*.yaml", "deploy/a.yaml", "out", "out/deploy/a.yaml"},
	}
	for _, tt := range tests {
		if got := globDestination(tt.pattern, tt.match, tt.dest); got != tt.want {
			t.Errorf("globDestination(%q, %q, %q) = %q, want %q", tt.pattern, tt.match, tt.dest, got, tt.want)
		}
	}
}
