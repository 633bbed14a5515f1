# cop_kb: everyday commands. `make run` serves the site locally, `make test` runs the whole test suite
# on SQLite and on PostgreSQL, side by side. Every recipe runs under `bash -e -o pipefail`, so any failing step
# fails the target (and `make` exits non-zero).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# The first of python3.11 / python3 that really is Python 3.11 (pyenv shims may exist without the version).
PYTHON ?= $(shell for p in python3.11 python3; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; \
	then echo $$p; break; fi; done)

VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed

HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

# `make test-postgres` sets up and uses the local server unless TEST_DATABASE_URL names another one.
DEFAULT_TEST_DATABASE_URL := postgres://cop_kb:cop_kb@127.0.0.1:5432/cop_kb
ifeq ($(strip $(TEST_DATABASE_URL)),)
PG_URL   := $(DEFAULT_TEST_DATABASE_URL)
PG_SETUP := scripts/pg-setup.sh
else
PG_URL   := $(TEST_DATABASE_URL)
PG_SETUP := @echo "TEST_DATABASE_URL given: skipping scripts/pg-setup.sh"
endif

.PHONY: help venv run serve static test test-sqlite test-fast test-postgres lint clean distclean

help:
	@echo "make run            migrate, load the framework, collect static files and serve on http://$(HOST):$(PORT)/"
	@echo "make serve          migrate, collect static files and serve with gunicorn and production settings (local HTTP)"
	@echo "make test           run the tests on SQLite and on PostgreSQL, side by side"
	@echo "make test-sqlite    tests on SQLite only (DATABASE_URL unset)"
	@echo "make test-fast      tests on SQLite without the browser tests (the inner loop)"
	@echo "make test-postgres  start/prepare local PostgreSQL (scripts/pg-setup.sh), then run the tests on it"
	@echo "make lint           ruff check . and the dependency contracts (import-linter)"
	@echo "make venv           create .venv and install requirements.lock"
	@echo "make clean          remove generated files (keeps .venv and db.sqlite3); distclean also removes .venv"
	@echo "Variables: HOST, PORT, PYTEST_ARGS, TEST_DATABASE_URL, PYTHON; for serve also WEB_CONCURRENCY (2)"

# ---- environment -----------------------------------------------------------------------------------------

venv: $(STAMP)

$(PY):
	@if [ -z "$(PYTHON)" ]; then echo "ERROR: no Python 3.11 found (tried python3.11 and python3)" >&2; exit 1; fi
	$(PYTHON) -m venv $(VENV)

# Re-installs only when requirements.lock is newer than the stamp.
$(STAMP): requirements.lock | $(PY)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -r requirements.lock
	touch $(STAMP)

# ---- local use -------------------------------------------------------------------------------------------

run: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_framework
	$(PY) manage.py collectstatic --noinput -v0
	@# The whole-data downloads, built in the background (a request for one meanwhile answers 503, Retry-After).
	SITE_URL=http://$(HOST):$(PORT) $(PY) manage.py build_downloads &
	@echo
	@echo "To log into the admin (http://$(HOST):$(PORT)/admin/) create a local account once with:"
	@echo "    $(PY) manage.py createsuperuser"
	@echo
	SITE_URL=http://$(HOST):$(PORT) $(PY) manage.py runserver $(HOST):$(PORT)

# Production as it runs (see scripts/serve.sh): gunicorn, WEB_CONCURRENCY workers, DATABASE_URL, REDIS_URL and
# DATABASE_REPLICA_URL from the environment; plain HTTP on loopback only.
serve: venv
	HOST='$(HOST)' PORT='$(PORT)' PY='$(PY)' scripts/serve.sh

static: venv
	$(PY) manage.py collectstatic --noinput -v0

# ---- checks ----------------------------------------------------------------------------------------------

# The two databases run side by side (each run is mostly one core), each run's output printed whole when it ends;
# `make test` fails if either fails.
test: static
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

test-sqlite: static
	env -u DATABASE_URL $(PY) -m pytest $(PYTEST_ARGS)

# The inner loop: SQLite only, no browser.
test-fast: static
	env -u DATABASE_URL $(PY) -m pytest --ignore=tests/browser $(PYTEST_ARGS)

test-postgres: static
	$(PG_SETUP)
	env DATABASE_URL='$(PG_URL)' $(PY) -m pytest $(PYTEST_ARGS)

# ruff, and the dependency contracts in pyproject.toml ([tool.importlinter]).
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

clean:
	rm -rf staticfiles .pytest_cache .ruff_cache test-results
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
