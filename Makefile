# servicenorm: two commands for a new user: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench lint install clean

$(STAMP): pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## make run: the demo marketplace and the main job on embedded defaults (SQLite + DuckDB)
run: $(STAMP)
	$(BIN)/servicenorm run-demo

## make test: the whole suite (PostgreSQL, SMTP, browser and Spark tests included) on two
## workers; the longest groups first, in the order tests/conftest.py gives (xdist keeps it)
test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup --no-loadscope-reorder

## make bench: long benchmarks; figures go to bench/RESULTS.md
bench: $(STAMP)
	$(BIN)/python -m bench

lint: $(STAMP)
	$(BIN)/ruff check servicenorm tests bench
	$(BIN)/ruff format --check servicenorm tests bench
	$(BIN)/mypy servicenorm

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
