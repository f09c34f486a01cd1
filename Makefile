# Embedding Lab: `make start` sets everything up and opens the course; `make test` runs the tests.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

.PHONY: setup start test labs status clean

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Embedding Lab needs Python 3.11 (found %d.%d)" % sys.version_info[:2])'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (Embedding Lab)"
	touch $(STAMP)

start: setup
	$(PY) -m embedlab.data status || true
	$(VENV)/bin/jupyter lab $(ROOT_FLAG) notebooks/00_orientation.ipynb

test: setup
	$(PY) -m pytest -n 2 --durations=0 tests

labs: setup
	$(PY) -m embedlab.labs build

status: setup
	$(PY) -m embedlab.data status

clean:
	rm -rf build
