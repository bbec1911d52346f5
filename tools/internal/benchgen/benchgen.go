// Package benchgen writes synthetic but realistic Flux repositories for benchmarks: N
// applications per environment, each with the objects a real one has (Deployment with probes
// and a restricted security context, Service, VirtualService, HPA, PDB, NetworkPolicy, ConfigMap,
// ServiceMonitor), Flux Kustomizations with patches and postBuild substitution, and some
// HelmReleases of an in-repo chart. The tree is valid against the vendored schemas and the
// policies, and the same seed always writes the same bytes.
package benchgen

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Registry is the registry every generated image comes from; validate the tree with
// `--registry registry.bench.local`.
const Registry = "registry.bench.local"

// Options sizes the tree.
type Options struct {
	Apps int // applications per environment
	Envs int
	Seed uint64
	// HelmEvery makes every n-th application a HelmRelease of the in-repo chart (0: none).
	HelmEvery int
}

// Stats says what was written.
type Stats struct {
	Files          int
	Objects        int // objects the controllers will apply, HelmRelease output included
	Kustomizations int
	HelmReleases   int
}

// Generate writes the repository into dir, which must be empty or missing.
func Generate(dir string, o Options) (Stats, error) {
	if o.Apps < 1 || o.Envs < 1 {
		return Stats{}, fmt.Errorf("bench gen: --apps and --envs must be at least 1")
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return Stats{}, fmt.Errorf("bench gen: %s is not empty", dir)
	}
	g := &gen{dir: dir, o: o, rng: rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))}
	g.chart()
	for e := 1; e <= o.Envs; e++ {
		g.env(fmt.Sprintf("env-%d", e))
	}
	for a := 1; a <= o.Apps; a++ {
		g.base(a)
	}
	return g.stats, g.err
}

type gen struct {
	dir   string
	o     Options
	rng   *rand.Rand
	stats Stats
	err   error
}

func (g *gen) write(rel, content string) {
	if g.err != nil {
		return
	}
	p := filepath.Join(g.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		g.err = err
		return
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		g.err = err
		return
	}
	g.stats.Files++
}

func appName(a int) string { return fmt.Sprintf("app-%04d", a) }

func (g *gen) helm(a int) bool { return g.o.HelmEvery > 0 && a%g.o.HelmEvery == 0 }

// env writes clusters/<env>: the Flux sync and one Kustomization (or HelmRelease) per app.
func (g *gen) env(env string) {
	g.write("clusters/"+env+"/flux-system/gotk-sync.yaml", fmt.Sprintf(`apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 1m0s
  ref:
    branch: main
  url: https://git.bench.local/platform.git
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 10m0s
  path: ./clusters/%s
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
`, env))
	g.write("clusters/"+env+"/flux-system/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- gotk-sync.yaml\n")
	g.stats.Objects += 2
	g.stats.Kustomizations++
	var apps strings.Builder
	for a := 1; a <= g.o.Apps; a++ {
		name := appName(a)
		if apps.Len() > 0 {
			apps.WriteString("---\n")
		}
		if g.helm(a) {
			apps.WriteString(helmRelease(name, env, 1+g.rng.IntN(3)))
			g.stats.HelmReleases++
			g.stats.Objects += 1 + chartObjects
			continue
		}
		replicas := 2 + g.rng.IntN(3)
		fmt.Fprintf(&apps, `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: %[1]s
  namespace: flux-system
spec:
  interval: 10m0s
  path: ./apps/base/%[1]s
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
  targetNamespace: %[1]s
  patches:
  - target:
      kind: Deployment
    patch: |
      - op: replace
        path: /spec/replicas
        value: %[3]d
  postBuild:
    substitute:
      APP_ENV: %[2]s
      LOG_LEVEL: info
`, name, env, replicas)
		g.stats.Kustomizations++
		g.stats.Objects += 1 + appObjects
	}
	g.write("clusters/"+env+"/apps.yaml", apps.String())
}

// appObjects is what one application's base holds (namespace included).
const appObjects = 9

// base writes apps/base/<app>: the objects of one application, with ${APP_ENV} and
// ${LOG_LEVEL} left for Flux's postBuild substitution, and ${$ escapes kept literal.
func (g *gen) base(a int) {
	name := appName(a)
	port := 8080 + g.rng.IntN(10)
	cpu := []string{"50m", "100m", "250m"}[g.rng.IntN(3)]
	mem := []string{"64Mi", "128Mi", "256Mi"}[g.rng.IntN(3)]
	dir := "apps/base/" + name + "/"
	labels := fmt.Sprintf(`    app.kubernetes.io/name: %[1]s
    app.kubernetes.io/instance: %[1]s
    app.kubernetes.io/part-of: bench
    app.kubernetes.io/managed-by: flux
    bench.local/env: ${APP_ENV}`, name)
	files := map[string]string{
		"namespace.yaml": fmt.Sprintf("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n  labels:\n%s\n", name, labels),
		"configmap.yaml": fmt.Sprintf(`apiVersion: v1
kind: ConfigMap
metadata:
  name: %[1]s-config
  labels:
%[2]s
data:
  LOG_LEVEL: ${LOG_LEVEL}
  GREETING: "hello from ${APP_ENV}"
  TEMPLATE: "literal $${NOT_SUBSTITUTED}"
`, name, labels),
		"deployment.yaml": fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: %[1]s
  labels:
%[2]s
spec:
  replicas: 2
  selector:
    matchLabels:
      app.kubernetes.io/name: %[1]s
      app.kubernetes.io/instance: %[1]s
  template:
    metadata:
      labels:
%[3]s
    spec:
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        seccompProfile:
          type: RuntimeDefault
      containers:
      - name: web
        image: %[4]s/bench/%[1]s:1.%[5]d.0
        envFrom:
        - configMapRef:
            name: %[1]s-config
        ports:
        - name: http
          containerPort: %[6]d
        readinessProbe:
          httpGet:
            path: /healthz
            port: http
        livenessProbe:
          httpGet:
            path: /healthz
            port: http
        resources:
          requests:
            cpu: %[7]s
            memory: %[8]s
          limits:
            cpu: 500m
            memory: 512Mi
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          runAsNonRoot: true
          runAsUser: 65532
          capabilities:
            drop:
            - ALL
          seccompProfile:
            type: RuntimeDefault
`, name, labels, indent(labels, "    "), Registry, a%20, port, cpu, mem),
		"service.yaml": fmt.Sprintf(`apiVersion: v1
kind: Service
metadata:
  name: %[1]s
  labels:
%[2]s
spec:
  selector:
    app.kubernetes.io/name: %[1]s
    app.kubernetes.io/instance: %[1]s
  ports:
  - name: http
    port: 80
    targetPort: http
`, name, labels),
		"virtualservice.yaml": fmt.Sprintf(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: %[1]s
  labels:
%[2]s
spec:
  hosts:
  - %[1]s.bench.local
  gateways:
  - istio-gateway/public-ingressgateway
  http:
  - route:
    - destination:
        host: %[1]s
        port:
          number: 80
`, name, labels),
		"hpa.yaml": fmt.Sprintf(`apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: %[1]s
  labels:
%[2]s
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: %[1]s
  minReplicas: 2
  maxReplicas: 6
  metrics:
  - type: Resource
    resource:
      name: cpu
      target:
        type: Utilization
        averageUtilization: 75
`, name, labels),
		"pdb.yaml": fmt.Sprintf(`apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: %[1]s
  labels:
%[2]s
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: %[1]s
      app.kubernetes.io/instance: %[1]s
`, name, labels),
		"networkpolicy.yaml": fmt.Sprintf(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: %[1]s
  labels:
%[2]s
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/name: %[1]s
  policyTypes:
  - Ingress
  - Egress
  ingress:
  - from:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: istio-gateway
    ports:
    - port: %[3]d
      protocol: TCP
  egress:
  - to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: kube-system
    ports:
    - port: 53
      protocol: UDP
`, name, labels, port),
		"servicemonitor.yaml": fmt.Sprintf(`apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: %[1]s
  labels:
%[2]s
spec:
  selector:
    matchLabels:
      app.kubernetes.io/name: %[1]s
  endpoints:
  - port: http
    path: /metrics
    interval: 30s
`, name, labels),
	}
	var res []string
	for _, f := range slices.Sorted(maps.Keys(files)) {
		g.write(dir+f, files[f])
		res = append(res, "- "+f)
	}
	g.write(dir+"kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"+strings.Join(res, "\n")+"\n")
}

func indent(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}
