package schema

import (
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/zavestudios/platform/tools/internal/manifest"
)

// repoRoot is the repository root seen from this package's directory: the tests validate
// against the vendored schemas themselves.
const repoRoot = "../../.."

// object decodes one YAML document the way the load stage does (sigs.k8s.io/yaml).
func object(t testing.TB, doc, file string, line int) manifest.Object {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return manifest.Object{Object: m, Origin: manifest.Origin{File: file, Line: line}}
}

func newValidator(t testing.TB, opts Options) *Validator {
	t.Helper()
	if opts.Root == "" {
		opts.Root = repoRoot
	}
	v, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

const deployment = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: site
  namespace: web
  creationTimestamp: null
  labels: {app.kubernetes.io/name: site}
spec:
  replicas: 2
  selector: {matchLabels: {app: site}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 25%}}
  template:
    metadata: {labels: {app: site}}
    spec:
      containers:
        - name: site
          image: ghcr.io/zavestudios/site:1.0.0
          ports: [{containerPort: 8080, name: http}]
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {cpu: 1, memory: 268435456}
`

const kustomization = `
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: flux-system}
spec:
  interval: 10m
  path: ./apps/homelab
  prune: true
  sourceRef: {kind: GitRepository, name: platform}
  postBuild:
    substitute: {cluster: homelab}
`

const helmRelease = `
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: podinfo, namespace: web}
spec:
  interval: 1h
  chart:
    spec:
      chart: podinfo
      version: 6.x
      sourceRef: {kind: HelmRepository, name: podinfo}
  values:
    replicaCount: 2
    anything: {goes: [here]}
`
