# The two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PACKAGES := -e libs/common -e services/workflow -e services/attendance -e services/complaints \
	-e services/notification -e services/scoring -e services/gateway

.PHONY: run test lint unit integration e2e drills install clean bench rules

$(STAMP): constraints.txt requirements-dev.txt libs/common/pyproject.toml services/*/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade 'pip<27'
	$(BIN)/pip install --quiet -c constraints.txt -r requirements-dev.txt $(PACKAGES)
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python scripts/run_platform.py

test: $(STAMP) lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python scripts/check_shape.py

unit: $(STAMP)
	$(BIN)/python -m pytest -m "not integration and not e2e and not drill"

integration: $(STAMP)
	$(BIN)/python -m pytest -m integration

e2e: $(STAMP)
	$(BIN)/python -m pytest -m e2e

drills: $(STAMP)
	$(BIN)/python -m pytest -m drill

bench: $(STAMP)
	$(BIN)/python scripts/bench.py
	$(BIN)/python scripts/bench_deadlines.py
	$(BIN)/python scripts/bench_scoring.py

# The regulation article by article, with the rule ids, domain functions and settings that
# enforce it (docs/articles.md is the same text; `scripts/rules.py --write` regenerates it).
rules: $(STAMP)
	@$(BIN)/python scripts/rules.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
