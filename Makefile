# The two commands: `make run` serves the dashboard (python -m oversight serve), `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
DB     ?= $(or $(OVERSIGHT_DB),data/oversight.duckdb)
PORT   ?= 8501
HOST   ?= 127.0.0.1

.PHONY: run test lint format bench demo install install-dev clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.dev-installed

$(DB): | $(VENV)/.installed
	$(PY) -m oversight demo --db $(DB)

demo: $(VENV)/.installed
	$(PY) -m oversight demo --db $(DB)

run: $(VENV)/.installed $(DB)
	$(PY) -m oversight serve --db $(DB) --host $(HOST) --port $(PORT)

lint: $(VENV)/.dev-installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(VENV)/.dev-installed
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

test: lint
	$(PY) -m pytest -q -rs

bench: $(VENV)/.dev-installed
	$(PY) -m bench.run

clean:
	rm -rf $(VENV) data/*.duckdb data/*.duckdb.wal data/*.duckdb.versions tests/artifacts
