//go:build deps

// Package deps pins the libraries the toolkit is built on while the stages are written.
package deps

import (
	_ "cuelang.org/go/cue"
	_ "github.com/fluxcd/pkg/kustomize"
	_ "github.com/google/go-cmp/cmp"
	_ "github.com/open-policy-agent/opa/v1/rego"
	_ "github.com/rogpeppe/go-internal/testscript"
	_ "github.com/spf13/cobra"
	_ "github.com/yannh/kubeconform/pkg/validator"
	_ "helm.sh/helm/v3/pkg/action"
	_ "sigs.k8s.io/kustomize/api/krusty"
	_ "sigs.k8s.io/yaml"
)
