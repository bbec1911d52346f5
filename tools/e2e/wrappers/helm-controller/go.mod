// Wrapper module for Flux helm-controller: its go.mod has replace directives, so it cannot be
// `go install`ed. The non-local replaces of the upstream go.mod are copied here. v1.6.4 is the
// newest release the module proxy serves.
module github.com/zavestudios/platform/tools/e2e/wrappers/helm-controller

go 1.26.0

require github.com/fluxcd/helm-controller v1.6.4

replace github.com/opencontainers/go-digest => github.com/opencontainers/go-digest v1.0.1-0.20231025023718-d50d2fec9c98

replace sigs.k8s.io/kustomize/api => sigs.k8s.io/kustomize/api v0.21.1

replace sigs.k8s.io/kustomize/kyaml => sigs.k8s.io/kustomize/kyaml v0.21.1
