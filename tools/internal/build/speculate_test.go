package build

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// speculationTree is a cluster of Kustomizations that exercise what building ahead must get
// right: substitution from a ConfigMap a later Kustomization produces, kustomizations that need
// the exclusive build (a deprecated field kustomize warns about, crds), a path that does not
// exist, a remote source, a suspended Kustomization, values substitution must not lose.
func speculationTree(t *testing.T) string {
	var b strings.Builder
	b.WriteString("-- clusters/s/remote.yaml --\n" + `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: elsewhere, namespace: flux-system}
spec: {url: https://git.example.com/elsewhere}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: remote, namespace: flux-system}
spec:
  path: ./
  sourceRef: {kind: GitRepository, name: elsewhere}
`)
	for i := range 24 {
		ks := fmt.Sprintf(`apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: app-%02d, namespace: flux-system}
spec:
  path: ./apps/app-%02d
  targetNamespace: app-%02d
  sourceRef: {kind: GitRepository, name: flux-system}
`, i, i, i)
		switch i % 6 {
		case 0:
			ks += "  postBuild:\n    substitute: {REPLICAS: \"2\", ENV: test}\n"
		case 1:
			// reads a ConfigMap the last Kustomization produces
			ks += "  postBuild:\n    substituteFrom: [{kind: ConfigMap, name: vars}]\n"
		case 2:
			ks += "  suspend: true\n  postBuild:\n    substitute: {\"bad-name\": x}\n"
		case 3:
			ks += "  postBuild:\n    substituteStrategy: Always\n"
		}
		if i == 17 {
			ks = strings.Replace(ks, "./apps/app-17", "./apps/missing", 1)
		}
		fmt.Fprintf(&b, "-- clusters/s/ks-%02d.yaml --\n%s", i, ks)
		dir := fmt.Sprintf("apps/app-%02d/", i)
		fmt.Fprintf(&b, "-- %sdeployment.yaml --\n", dir)
		fmt.Fprintf(&b, `apiVersion: apps/v1
kind: Deployment
metadata: {name: app-%02d, labels: {env: "${ENV:=none}"}}
spec:
  replicas: ${REPLICAS:=1}
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      containers: [{name: app, image: "nginx:1.27", args: ["$${HOME}", "0o+0", "yes"]}]
`, i)
		fmt.Fprintf(&b, "-- %sconfigmap.yaml --\n", dir)
		fmt.Fprintf(&b, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app-%02d}\ndata: {big: \"9007199254740993\"}\nbinaryData: {}\n", i)
		fmt.Fprintf(&b, "-- %sservice.yaml --\n", dir)
		fmt.Fprintf(&b, "apiVersion: v1\nkind: Service\nmetadata: {name: app-%02d}\nspec: {ports: [{port: 80, targetPort: 9007199254740993}]}\n", i)
		switch i % 4 {
		case 0:
			fmt.Fprintf(&b, "-- %skustomization.yaml --\nresources: [deployment.yaml, configmap.yaml, service.yaml]\n", dir)
		case 1:
			fmt.Fprintf(&b, "-- %skustomization.yaml --\nresources: [deployment.yaml, configmap.yaml, service.yaml]\ncommonLabels: {tier: web}\n", dir)
		case 2:
			fmt.Fprintf(&b, "-- %skustomization.yaml --\nresources: [deployment.yaml, configmap.yaml, service.yaml]\ncrds: []\n", dir)
		}
	}
	b.WriteString("-- clusters/s/vars.yaml --\n" + `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: vars, namespace: flux-system}
spec:
  path: ./vars
  targetNamespace: flux-system
  sourceRef: {kind: GitRepository, name: flux-system}
-- vars/cm.yaml --
apiVersion: v1
kind: ConfigMap
metadata: {name: vars}
data: {REPLICAS: "3", ENV: prod}
`)
	return writeTree(t, b.String())
}

// TestSpeculation checks that building Kustomizations ahead on workers changes nothing: objects,
// what was built and findings are those of a build on one CPU, which builds in queue order.
func TestSpeculation(t *testing.T) {
	root := speculationTree(t)
	run := func(procs int) (*Result, []string) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		res, fs := build(t, Options{Root: root, Path: "clusters/s"})
		return res, messages(fs)
	}
	wantRes, wantFs := run(1)
	if !strings.Contains(strings.Join(wantFs, "\n"), "kustomize-warning") {
		t.Errorf("no kustomize warning among the findings:\n%s", strings.Join(wantFs, "\n"))
	}
	for _, procs := range []int{2, 4} {
		res, fs := run(procs)
		if diff := cmp.Diff(wantFs, fs); diff != "" {
			t.Errorf("GOMAXPROCS=%d: findings (-sequential +speculative):\n%s", procs, diff)
		}
		if diff := cmp.Diff(wantRes, res); diff != "" {
			t.Errorf("GOMAXPROCS=%d: result (-sequential +speculative):\n%s", procs, diff)
		}
	}
}
