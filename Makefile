# Every target bootstraps .venv itself (python3 -m venv; pip installs uv, pinned below) and installs
# exactly the versions in uv.lock, the project in editable mode (`uv sync --locked`), re-installing
# when pyproject.toml or uv.lock changes (the stamp file is older than either). --locked fails when
# pyproject.toml changed without a new lock: run `make lock` (uv lock) and commit uv.lock with it.
# --inexact leaves uv and pip (not in the lock) in the venv. Bytecode is compiled at install: where
# PYTHONDONTWRITEBYTECODE is set, imports were half a run's fixed cost.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.milemarker-installed
UV_VERSION := 0.13.9
LOCK_ARGS ?=

.PHONY: demo dev serve test postgres-deps lint lint-sql lock dashboard dashboard-dev dashboard-deps contract-deps contracts bench stress forecast-backtest

$(BIN)/uv:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)

$(STAMP): pyproject.toml uv.lock | $(BIN)/uv
	UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv sync --quiet --locked --inexact --extra dev --compile-bytecode
	touch $(STAMP)

## lock: re-resolve uv.lock from pyproject.toml, keeping every pin that still fits
## (LOCK_ARGS=--upgrade moves everything to the newest allowed; --upgrade-package NAME one package)
lock: | $(BIN)/uv
	$(BIN)/uv lock $(LOCK_ARGS)

## demo: sandbox -> raw tables -> dbt, as one recorded Dagster run; prints a summary
demo: $(STAMP)
	$(BIN)/python -m dagster_project demo

## dev: the Dagster UI on http://127.0.0.1:3000 (runs start the embedded sandbox themselves)
dev: $(STAMP)
	$(BIN)/python -m dagster_project dev

## serve: production mode, dagster-webserver (http://127.0.0.1:3000) and dagster-daemon (schedules, sensors,
## alerts) as two processes on the shared instance (SERVE_ARGS="--storage postgres --port 3000"; docs/deploy.md)
SERVE_ARGS ?=
serve: $(STAMP)
	$(BIN)/python -m dagster_project serve $(SERVE_ARGS)

## test: the whole suite, end-to-end and contract tests included (select them alone with -m slow), on
## TEST_WORKERS pytest-xdist workers (default 2: one per core); each test module stays on one worker, so
## its module-scoped fixtures (a landed warehouse, a story of runs) are built once
TEST_WORKERS ?= 2
test: $(STAMP) dashboard-deps contract-deps postgres-deps
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

## stress: the long fault storm (3 seeds, scale 0.3, marts compared) and 16 SIGKILLed landings;
## prints runs, faults, retries and rows compared (about 15 minutes on 2 cores)
stress: $(STAMP)
	$(BIN)/pytest tests/stress -m stress

# The benchmark runs in its own virtualenv so that dlt (the comparison) never enters the product's
# dependencies: the project (editable) at the versions in uv.lock, then bench/requirements.txt
# resolved with the lock's versions as constraints (so dlt never moves a product dependency);
# reinstalled when pyproject.toml, uv.lock or bench/requirements.txt changes.
BENCH_VENV := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.milemarker-bench-installed
BENCH_ARGS ?=

$(BENCH_STAMP): pyproject.toml uv.lock bench/requirements.txt
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	test -x $(BENCH_VENV)/bin/uv || $(BENCH_VENV)/bin/python -m pip install --quiet uv==$(UV_VERSION)
	UV_PROJECT_ENVIRONMENT=$(BENCH_VENV) $(BENCH_VENV)/bin/uv sync --quiet --locked --inexact --compile-bytecode
	$(BENCH_VENV)/bin/uv export --quiet --locked --no-hashes --no-emit-project -o $(BENCH_VENV)/lock-constraints.txt
	$(BENCH_VENV)/bin/uv pip install --quiet --compile-bytecode --python $(BENCH_VENV)/bin/python \
		-r bench/requirements.txt -c $(BENCH_VENV)/lock-constraints.txt
	touch $(BENCH_STAMP)

## bench: speed and scale vs dlt at small, default and large scale (BENCH_ARGS="--scales small --runs 5"); writes
## bench-results.json and docs/benchmarks.md (see docs/benchmarks.md for what it measures)
bench: $(BENCH_STAMP)
	$(BENCH_VENV)/bin/python -m bench run $(BENCH_ARGS)

## forecast-backtest: the forecast vs fair baselines and the oracle on 5 sandbox businesses (horizons 1-3);
## writes the table into docs/forecast.md. Landed warehouses are kept in data/forecast-backtest and reused
## (dbt builds them each run; FORECAST_BACKTEST_ARGS="--rebuild" lands them again; ~15 min on 2 cores from scratch)
FORECAST_BACKTEST_ARGS ?=
forecast-backtest: $(STAMP)
	$(BIN)/python -m bench.forecast_backtest --write-docs $(FORECAST_BACKTEST_ARGS)

## lint: ruff lint and format check, the dbt models' SQL lint (lint-sql), then `dg check defs`
## (every Dagster definition loads and validates), each step timed; what CI runs before the tests.
lint: $(STAMP) lint-sql
	$(call timed,ruff check) $(BIN)/ruff check .
	$(call timed,ruff format) $(BIN)/ruff format --check .
	$(call timed,dg check defs) env VIRTUAL_ENV=$(CURDIR)/$(VENV) $(BIN)/dg check defs

# The dbt models' SQL lint (.sqlfluff: the DuckDB dialect and the project's style); to apply its
# fixes, `.venv/bin/sqlfluff fix dbt/models` (layout only: the excluded rules are the ones whose
# fixes would change a model's meaning, see .sqlfluff).
## lint-sql: sqlfluff over dbt/models (2 processes; about a minute on 2 cores)
lint-sql: $(STAMP)
	$(call timed,sqlfluff lint) $(BIN)/sqlfluff lint --processes 2 dbt/models

# A lint step timed by bash's `time` keyword, labelled: "[ruff check: 0.1s]" on stderr.
timed = TIMEFORMAT='[$(1): %1Rs]'; time
lint lint-sql: SHELL := /bin/bash

# The Evidence dashboard (reports/) reads the Parquet exports, never the warehouse. Its node
# modules stay in reports/node_modules (git-ignored) and are reinstalled when package.json or the
# lock changes; `npm install`, not `npm ci`, because the lock lacks other platforms' optional
# binaries. reports/exports links to the export generation published last (what <export dir>/current
# names at that moment), so one build reads one whole set even if a run publishes another meanwhile.
REPORTS := reports
NODE_STAMP := $(REPORTS)/node_modules/.milemarker-installed
CHROMIUM := /usr/bin/chromium
PUBLISHED_EXPORTS = $(BIN)/python -c 'from dagster_project.warehouse.exports import export_dir, published; print(published(export_dir()))'
LINK_EXPORTS = exports=$$($(PUBLISHED_EXPORTS)) && ln -sfn "$$exports" $(REPORTS)/exports

$(NODE_STAMP): $(REPORTS)/package.json $(REPORTS)/package-lock.json
	cd $(REPORTS) && npm install --no-audit --no-fund
	touch $(NODE_STAMP)

$(CHROMIUM):
	apt-get update -qq && apt-get install -y -qq chromium

## postgres-deps: Debian's PostgreSQL server binaries, for the run-storage test (tests start their own server)
postgres-deps:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
		(apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql)

## dashboard-deps: Evidence's node modules and headless Chromium (for the browser test)
dashboard-deps: $(NODE_STAMP) $(CHROMIUM)

## dashboard: build the Evidence site into reports/build/ from the current exports (after `make demo`)
dashboard: $(STAMP) $(NODE_STAMP)
	$(LINK_EXPORTS)
	cd $(REPORTS) && npm run sources -- --strict && npm run build:strict

## dashboard-dev: the dashboard live on http://127.0.0.1:3001, re-rendered as pages are edited
dashboard-dev: $(STAMP) $(NODE_STAMP)
	$(LINK_EXPORTS)
	cd $(REPORTS) && npm run sources -- --strict && npm run dev

# The contract tests (tests/contract) serve the vendors' official OpenAPI specs with Stoplight Prism,
# pinned in tests/contract/mock/package.json. Its node modules stay in tests/contract/mock/node_modules
# (git-ignored) and are reinstalled when package.json or the lock changes; `npm ci`, not `npm install`:
# Prism is plain JavaScript (no per-platform binaries), so the lock installs exactly everywhere.
CONTRACT_MOCK := tests/contract/mock
CONTRACT_STAMP := $(CONTRACT_MOCK)/node_modules/.milemarker-installed

$(CONTRACT_STAMP): $(CONTRACT_MOCK)/package.json $(CONTRACT_MOCK)/package-lock.json
	cd $(CONTRACT_MOCK) && npm ci --no-audit --no-fund
	touch $(CONTRACT_STAMP)

## contract-deps: Stoplight Prism for the contract tests
contract-deps: $(CONTRACT_STAMP)

## contracts: run every stream against the spec mocks and rewrite the results table in docs/contracts.md
contracts: $(STAMP) $(CONTRACT_STAMP)
	$(BIN)/python tests/contract/write_contracts_doc.py
