# Embedding Lab: `make start` sets everything up and opens the course; `make test` runs the tests.
# Another Python 3.11 than `python3`: make start PYTHON=python3.11 (or PYTHON=/path/to/python3.11).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

# torch comes from the PyTorch CPU wheel index on Linux when that index answers: the default index
# serves the CUDA build there (plus ~19 nvidia packages, several GB). The pin itself lives in requirements.txt.
TORCH_PIN   := $(shell grep -E '^torch==' requirements.txt)
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu
# Exit 0 when the URL answers within 8 seconds (DNS included), 1 otherwise; never hangs.
PROBE := import sys, threading, urllib.request as u; ok = []; \
	t = threading.Thread(target=lambda: ok.append(u.urlopen(sys.argv[1], timeout=5).status), daemon=True); \
	t.start(); t.join(8); sys.exit(0 if ok else 1)

.PHONY: setup start test bench labs status clean

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Embedding Lab needs Python 3.11, but $(PYTHON) is %d.%d. Install Python 3.11 and name it: make start PYTHON=python3.11" % sys.version_info[:2])'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@if [ "$$(uname -s)" = Linux ]; then \
	  if $(PY) -c '$(PROBE)' '$(TORCH_INDEX)/torch/' 2>/dev/null; then \
	    echo "Installing the CPU build of $(TORCH_PIN) from $(TORCH_INDEX)"; \
	    $(PY) -m pip install --quiet --index-url '$(TORCH_INDEX)' '$(TORCH_PIN)' \
	      || echo "The PyTorch CPU index failed: $(TORCH_PIN) comes from the default index instead"; \
	  else \
	    echo "The PyTorch CPU index ($(TORCH_INDEX)) cannot be reached: $(TORCH_PIN) comes from the default index"; \
	  fi; \
	fi
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (Embedding Lab)"
	touch $(STAMP)

# JupyterLab is rooted at the repository, so notebooks/, labs/ and solutions/ are all in its file browser.
start: setup
	$(PY) -m embedlab.data status || true
	$(VENV)/bin/jupyter lab $(ROOT_FLAG) --ServerApp.root_dir=. notebooks/00_orientation.ipynb

# The run's total time goes to build/last_test_seconds and each notebook's to build/executed/timings.jsonl (`make bench` reads both).
test: setup
	@mkdir -p build/executed && rm -f build/executed/timings.jsonl
	@started=$$(date +%s); $(PY) -m pytest -n 2 --maxschedchunk 1 --durations=0 tests; status=$$?; \
	echo $$(( $$(date +%s) - started )) > build/last_test_seconds; exit $$status

# Encoding speed (library vs the course's path, cache fill, cached rerun), latency, memory, and the last test run's times.
bench: setup
	$(PY) benchmarks/bench.py

labs: setup
	$(PY) -m embedlab.labs build

status: setup
	$(PY) -m embedlab.data status

clean:
	rm -rf build
