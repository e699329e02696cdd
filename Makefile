# Two entry points for a fresh machine: `make run` (install and serve) and `make test` (install and
# run the whole test suite). Everything goes into ./.venv and ./build; nothing is installed globally.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Test clients that cannot share the dev environment (old major versions, aider's pinned
# dependencies) each get their own under build/clients/.
CLIENTS := build/clients
CLIENT_PINS := anthropic0=anthropic==0.125.0 openai1=openai==1.109.1 aider=aider-chat==0.86.2
CLIENT_STAMPS := $(foreach pin,$(CLIENT_PINS),$(CLIENTS)/$(firstword $(subst =, ,$(pin)))/.installed)
# The real Codex CLI, a client of /codex in the tests (keep in step with tests/e2e/codex_cli.py).
CODEX_CLI_VERSION := 0.169.0
CLIENT_STAMPS += $(CLIENTS)/codex/.installed

.PHONY: run test lint install dev bench clean

run: $(VENV)/.installed
	$(BIN)/ccproxy $(ARGS)

test: $(VENV)/.dev $(CLIENT_STAMPS)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

install: $(VENV)/.installed
dev: $(VENV)/.dev

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $(VENV)/.installed $@

$(CLIENTS)/%/.installed: Makefile
	rm -rf $(CLIENTS)/$*
	$(PYTHON) -m venv $(CLIENTS)/$*
	$(CLIENTS)/$*/bin/pip install -q $(patsubst $*=%,%,$(filter $*=%,$(CLIENT_PINS)))
	touch $@

$(CLIENTS)/codex/.installed: Makefile
	@command -v npm >/dev/null || { echo "the Codex CLI tests need node and npm (Debian: nodejs npm)"; exit 1; }
	rm -rf $(CLIENTS)/codex
	npm install --silent --no-audit --no-fund --prefix $(CLIENTS)/codex @openai/codex@$(CODEX_CLI_VERSION)
	touch $@

# The benchmark (not part of the tests): the peers in their own environments, then one run.
BENCH := build/bench
BENCH_PINS := runner=matplotlib==3.11.2_uvloop==0.23.0 litellm=litellm[proxy]==1.106.0 ccproxy-api=ccproxy-api==0.2.10
BENCH_STAMPS := $(foreach pin,$(BENCH_PINS),$(BENCH)/$(firstword $(subst =, ,$(pin)))/.installed)

bench: $(VENV)/.installed $(BENCH_STAMPS)
	@command -v wrk >/dev/null && command -v hyperfine >/dev/null || \
		apt-get install -y -qq wrk hyperfine || \
		{ echo "bench needs wrk and hyperfine (Debian packages)"; exit 1; }
	$(BENCH)/runner/bin/python -m bench.run $(BENCH_ARGS)

$(BENCH)/%/.installed: Makefile
	rm -rf $(BENCH)/$*
	$(PYTHON) -m venv $(BENCH)/$*
	$(BENCH)/$*/bin/pip install -q $(subst _, ,$(patsubst $*=%,%,$(filter $*=%,$(BENCH_PINS))))
	touch $@

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache
