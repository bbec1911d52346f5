package render

import (
	"bytes"
	"fmt"
)

// Files under flux-system/ belong to `flux bootstrap`, which writes gotk-components.yaml (the
// Flux controllers and CRDs), gotk-sync.yaml and kustomization.yaml. Render writes the last two
// with the same content bootstrap would, so bootstrapping changes nothing, and seeds
// gotk-components.yaml only when it is missing; it never overwrites or deletes it.
const (
	GotkComponents = "flux-system/gotk-components.yaml"
	GotkSync       = "flux-system/gotk-sync.yaml"
	FluxSystemKust = "flux-system/kustomization.yaml"
)

// BootstrapOwned reports whether render leaves an existing copy of the file alone.
func BootstrapOwned(p string) bool { return p == GotkComponents }

// Semantic reports whether an existing copy of the file is compared by its objects rather than
// its bytes: true for the flux-system files once bootstrap has rewritten them with its own header.
func Semantic(p string, existing []byte) bool {
	return (p == GotkSync || p == FluxSystemKust) && !bytes.HasPrefix(existing, []byte(headerPrefix))
}

func fluxSystem(sources []string, env, url, branch string) map[string][]byte {
	h := string(header(sources))
	return map[string][]byte{
		GotkSync: []byte(h + fmt.Sprintf(`# The same objects flux bootstrap writes for --path clusters/%[1]s.
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 1m0s
  ref:
    branch: %[3]s
  secretRef:
    name: flux-system
  url: %[2]s
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 10m0s
  path: ./clusters/%[1]s
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
`, env, url, branch)),
		FluxSystemKust: []byte(h + `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- gotk-components.yaml
- gotk-sync.yaml
`),
		GotkComponents: []byte(`# Placeholder written by platctl render because this file was missing. flux bootstrap replaces
# it with the Flux components (controllers and CRDs); render never overwrites or deletes it.
apiVersion: v1
kind: Namespace
metadata:
  labels:
    app.kubernetes.io/instance: flux-system
    app.kubernetes.io/part-of: flux
  name: flux-system
`),
	}
}
