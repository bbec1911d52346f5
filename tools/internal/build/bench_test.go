package build

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// benchTree writes a cluster with n Flux Kustomizations, each building its own path (with and
// without a kustomization.yaml, every third with postBuild substitution) of three objects.
func benchTree(b *testing.B, n int) string {
	b.Helper()
	root := b.TempDir()
	write := func(name, data string) {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	for i := range n {
		postBuild := ""
		if i%3 == 0 {
			postBuild = "  postBuild:\n    substitute: {replicas: \"2\"}\n"
		}
		write(fmt.Sprintf("clusters/bench/ks-%03d.yaml", i), fmt.Sprintf(`apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: app-%03d, namespace: flux-system}
spec:
  path: ./apps/app-%03d
  targetNamespace: app-%03d
  sourceRef: {kind: GitRepository, name: flux-system}
%s`, i, i, i, postBuild))
		dir := fmt.Sprintf("apps/app-%03d/", i)
		write(dir+"deployment.yaml", fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: app-%03d}
spec:
  replicas: ${replicas:=1}
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      containers: [{name: app, image: "nginx:1.27"}]
---
apiVersion: v1
kind: Service
metadata: {name: app-%03d}
spec:
  ports: [{port: 80}]
`, i, i))
		write(dir+"configmap.yaml", fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app-%03d}\ndata: {k: v}\n", i))
		if i%2 == 0 {
			write(dir+"kustomization.yaml", "resources: [deployment.yaml, configmap.yaml]\n")
		}
	}
	return root
}

// BenchmarkBuild builds a tree of 300 Kustomization paths and the 300 Kustomizations themselves: 1200 objects.
func BenchmarkBuild(b *testing.B) {
	root := benchTree(b, 300)
	b.ReportAllocs()
	for b.Loop() {
		res, _, err := New(Options{Root: root, Path: "clusters/bench"}).Run(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Objects) != 1200 {
			b.Fatalf("%d objects", len(res.Objects))
		}
	}
}
