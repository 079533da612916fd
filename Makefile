# The two set-up commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint install browser clean

# Debian's Chromium and ChromeDriver drive the browser tests; the CJK fonts let Japanese pages render in them.
BROWSER_PACKAGES := chromium chromium-driver fonts-noto-cjk

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

browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || ! fc-list :lang=ja | grep -q .; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y -q $(BROWSER_PACKAGES) >/dev/null; \
	  else echo "browser tests need: sudo apt-get install $(BROWSER_PACKAGES)" >&2; exit 1; fi; \
	fi

## Install, lint, type-check and run every test (PostgreSQL ones need CATALOG_TEST_POSTGRES_URL)
test: lint browser
	$(BIN)/pytest

clean:
	rm -rf $(VENV) instance build *.egg-info
