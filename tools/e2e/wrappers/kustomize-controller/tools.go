//go:build tools

// Package tools pins the command build.sh builds.
package tools

import _ "github.com/fluxcd/kustomize-controller"
