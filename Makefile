# The two commands: `make run` and `make test`. Both install what they need first.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: run test lint bench loadtest loadtest-smoke e2e fuzz install install-dev assets system-packages format lock clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip uv

# Python packages, pinned in requirements/*.lock (regenerate with `make lock`).
$(VENV)/.installed: requirements/base.lock pyproject.toml | $(BIN)/python
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements/base.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	@touch $@

$(VENV)/.installed-dev: requirements/dev.lock pyproject.toml | $(BIN)/python
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements/dev.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	@touch $@ $(VENV)/.installed

# Front-end packages (Bootstrap) from npm, served by the app itself.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The one stylesheet the pages load (Bootstrap's rules the pages use, then ours, minified):
# rebuilt when a template, a script, a Python module or a stylesheet changes. docs/frontend.md.
SITE_CSS := ifm/static/ifm/build/site.css
CSS_SOURCES := $(shell find ifm \( -path '*/templates/*.html' -o -name '*.py' -o -path '*/static/*.js' \
	-o -path '*/static/*.css' \) -not -path 'ifm/static/ifm/build/*' 2>/dev/null)
$(SITE_CSS): node_modules/.installed scripts/build-css.mjs $(CSS_SOURCES)
	node scripts/build-css.mjs

assets: node_modules/.installed $(SITE_CSS)
install: $(VENV)/.installed assets
install-dev: $(VENV)/.installed-dev assets

run: install
	@bash scripts/ensure-system-packages.sh --runtime
	@mkdir -p var
	$(BIN)/ifm migrate --noinput
	$(BIN)/ifm seed_demo
	$(BIN)/ifm serve --port $(PORT)

system-packages:
	@bash scripts/ensure-system-packages.sh

test: install-dev system-packages
	@mkdir -p var
	$(BIN)/pytest $(PYTEST_ARGS)

# Before a release: the schemathesis run of the suite, with about 6,000 generated requests.
fuzz: install-dev system-packages
	@mkdir -p var
	IFM_FUZZ_BUDGET=$${IFM_FUZZ_BUDGET:-6000} IFM_FUZZ_MAX_EXAMPLES=$${IFM_FUZZ_MAX_EXAMPLES:-40} \
		$(BIN)/pytest ifm/core/tests/test_schemathesis.py $(PYTEST_ARGS)

e2e: install-dev system-packages
	$(BIN)/pytest e2e $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy ifm bench e2e
	$(BIN)/lint-imports
	$(BIN)/ifm makemigrations --check --dry-run
	$(BIN)/ifm check_migrations

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install-dev system-packages
	$(BIN)/python -m bench

# The seed's Phase-4 load (bench/load, docs/loadtest.md): 34 organizations, 300 people, on
# PostgreSQL (LOADTEST_DATABASE_URL, kept between runs); `make loadtest LOADTEST_DURATION=60`.
LOADTEST_DURATION ?= 600
loadtest: install-dev
	@mkdir -p var
	LOADTEST_DURATION=$(LOADTEST_DURATION) $(BIN)/python -m bench.load $(LOADTEST_ARGS)

# Its 60-second smoke as a test (PostgreSQL from DATABASE_URL): no error, every p95 under 500 ms.
loadtest-smoke: install-dev
	@mkdir -p var
	IFM_LOADTEST_SMOKE=1 $(BIN)/pytest ifm/ops/tests/test_loadtest.py $(PYTEST_ARGS)

lock: | $(BIN)/python
	$(BIN)/uv pip compile --quiet --python-version 3.11 pyproject.toml -o requirements/base.lock
	$(BIN)/uv pip compile --quiet --python-version 3.11 pyproject.toml --extra dev -o requirements/dev.lock

clean:
	rm -rf $(VENV) node_modules var/static ifm/static/ifm/build
