# Every target bootstraps .venv itself (python3 -m venv; uv installs the project in editable mode)
# and re-installs when pyproject.toml changes (the stamp file is older than it). Bytecode is
# compiled at install: where PYTHONDONTWRITEBYTECODE is set, imports were half a run's fixed cost.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.milemarker-installed

.PHONY: demo dev test lint dashboard dashboard-dev dashboard-deps bench stress

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -e '.[dev]'
	touch $(STAMP)

## demo: sandbox -> raw tables -> dbt, as one recorded Dagster run; prints a summary
demo: $(STAMP)
	$(BIN)/python -m dagster_project demo

## dev: the Dagster UI on http://127.0.0.1:3000 (runs start the embedded sandbox themselves)
dev: $(STAMP)
	$(BIN)/python -m dagster_project dev

## test: the whole suite, end-to-end tests included (select them alone with -m slow)
test: $(STAMP) dashboard-deps
	$(BIN)/pytest

## stress: the long fault storm (3 seeds, scale 0.3, marts compared) and 16 SIGKILLed landings;
## prints runs, faults, retries and rows compared (about 15 minutes on 2 cores)
stress: $(STAMP)
	$(BIN)/pytest tests/stress -m stress

# The benchmark runs in its own virtualenv so that dlt (the comparison) never enters the product's
# dependencies: the project (editable) plus bench/requirements.txt, reinstalled when either changes.
BENCH_VENV := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.milemarker-bench-installed
BENCH_ARGS ?=

$(BENCH_STAMP): pyproject.toml bench/requirements.txt
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	test -x $(BENCH_VENV)/bin/uv || $(BENCH_VENV)/bin/python -m pip install --quiet uv
	$(BENCH_VENV)/bin/uv pip install --quiet --compile-bytecode --python $(BENCH_VENV)/bin/python -e . -r bench/requirements.txt
	touch $(BENCH_STAMP)

## bench: speed and scale vs dlt at small, default and large scale (BENCH_ARGS="--scales small --runs 5"); writes
## bench-results.json and docs/benchmarks.md (see docs/benchmarks.md for what it measures)
bench: $(BENCH_STAMP)
	$(BENCH_VENV)/bin/python -m bench run $(BENCH_ARGS)

## lint: ruff lint and format check
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The Evidence dashboard (reports/) reads the Parquet exports, never the warehouse. Its node
# modules stay in reports/node_modules (git-ignored) and are reinstalled when package.json or the
# lock changes; `npm install`, not `npm ci`, because the lock lacks other platforms' optional
# binaries. reports/exports links to the export directory the Dagster run writes.
REPORTS := reports
NODE_STAMP := $(REPORTS)/node_modules/.milemarker-installed
CHROMIUM := /usr/bin/chromium
EXPORT_DIR = $(shell $(BIN)/python -c 'from dagster_project.lib.exports import export_dir; print(export_dir())')

$(NODE_STAMP): $(REPORTS)/package.json $(REPORTS)/package-lock.json
	cd $(REPORTS) && npm install --no-audit --no-fund
	touch $(NODE_STAMP)

$(CHROMIUM):
	apt-get update -qq && apt-get install -y -qq chromium

## dashboard-deps: Evidence's node modules and headless Chromium (for the browser test)
dashboard-deps: $(NODE_STAMP) $(CHROMIUM)

## dashboard: build the Evidence site into reports/build/ from the current exports (after `make demo`)
dashboard: $(STAMP) $(NODE_STAMP)
	ln -sfn "$(EXPORT_DIR)" $(REPORTS)/exports
	cd $(REPORTS) && npm run sources -- --strict && npm run build:strict

## dashboard-dev: the dashboard live on http://127.0.0.1:3001, re-rendered as pages are edited
dashboard-dev: $(STAMP) $(NODE_STAMP)
	ln -sfn "$(EXPORT_DIR)" $(REPORTS)/exports
	cd $(REPORTS) && npm run sources -- --strict && npm run dev
