# Tandem: `make run` starts the app with a demo project; `make test` runs every check.
# Both install what they need first (Python venv with the CPU build of torch, Node packages,
# the built frontend); later runs skip what is already up to date.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .make
FRONTEND_SOURCES := $(shell find frontend/src frontend/index.html frontend/vite.config.ts frontend/tsconfig*.json -type f 2>/dev/null)

.PHONY: run test install lint lint-python typecheck lint-frontend test-python test-frontend build-frontend browser clean bench

# The laptop settings (SQLite, DEBUG, loopback only); every entry point defaults to production.
run: install
	DJANGO_SETTINGS_MODULE=config.settings.local $(BIN)/python manage.py runtandem

# The static checks and Vitest run side by side (mypy takes one core, ESLint and Vitest the
# other; --output-sync prints each one's output in one piece); pytest runs after them, alone.
test: install browser
	$(MAKE) --no-print-directory -j2 --output-sync=target lint-python typecheck lint-frontend test-frontend
	$(MAKE) --no-print-directory test-python

install: $(STAMPS)/python $(STAMPS)/frontend-build

$(STAMPS)/python: pyproject.toml
	@mkdir -p $(STAMPS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# The CPU build of torch first, so nothing later resolves a (multi-GB) CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

$(STAMPS)/frontend-deps: frontend/package.json frontend/package-lock.json
	@mkdir -p $(STAMPS)
	npm --prefix frontend ci --no-audit --no-fund
	touch $@

$(STAMPS)/frontend-build: $(STAMPS)/frontend-deps $(FRONTEND_SOURCES)
	npm --prefix frontend run build
	touch $@

build-frontend: $(STAMPS)/frontend-build

# Browser tests drive Debian's Chromium; the X-Accel-Redirect test puts nginx in front of the
# app. Install them when we can (root with apt-get).
browser:
	@missing=""; [ -x /usr/bin/chromium ] || missing="chromium"; \
	command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing="$$missing nginx-light"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Not installed: $$missing; the tests that need them will be skipped (apt-get install $$missing)."; fi; \
	fi

lint: lint-python typecheck lint-frontend

lint-python: $(STAMPS)/python
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# mypy with the Django and DRF plugins over the apps and config ([tool.mypy] in pyproject.toml).
# Results are cached in .mypy_cache: a run after a small change takes seconds.
typecheck: $(STAMPS)/python
	$(BIN)/mypy

lint-frontend: $(STAMPS)/frontend-deps
	npm --prefix frontend run lint

test-frontend: $(STAMPS)/frontend-deps
	npm --prefix frontend test

# Two passes: the tests that start no worker, browser or private server in two processes, then
# the serial ones (tests/conftest.py marks them) one at a time.
test-python: install
	$(BIN)/pytest -m "not serial" -n 2 --durations=20
	$(BIN)/python tests/serial_groups.py --durations=20

bench: install
	$(BIN)/python benchmarks/import_export.py

clean:
	rm -rf $(STAMPS) frontend/dist
