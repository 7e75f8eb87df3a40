# ImageSync. `make help` lists the targets. Every recipe runs with the pinned Node first on PATH.
SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

LOCAL_DIR ?= $(CURDIR)/.local
BIN_DIR ?= $(LOCAL_DIR)/bin
PORT_BASE ?= 17100
TEST_PORT_BASE ?= 17300
export PATH := $(BIN_DIR):$(PATH)

include hack/versions.env
NODE := $(BIN_DIR)/node
STACK := $(NODE) tools/localstack/cli.ts --bin $(BIN_DIR)

.PHONY: help
help: ## List the targets.
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

.PHONY: tools
tools: ## Install the pinned tools (hack/versions.env) into the version cache and link them into .local/bin.
	@hack/install-tools.sh $(BIN_DIR)

node_modules/.installed: package-lock.json $(NODE)
	npm ci --no-audit --no-fund
	@touch $@

$(NODE):
	@hack/install-tools.sh $(BIN_DIR) node

.PHONY: deps
deps: tools node_modules/.installed ## Install the tools and the npm packages.

.PHONY: up
up: deps ## Bring up the whole system locally (servers on loopback, data in .local/).
	$(STACK) up --dir $(LOCAL_DIR) --port-base $(PORT_BASE)

.PHONY: down
down: ## Stop what `make up` started.
	@$(STACK) down --dir $(LOCAL_DIR)

.PHONY: status
status: ## Show which local servers run.
	@$(STACK) status --dir $(LOCAL_DIR)

.PHONY: lint
lint: node_modules/.installed ## Lint, check formatting and type-check.
	npx eslint --max-warnings=0 .
	npx prettier --check .
	npx tsc --noEmit -p tsconfig.json

.PHONY: format
format: node_modules/.installed ## Format the code and apply lint fixes.
	npx prettier --write .
	npx eslint --fix .

# VITEST_REPORT=path also writes a JSON report (CI prints its counts).
VITEST_REPORT ?=
VITEST_REPORTERS := $(if $(VITEST_REPORT),--reporter=default --reporter=json --outputFile.json=$(VITEST_REPORT))

.PHONY: test
test: deps lint generate-check build ## Run every test: unit, then integration against real servers it starts (or IMAGESYNC_STACK_ENV's).
	IMAGESYNC_TEST_DIR=$(LOCAL_DIR)/test IMAGESYNC_BIN_DIR=$(BIN_DIR) IMAGESYNC_TEST_PORT_BASE=$(TEST_PORT_BASE) \
		npx vitest run $(VITEST_REPORTERS)

.PHONY: bench
bench: deps build ## Run the benchmarks against a stack of their own; figures go to stdout and bench/results/.
	IMAGESYNC_BIN_DIR=$(BIN_DIR) $(NODE) bench/run.ts $(BENCH)

.PHONY: build
build: node_modules/.installed ## Compile the processes to JavaScript in dist/, as the image runs them (no type stripping at run time).
	rm -rf dist
	npx tsc -p tsconfig.build.json

.PHONY: generate
generate: node_modules/.installed ## Regenerate code from its sources (TypeScript types and the chart's CRD templates from crds/).
	$(NODE) tools/codegen/crd-types.ts
	$(NODE) tools/codegen/chart-crds.ts

.PHONY: generate-check
generate-check: node_modules/.installed
	$(NODE) tools/codegen/crd-types.ts --check
	$(NODE) tools/codegen/chart-crds.ts --check

.PHONY: helm-lint
helm-lint: ## Lint the chart strictly with every value set in charts/imagesync/ci/.
	for f in charts/imagesync/ci/*.yaml; do helm lint --strict charts/imagesync --kube-version $(KUBERNETES_VERSION) -f $$f; done

.PHONY: image
image: ## Build the container image (needs a Docker engine; none runs on the CI machines).
	docker build -t imagesync:dev .

.PHONY: kind-e2e
kind-e2e: ## On a machine with Docker: kind cluster, image, helm install with dev dependencies, one import end to end.
	hack/kind-e2e.sh

.PHONY: test-unit
test-unit: node_modules/.installed ## Run the unit tests only (no servers).
	npx vitest run --project unit
