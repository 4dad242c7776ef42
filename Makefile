# The two commands a new machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test lint migrate seed worker beat benchmark screenshots clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-base: requirements/base.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements/base.txt
	touch $@

$(VENV)/.installed-dev: requirements/base.txt requirements/dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements/dev.txt
	touch $(VENV)/.installed-base $@

run: $(VENV)/.installed-base
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py runall

# The real peers (the SSO tests' identity providers, a Bluesky PDS) come from npm, installed again when the lock changes;
# without npm (or the registry) those tests skip, naming what is missing.
PEERS_STAMP := tests/peers/node_modules/.package-lock.json

$(PEERS_STAMP): tests/peers/package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --prefix tests/peers --no-audit --no-fund --loglevel=error || echo "npm ci failed: the real-peer tests (SSO, Bluesky PDS) will skip"; \
	else echo "npm not found: the tests with real peers (SSO, Bluesky PDS) will skip"; fi

test: $(VENV)/.installed-dev $(PEERS_STAMP)
	$(PY) -m ruff check .
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

migrate: $(VENV)/.installed-base
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

benchmark: $(VENV)/.installed-dev
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

# PNGs of each role's main pages at 1366×900 and 390×844 into docs/screenshots/ (a throw-away demo database).
screenshots: $(VENV)/.installed-dev
	$(PY) tools/screenshots.py

clean:
	rm -rf var/ .pytest_cache .ruff_cache
