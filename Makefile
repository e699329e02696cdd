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

.PHONY: run test lint install dev clean

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

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache
