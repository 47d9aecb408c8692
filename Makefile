# The two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The browser tests drive Debian's Chromium (/usr/bin/chromium): Playwright never downloads one.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
PACKAGES := -e libs/common -e services/workflow -e services/attendance -e services/complaints \
	-e services/notification -e services/scoring -e services/gateway

.PHONY: run test lint unit integration e2e drills browser install clean bench rules web demo

# The front end (web/): installed from its lock file, built into web/dist/ when a source changed.
WEB_MODULES := web/node_modules/.installed
WEB_BUILT := web/dist/.built
WEB_SOURCES := $(shell find web/src web/console web/h5 -type f 2>/dev/null) web/apps.js web/build.js \
	web/vite.config.js web/package.json

$(STAMP): constraints.txt requirements-dev.txt libs/common/pyproject.toml services/*/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade 'pip<27'
	$(BIN)/pip install --quiet -c constraints.txt -r requirements-dev.txt $(PACKAGES)
	touch $(STAMP)

install: $(STAMP)

$(WEB_MODULES): web/package-lock.json
	@command -v node >/dev/null && command -v npm >/dev/null || { echo "error: Node.js 20.19+ and npm build the" \
		"front end (web/); install them (Debian: apt-get install nodejs npm) and run make again" >&2; exit 1; }
	@node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' \
		|| { echo "error: Node.js $$(node --version) is too old for the front end's build (Vite 8): 20.19 or newer" >&2; exit 1; }
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(WEB_BUILT): $(WEB_MODULES) $(WEB_SOURCES)
	cd web && npm run build
	touch $@

web: $(WEB_BUILT)

# `make run SEED=district` also seeds the larger demo district once the platform is up (README.md,
# "A larger demo district"); `make demo` seeds it into the platform `make run` started.
SEED ?= demo
GATEWAY ?= http://127.0.0.1:8000
DEMO_ARGS ?=

run: $(STAMP) $(WEB_BUILT)
ifeq ($(SEED),district)
	$(BIN)/python scripts/demo_district.py --start-platform --gateway $(GATEWAY) $(DEMO_ARGS)
else
	$(BIN)/python scripts/run_platform.py
endif

demo: $(STAMP)
	$(BIN)/python scripts/demo_district.py --gateway $(GATEWAY) $(DEMO_ARGS)

test: $(STAMP) lint $(WEB_BUILT)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python scripts/check_shape.py

unit: $(STAMP)
	$(BIN)/python -m pytest -m "not integration and not e2e and not drill and not browser"

integration: $(STAMP)
	$(BIN)/python -m pytest -m integration

e2e: $(STAMP)
	$(BIN)/python -m pytest -m e2e

drills: $(STAMP)
	$(BIN)/python -m pytest -m drill

browser: $(STAMP) $(WEB_BUILT)
	$(BIN)/python -m pytest -m browser

bench: $(STAMP)
	$(BIN)/python scripts/bench_checkins.py
	$(BIN)/python scripts/bench.py
	$(BIN)/python scripts/bench_deadlines.py
	$(BIN)/python scripts/bench_scoring.py

# The regulation article by article, with the rule ids, domain functions and settings that
# enforce it (docs/articles.md is the same text; `scripts/rules.py --write` regenerates it).
rules: $(STAMP)
	@$(BIN)/python scripts/rules.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache web/node_modules web/dist
