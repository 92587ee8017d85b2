# Samhandlingsgraf — the two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
SAMGRAF := $(VENV)/bin/samgraf
LINT_DIR := tools/cypher-lint

.PHONY: demo test install install-test lint typecheck bench screenshots clean help browser neo4j neo4j-stop neo4j-tools

help:
	@echo "make demo   - installer, last Kristiansand-datasettet, skriv visninger, start API på http://127.0.0.1:8000"
	@echo "make test   - installer testavhengigheter og kjør hele testsuiten"
	@echo "make bench  - kjør ytelsesmålingene i benchmarks/ (begge databasene)"
	@echo "make neo4j  - start en lokal Neo4j 5 (produksjonsmotoren) uten Docker; make neo4j-stop"

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

# A JDK and Maven for the local Neo4j (tools/neo4j): Debian's, installed only when missing.
# Maven fetches Neo4j Community once into tools/neo4j/lib; javac compiles the launcher.
neo4j-tools: install
	@command -v javac >/dev/null 2>&1 && command -v mvn >/dev/null 2>&1 || { \
	  $(SUDO) apt-get update && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	    default-jdk-headless maven; }
	$(PY) -c "from graph.neo4j_local import prepare; prepare()"

# The production engine on this machine, no Docker: data in $$SAMGRAF_DB_PATH/neo4j
neo4j: neo4j-tools
	$(SAMGRAF) db start --neo4j

neo4j-stop: install
	$(SAMGRAF) db stop --neo4j

demo: install
	$(SAMGRAF) demo

# The whole suite on both backends: tests/conftest.py starts a local Neo4j (unless NEO4J_URI
# names one), exports NEO4J_URI/NEO4J_USERNAME/NEO4J_PASSWORD and stops it at the end.
test: install-test browser neo4j-tools
	$(PY) -m pytest

lint: install-test
	$(VENV)/bin/ruff check graph api importers viz samgraf tests benchmarks
	$(VENV)/bin/ruff format --check graph api importers viz samgraf tests benchmarks
	$(VENV)/bin/mypy graph api importers viz samgraf

bench: install-test browser neo4j-tools
	$(PY) -m benchmarks

# pictures of the explorer and a report for the README, drawn by headless chromium
screenshots: install-test browser
	$(PY) -m viz.screenshots docs

clean:
	rm -rf $(VENV) .samgraf out .pytest_cache .mypy_cache .ruff_cache $(LINT_DIR)/node_modules
