# Two entry points for a fresh machine: `make run` (install and serve) and `make test` (install and
# run the whole test suite). Everything goes into ./.venv and ./build; nothing is installed globally.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The old major version of the anthropic SDK (sends x-api-key) lives in its own environment.
OLD_ANTHROPIC := build/clients/anthropic0

.PHONY: run test lint install dev clean

run: $(VENV)/.installed
	$(BIN)/ccproxy $(ARGS)

test: $(VENV)/.dev $(OLD_ANTHROPIC)/.installed
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

$(OLD_ANTHROPIC)/.installed:
	$(PYTHON) -m venv $(OLD_ANTHROPIC)
	$(OLD_ANTHROPIC)/bin/pip install -q anthropic==0.125.0
	touch $@

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache
