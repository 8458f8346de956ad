# Two commands matter: `make run` (serve the app with demo data) and `make test` (every check).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run serve test lint pytest pytest-browser pytest-sqlite pytest-postgres schemathesis \
	bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## make run: install, migrate the SQLite database, load demo data, serve on http://127.0.0.1:8000
## with the job worker (mail, daily and weekly jobs) alongside; Ctrl-C stops both
run: install
	$(BIN)/perdes demo
	$(BIN)/perdes worker & WORKER=$$!; trap 'kill $$WORKER 2>/dev/null' EXIT INT TERM; \
	$(BIN)/uvicorn --factory perdes.web.app:create_app --host $(HOST) --port $(PORT)

## make serve: serve without reloading demo data
serve: install
	$(BIN)/perdes migrate
	$(BIN)/uvicorn --factory perdes.web.app:create_app --host $(HOST) --port $(PORT)

## make test: lint, type-check, the SQLite suite (with browser tests), the PostgreSQL
## suite when PERDES_TEST_DATABASE_URL is set, and schemathesis against the live JSON API,
## in lanes side by side (tests/lanes.py: browser journeys with lint and schemathesis, then
## the SQLite and PostgreSQL suites on TEST_WORKERS pytest-xdist workers each); each lane's
## output is printed whole when it ends, and the summary names any lane that failed
TEST_WORKERS ?= 2

test: install
	$(BIN)/python -m tests.lanes

lint: install
	$(BIN)/ruff check perdes tests bench alembic
	$(BIN)/ruff format --check perdes tests bench alembic
	$(BIN)/mypy

## make pytest: the whole SQLite suite (browser journeys, then the rest on xdist workers)
pytest: pytest-browser pytest-sqlite

pytest-browser: install
	PERDES_TEST_DATABASE_URL= $(BIN)/pytest -q -m browser

pytest-sqlite: install
	PERDES_TEST_DATABASE_URL= $(BIN)/pytest -q -m "not browser" -n $(TEST_WORKERS)

pytest-postgres: install
	@if [ -n "$$PERDES_TEST_DATABASE_URL" ]; then \
		echo "== PostgreSQL suite: $$PERDES_TEST_DATABASE_URL"; \
		$(BIN)/pytest -q -m "not browser" -n $(TEST_WORKERS); \
	else \
		echo "== PostgreSQL suite skipped (PERDES_TEST_DATABASE_URL not set)"; \
	fi

## make schemathesis: uvicorn on 127.0.0.1 over a throwaway seeded SQLite database, then
## schemathesis 4 with every check and a fixed seed; fails on any finding
schemathesis: install
	PERDES_TEST_DATABASE_URL= timeout 300 $(BIN)/python -m tests.api.schemathesis_run --max-examples 30

bench: install
	$(BIN)/python bench/bench_import.py
	$(BIN)/python bench/bench_drafting.py 30
	$(BIN)/python bench/bench_onboarding.py
	$(BIN)/python bench/cli_startup.py
	$(BIN)/python bench/import_floor.py
	@echo "monitoring: bench/generate_national.py URL, then bench/bench_monitoring.py URL and bench/load_test.sh URL (see README)"

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
