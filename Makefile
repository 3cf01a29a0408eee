# Levelground: `make run` to try it, `make test` to check it. Both set everything up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ASSETS := web/static/vendor/.installed
PYTEST_ARGS ?=
BENCH_ARGS ?=

.PHONY: run test test-scale check format migrate seed bench clean assets messages screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]' --config-settings editable_mode=compat
	touch $(STAMP)

# Front-end assets (NHS.UK design system, htmx) from npm, copied into web/static/vendor.
$(ASSETS): package.json package-lock.json scripts/vendor_assets.py | $(BIN)/python
	npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python scripts/vendor_assets.py
	touch $(ASSETS)

assets: $(ASSETS)

## messages: refresh the translation template and catalogs from the code and templates
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -o web/locale/messages.pot --no-location --omit-header --ignore-dirs=".venv node_modules .git" .
	$(BIN)/pybabel update -i web/locale/messages.pot -d web/locale --no-location --omit-header

## run: install, start the embedded PostgreSQL, migrate, seed demo data, serve on :8000
run: $(STAMP) $(ASSETS)
	$(BIN)/levelground serve

## test: install and run the whole suite (embedded PostgreSQL unless DATABASE_URL is set)
test: $(STAMP) $(ASSETS)
	$(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

## test-scale: results at city scale (100,000 voters; LEVELGROUND_SCALE_VOTERS to change)
test-scale: $(STAMP)
	$(BIN)/python -m pytest -n 2 -m scale tests/test_scale.py $(PYTEST_ARGS)

## check: formatting, lint and types
check: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrate: $(STAMP)
	$(BIN)/levelground migrate

seed: $(STAMP)
	$(BIN)/levelground seed-demo

## screenshots: run the browser tests and copy the README's pictures into docs/screenshots
README_SHOTS := resident-area resident-vote-dots resident-results resident-action-plan \
	facilitator-join-code facilitator-paper-ballots
screenshots: $(STAMP) $(ASSETS)
	$(BIN)/python -m pytest -q tests/browser
	mkdir -p docs/screenshots
	for shot in $(README_SHOTS); do cp artifacts/screenshots/$$shot.png docs/screenshots/; done

## bench: Levelground, the limit (Starlette + asyncpg) and PostGraphile side by side; see README
bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules web/static/vendor .pytest_cache .mypy_cache .ruff_cache
