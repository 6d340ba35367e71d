# ccdeck's one task runner: the README, CI (.ci/run) and contributors all use these targets.
# Every target installs what it needs itself, so a fresh clone needs no manual step.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
VENV := .venv
CACHE := $(HOME)/.cache/ccdeck
# The Claude Code CLI the orchestrator tests run against (npm package, pinned).
CLAUDE_CODE_VERSION := 2.1.330
CLAUDE_CODE_DIR := $(CACHE)/claude-code-$(CLAUDE_CODE_VERSION)
export CCDECK_TEST_CLAUDE_BIN ?= $(CLAUDE_CODE_DIR)/node_modules/.bin/claude
STATIC := src/ccdeck/web/static/index.html
# Two installs share .venv, each with its own stamp: serving needs no dev tools; tests, lint and typecheck do.
# Both sync from uv.lock and compile the bytecode now, so that no command compiles everything on each start when
# PYTHONDONTWRITEBYTECODE is set (ccdeck itself is installed editable: src/ is compiled in place). The serve
# install is --inexact: after `make install` it keeps the dev tools, so either order leaves both stamps true.
DEV_STAMP := $(VENV)/.installed-dev
SERVE_STAMP := $(VENV)/.installed-serve
HOST ?= 127.0.0.1
PORT ?= 8484

.PHONY: help install serve check test-fast test lint typecheck pytest bench frontend frontend-test contract contract-check chromium postgresql claude-cli dist clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m pip install --quiet --user uv || $(PYTHON) -m pip install --quiet --break-system-packages --user uv

$(DEV_STAMP): pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --compile-bytecode
	$(VENV)/bin/python -m compileall -q src
	@touch $@

$(SERVE_STAMP): pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --no-dev --inexact --compile-bytecode
	$(VENV)/bin/python -m compileall -q src
	@touch $@

install: $(DEV_STAMP) ## create .venv with ccdeck and the dev tools (installs uv with pip if missing)

frontend/node_modules/.package-lock.json: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	@touch $@

$(STATIC): frontend/node_modules/.package-lock.json $(shell find frontend/src -type f 2>/dev/null) frontend/index.html frontend/vite.config.ts
	cd frontend && npm run build

frontend: $(STATIC) ## build the dashboard into the Python package

frontend-test: frontend/node_modules/.package-lock.json ## frontend unit tests (Vitest) and type check
	cd frontend && npm run typecheck && npm test

# The dashboard's API types, generated from the Python declarations (src/ccdeck/shapes/) through the OpenAPI
# document; `contract-check` regenerates them into a temporary dir and fails when the committed file differs.
SCHEMA_TS := frontend/src/api/schema.ts
define generate_schema
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(VENV)/bin/python -m ccdeck.web.openapi_dump > "$$tmp/openapi.json" && \
	frontend/node_modules/.bin/openapi-typescript "$$tmp/openapi.json" -o $(1) --silent
endef

contract: install frontend/node_modules/.package-lock.json ## regenerate frontend/src/api/schema.ts from the Python declarations of the JSON shapes
	@$(call generate_schema,$(SCHEMA_TS))
	@echo "wrote $(SCHEMA_TS)"

contract-check: install frontend/node_modules/.package-lock.json ## fail when frontend/src/api/schema.ts differs from the Python declarations
	@out=$$(mktemp) && trap 'rm -f "$$out"' EXIT && ( $(call generate_schema,"$$out") ) && \
	diff -u $(SCHEMA_TS) "$$out" > /dev/null || { diff -u $(SCHEMA_TS) "$$out" | head -40; \
	echo "$(SCHEMA_TS) is out of date with the Python declarations of the JSON shapes: run \`make contract\` and commit it"; exit 1; }

chromium: ## Debian's Chromium for the browser tests (never a browser download)
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The PostgreSQL tests start their own throwaway cluster (initdb + pg_ctl in a temporary folder, on loopback): only
# the server's programs are needed, never a running system service.
postgresql: ## Debian's PostgreSQL server programs for the PostgreSQL store's tests (never a system service)
	@command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null; }

claude-cli: $(CCDECK_TEST_CLAUDE_BIN) ## the pinned Claude Code CLI for the orchestrator tests, in ~/.cache/ccdeck

$(CCDECK_TEST_CLAUDE_BIN):
	mkdir -p $(CLAUDE_CODE_DIR)
	cd $(CLAUDE_CODE_DIR) && npm install --no-audit --no-fund --loglevel=error @anthropic-ai/claude-code@$(CLAUDE_CODE_VERSION)

serve: $(SERVE_STAMP) frontend ## install what serving needs (no dev tools), build, ingest ~/.claude and serve on http://$(HOST):$(PORT)
	$(VENV)/bin/ccdeck serve --host $(HOST) --port $(PORT)

lint: install ## ruff (lint + format check)
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

typecheck: install ## strict mypy on src/
	$(VENV)/bin/mypy

pytest: install frontend chromium postgresql claude-cli ## the Python test suites, in parallel
	$(VENV)/bin/pytest -n 2 --dist loadgroup -q

# The quick loop: what `conftest.py` marks slow (real servers, a browser, the real Claude Code CLI, the fake API,
# `ccdeck` as a child process) is left to `make test`; so are the frontend and its build. pytest keeps the test
# modules it rewrote (for its assertions) in tests/**/__pycache__ even when PYTHONDONTWRITEBYTECODE is set: a few
# seconds of each run otherwise.
check: lint typecheck ## quick checks before a commit: ruff, strict mypy, the unit tests (pytest -m "not slow")
	PYTHONDONTWRITEBYTECODE= $(VENV)/bin/pytest -n 2 -q -m "not slow"

test-fast: check ## the same as `make check`

test: lint typecheck contract-check frontend-test pytest ## every check: lint, types, frontend tests, pytest (unit, integration, browser, real CLI)

bench: install claude-cli ## benchmarks; figures go to bench/RESULTS.md
	$(VENV)/bin/python -m bench.run
	$(VENV)/bin/python -m bench.instant
	$(VENV)/bin/python -m bench.live_latency
	$(VENV)/bin/python -m bench.live_signals
	$(VENV)/bin/python -m bench.orchestrator
	$(VENV)/bin/python -m bench.run_status

# The wheel and sdist carry the built dashboard (a hatch artifact: src/ccdeck/web/static is not in git), so that
# `pip install dist/ccdeck-*.whl && ccdeck serve` needs no Node. The check fails the build when it is missing.
dist: frontend | $(UV) ## build the wheel and sdist, with the built dashboard, into dist/
	rm -rf dist
	$(UV) build --out-dir dist
	@$(PYTHON) -m zipfile -l dist/ccdeck-*.whl | grep -q 'ccdeck/web/static/index.html' && \
	tar tzf dist/ccdeck-*.tar.gz | grep -q 'src/ccdeck/web/static/index.html' || \
	{ echo "dist/ lacks the built dashboard (ccdeck/web/static/index.html)"; exit 1; }
	@ls -l dist

clean: ## remove build outputs and caches (not the installed CLI cache)
	rm -rf $(VENV) dist frontend/node_modules src/ccdeck/web/static .pytest_cache .mypy_cache .ruff_cache
