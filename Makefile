# aipolicy — two commands on a fresh machine:
#   make run    create .venv, install, create the CA, start the proxy on 127.0.0.1:8080
#   make test   the same set-up, then every test (unit, addon, end-to-end)
# Other targets: make clients (the pinned real clients the end-to-end tests drive),
# make check (validate the default ruleset), make lint, make bench, make bench-smoke,
# make eval (detection: development, generated and validation sets),
# make ca-export, make clean.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
RULESET ?= rulesets/default.yaml
ARGS ?=

.PHONY: run test check lint bench bench-smoke eval ca ca-export clean setup system-deps clients

# The real clients (tests/e2e/clients.py): Claude Code and Codex from npm, aider from PyPI
# in its own virtualenv (its exact dependency pins would fight ours).
NPM_STAMP := clients/node_modules/.installed
AIDER_VENV := .venv-aider
AIDER_STAMP := $(AIDER_VENV)/.installed

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

# aider-chat 0.86 supports Python 3.10 to 3.12 only.
define FIND_AIDER_PYTHON
for c in python3.12 python3.11 python3.10 \
         $$( (pyenv root 2>/dev/null || echo "$$HOME/.pyenv") | sed 's|$$|/versions|' | \
             xargs -I{} sh -c 'ls -d {}/3.1[0-2]*/bin/python3 2>/dev/null' | sort -rV); do \
  if command -v "$$c" >/dev/null 2>&1 && \
     "$$c" -c 'import sys; sys.exit(0 if (3, 10) <= sys.version_info < (3, 13) else 1)' >/dev/null 2>&1; then \
    command -v "$$c"; exit 0; \
  fi; \
done; exit 1
endef
export FIND_AIDER_PYTHON

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

# Debian packages the tests need: chromium (browser tests) and redis-server (the shared
# state store's tests). Installed when missing, as root with apt; otherwise say so.
SYSTEM_PACKAGES := chromium redis-server
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  command -v $$p >/dev/null 2>&1 || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing$$missing for the tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	    || echo "warning: could not install$$missing; tests that need them will fail" >&2; \
	else echo "note:$$missing not installed and not root; tests that need them will fail" >&2; fi

# npm ci installs exactly clients/package-lock.json (each CLI ships its native binary as
# a per-platform optional dependency). Claude Code declares node >= 22 but runs its own
# native binary, so node 20 works: the engine check must not stop the install.
$(NPM_STAMP): clients/package.json clients/package-lock.json
	@if ! command -v npm >/dev/null 2>&1; then \
	  echo "note: npm not found; the Claude Code and Codex CLI tests will be skipped" >&2; \
	  echo "      (install Node.js 20+ with npm, then run make clients)" >&2; exit 0; fi; \
	echo "installing the pinned Claude Code and Codex CLIs (clients/package-lock.json)"; \
	cd clients && npm ci --no-audit --no-fund --engine-strict=false --loglevel=error && \
	node_modules/.bin/claude --version && node_modules/.bin/codex --version && \
	touch node_modules/.installed

$(AIDER_STAMP): clients/aider-requirements.txt
	@py=$$(bash -c "$$FIND_AIDER_PYTHON") || { \
	  echo "note: no Python 3.10-3.12 found; the aider tests will be skipped" >&2; exit 0; }; \
	echo "installing the pinned aider into $(AIDER_VENV) with $$py"; \
	rm -rf $(AIDER_VENV) && $$py -m venv $(AIDER_VENV) && \
	$(AIDER_VENV)/bin/python -m pip install --quiet --upgrade pip && \
	$(AIDER_VENV)/bin/python -m pip install --quiet -r clients/aider-requirements.txt && \
	$(AIDER_VENV)/bin/aider --version && touch $(AIDER_STAMP)

clients: $(NPM_STAMP) $(AIDER_STAMP)

test: setup system-deps clients
	$(VENV)/bin/ruff check aipolicy addons tests bench
	$(VENV)/bin/aipolicy check $(RULESET)
	$(VENV)/bin/pytest -q -n 2 --dist loadfile --durations=40

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
	rm -rf $(VENV) $(AIDER_VENV) clients/node_modules build *.egg-info .pytest_cache .ruff_cache
