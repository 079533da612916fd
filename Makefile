# The two set-up commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint install clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## Build the demo archive in SQLite (instance/catalog.sqlite) and serve it at http://127.0.0.1:8000
demo: $(STAMP)
	$(BIN)/isas-catalog demo
	$(BIN)/isas-catalog serve --host 127.0.0.1 --port 8000

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## Install, lint, type-check and run every test (PostgreSQL ones need CATALOG_TEST_POSTGRES_URL)
test: lint
	$(BIN)/pytest

clean:
	rm -rf $(VENV) instance build *.egg-info
