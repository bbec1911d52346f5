// Wrapper module for Flux kustomize-controller: its go.mod has replace directives, so it cannot
// be `go install`ed. The non-local replaces of the upstream go.mod are copied here. v1.9.5, not
// v1.9.6: v1.9.6 needs github.com/fluxcd/pkg/kustomize v1.35.7, which the module proxy refuses.
module github.com/zavestudios/platform/tools/e2e/wrappers/kustomize-controller

go 1.26.0

require github.com/fluxcd/kustomize-controller v1.9.5

replace github.com/opencontainers/go-digest => github.com/opencontainers/go-digest v1.0.1-0.20220411205349-bde1400a84be

replace sigs.k8s.io/kustomize/api => sigs.k8s.io/kustomize/api v0.21.1

replace sigs.k8s.io/kustomize/kyaml => sigs.k8s.io/kustomize/kyaml v0.21.1

replace gopkg.in/yaml.v3 => gopkg.in/yaml.v3 v3.0.1
