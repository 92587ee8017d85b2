# Samhandlingsgraf — the two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
SAMGRAF := $(VENV)/bin/samgraf
LINT_DIR := tools/cypher-lint

.PHONY: demo test install install-test lint typecheck bench screenshots clean help browser

help:
	@echo "make demo   - installer, last Kristiansand-datasettet, skriv visninger, start API på http://127.0.0.1:8000"
	@echo "make test   - installer testavhengigheter og kjør hele testsuiten"
	@echo "make bench  - kjør ytelsesmålingene i benchmarks/"

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: $(VENV)/bin/activate pyproject.toml
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PIP) install --quiet -e '.[test]'
	touch $@

$(LINT_DIR)/node_modules/.installed: $(LINT_DIR)/package.json $(LINT_DIR)/package-lock.json
	cd $(LINT_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed

# Debian's chromium for the browser tests, `--png` and `make screenshots` (never a downloaded
# browser). Idempotent: installs only when /usr/bin/chromium is missing.
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1 && echo sudo)

$(CHROMIUM):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium

browser: $(CHROMIUM)

install-test: $(VENV)/.installed-test $(LINT_DIR)/node_modules/.installed

demo: install
	$(SAMGRAF) demo

test: install-test browser
	$(PY) -m pytest

lint: install-test
	$(VENV)/bin/ruff check graph api importers viz samgraf tests benchmarks
	$(VENV)/bin/ruff format --check graph api importers viz samgraf tests benchmarks
	$(VENV)/bin/mypy graph api importers viz samgraf

bench: install-test browser
	$(PY) -m benchmarks

# pictures of the explorer and a report for the README, drawn by headless chromium
screenshots: install-test browser
	$(PY) -m viz.screenshots docs

clean:
	rm -rf $(VENV) .samgraf out .pytest_cache .mypy_cache .ruff_cache $(LINT_DIR)/node_modules
