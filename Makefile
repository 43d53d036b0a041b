# Two entry points for a new user (Python 3.11 + pip only): `make demo`, `make test`.
# Each creates and fills its own virtual environment in .venv the first time.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: demo test bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip
	$(BIN)/pip install -e '.[test]'
	$(BIN)/python -m ipykernel install --prefix $(VENV) --name opsanalytics --display-name "opsanalytics"
	touch $@

demo: $(BIN)/.installed
	$(BIN)/opsanalytics demo

test: $(BIN)/.installed
	$(BIN)/python -m pytest

bench: $(BIN)/.installed
	$(BIN)/python bench/bench_ingest.py
	$(BIN)/python bench/bench_audits.py

clean:
	rm -rf $(VENV) build *.egg-info
