// Wrapper module for Flux source-controller: its go.mod has replace directives, so it cannot be
// `go install`ed. The non-local replaces of the upstream go.mod are copied here.
module github.com/zavestudios/platform/tools/e2e/wrappers/source-controller

go 1.26.0

require github.com/fluxcd/source-controller v1.9.6

replace github.com/opencontainers/go-digest => github.com/opencontainers/go-digest v1.0.1-0.20220411205349-bde1400a84be

// v0.18.3, the version source-controller v1.9.6 requires, is refused (403) by the module proxy
// this project builds from; v0.18.1 is served, compiles and serves GitRepository and HelmChart
// artifacts the same way.
replace github.com/fluxcd/pkg/artifact => github.com/fluxcd/pkg/artifact v0.18.1
