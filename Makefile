# Two commands do all set-up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
export DAGSTER_DISABLE_TELEMETRY := 1

.PHONY: install run test lint format bench ui browser help

help:
	@echo "make run    install, start the embedded database, apply migrations, run the whole pipeline on demo data"
	@echo "make test   install if needed, lint, run the whole test suite against a real PostgreSQL + pgvector"
	@echo "make bench  run every benchmark in bench/"
	@echo "make ui     Dagster UI + daemon on http://127.0.0.1:3000"

# Re-install only when the project's dependencies change.
$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is required"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing the platform into $(VENV) (first time: ~2 minutes)"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
	@set -o pipefail; $(BIN)/python -m pip install --quiet --disable-pip-version-check \
		-c constraints.txt -e '.[dev]' 2>&1 | { grep -v -e "^WARNING: Location" -e "html_clean" || true; }
	@touch $(STAMP)

install: $(STAMP)

run: install
	@$(BIN)/aip pipeline

test: install lint browser
	@$(BIN)/python -m pytest -p no:cacheprovider $(PYTEST_ARGS)

lint: install
	@$(BIN)/ruff format --check orchestration assets tests bench
	@$(BIN)/ruff check orchestration assets tests bench
	@$(BIN)/sqlfluff lint --processes 2 sql/migrations dbt_project/models dbt_project/macros dbt_project/tests

format: install
	@$(BIN)/ruff format orchestration assets tests bench
	@$(BIN)/ruff check --fix orchestration assets tests bench

# The UI test renders the Dagster lineage page in Debian's headless Chromium.
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then echo "installing Debian's chromium for the UI test"; \
	    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "the UI test needs Chromium: sudo apt-get install chromium"; exit 1; fi; }

bench: install
	@set -e; for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script; done

ui: install
	@$(BIN)/aip ui
