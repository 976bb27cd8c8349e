# aipolicy — two commands on a fresh machine:
#   make run    create .venv, install, create the CA, start the proxy on 127.0.0.1:8080
#   make test   the same set-up, then every test (unit, addon, end-to-end)
# Other targets: make check (validate the default ruleset), make lint, make bench,
# make bench-smoke, make eval (detection: development, generated and validation sets),
# make ca-export, make clean.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
RULESET ?= rulesets/default.yaml
ARGS ?=

.PHONY: run test check lint bench bench-smoke eval ca ca-export clean setup system-deps

# Find a working Python >= 3.12: on PATH first, then pyenv's installed versions.
# (pyenv shims for versions that are not selected fail when run, so each candidate
# is actually executed.)
define FIND_PYTHON
for c in python3.12 python3.13 python3 \
         $$( (pyenv root 2>/dev/null || echo "$$HOME/.pyenv") | sed 's|$$|/versions|' | \
             xargs -I{} sh -c 'ls -d {}/3.1[2-9]*/bin/python3 {}/3.[2-9][0-9]*/bin/python3 2>/dev/null' | sort -V); do \
  if command -v "$$c" >/dev/null 2>&1 && \
     "$$c" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then \
    command -v "$$c"; exit 0; \
  fi; \
done; exit 1
endef
export FIND_PYTHON

$(STAMP): pyproject.toml
	@py=$$(bash -c "$$FIND_PYTHON") || { \
	  echo "aipolicy needs Python 3.12 or newer (mitmproxy 12 does), and none was found" >&2; \
	  echo "on PATH or among pyenv's versions. Install one, for example:" >&2; \
	  echo "  Debian/Ubuntu: sudo apt-get install python3.12 python3.12-venv" >&2; \
	  echo "  pyenv:         pyenv install 3.12" >&2; \
	  echo "  macOS:         brew install python@3.12" >&2; \
	  exit 1; }; \
	echo "using $$py ($$($$py --version))"; \
	if [ ! -x $(PY) ]; then $$py -m venv $(VENV); fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

setup: $(STAMP)
	@$(VENV)/bin/aipolicy ca init

run: setup
	$(VENV)/bin/aipolicy run --ruleset $(RULESET) $(ARGS)

# System packages for the browser tests (Debian chromium); needs root and apt.
system-deps:
	@if command -v chromium >/dev/null 2>&1; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	    || echo "warning: could not install chromium; browser tests will be skipped" >&2; \
	else echo "note: chromium not installed and not root; browser tests will be skipped" >&2; fi

test: setup system-deps
	$(VENV)/bin/ruff check aipolicy addons tests bench
	$(VENV)/bin/aipolicy check $(RULESET)
	$(VENV)/bin/pytest -q

check: setup
	$(VENV)/bin/aipolicy check $(RULESET)

lint: setup
	$(VENV)/bin/ruff check aipolicy addons tests bench

bench: setup
	$(PY) -m bench.run

bench-smoke: setup
	$(PY) -m bench.run --smoke

# Detection end to end through the real pipeline, per type, on the development, generated
# and validation sets side by side, with stock Presidio and detect-secrets as anchors;
# writes bench/results/eval.{json,md} (about 10 minutes on 2 cores).
eval: setup
	$(PY) -m bench.eval $(ARGS)

ca-export: setup
	$(VENV)/bin/aipolicy ca export

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
