# ZaveStudios platform. `make help` lists the targets.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
export GOFLAGS ?= -buildvcs=false
export GOTOOLCHAIN ?= local

GO      ?= go
PLATCTL := $(GO) run ./tools/cmd/platctl
BIN     := bin
GOLANGCI_LINT_VERSION := v2.15.0

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: build
build: ## Build bin/platctl
	$(GO) build -o $(BIN)/platctl ./tools/cmd/platctl

.PHONY: render
render: ## Render the CUE model into clusters/<env>/ and README's diagram (commit the result)
	$(PLATCTL) render
	$(PLATCTL) docs

.PHONY: check
check: ## Fail when clusters/ or README's diagram is not what the sources render
	$(PLATCTL) render --check
	$(PLATCTL) docs --check

.PHONY: docs
docs: ## Redraw the platform diagram in README.md from the model
	$(PLATCTL) docs

.PHONY: test
test: ## Run every test (Go, Rego, CLI scripts) and check the repository: render, docs, validate, parity, cost
	$(GO) test ./...
	$(PLATCTL) render --check
	$(PLATCTL) docs --check
	$(PLATCTL) validate
	$(PLATCTL) parity
	$(PLATCTL) cost

.PHONY: e2e
e2e: ## Real kube-apiserver and Flux controllers sync clusters/<env> (builds them first: ~12 min cold)
	@bin="$$(tools/e2e/build.sh)" && cd tools/e2e && \
		E2E_BIN="$$bin" $(GO) test -tags e2e -count=1 -v -timeout 60m .

.PHONY: bench
bench: ## Go benchmarks, then platctl beside kubeconform and the kustomize|kubeconform|conftest pipeline (N=400)
	@command -v /usr/bin/time >/dev/null || apt-get install -y -qq time
	$(GO) test -run '^$$' -bench . -benchmem -count 1 ./tools/internal/...
	N=$${N:-400} tools/bench/compare.sh

.PHONY: lint
lint: ## go vet, gofmt and golangci-lint (pinned)
	$(GO) vet ./...
	@test -z "$$(gofmt -l tools)" || { gofmt -l tools; echo "gofmt: files above need formatting (make fmt)"; exit 1; }
	$(GO) run github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION) run ./...

.PHONY: fmt
fmt: ## Format Go and CUE sources
	gofmt -w tools
	$(GO) run cuelang.org/go/cmd/cue@v0.17.1 fmt ./schemas/... ./platform/... ./apps/...

.PHONY: schemas
schemas: ## Regenerate the vendored JSON schemas and CRDs from their Go modules (schemas/jsonschema/sources.yaml)
	$(GO) run ./tools/cmd/schemagen

.PHONY: update
update: ## Rewrite golden files and testscript expectations
	$(GO) test ./... -update
