# The README's two commands: `make reproduce` (the main job) and `make test` (the suite).
# Each creates .venv from requirements.txt (pinned by constraints.txt) when it is missing.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
WORKDIR ?= runs/lenet5
CONFIG ?= experiments/configs/lenet5.py

.PHONY: test reproduce data venv benchmark clean-venv

venv: $(VENV)/.installed
$(VENV)/.installed: requirements.txt constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -c constraints.txt
	touch $@

data: $(VENV)/.installed
	scripts/fetch_mnist.sh

test: data
	$(PY) -m pytest -q tests

reproduce: data
	$(PY) -m experiments.train --config=$(CONFIG) --workdir=$(WORKDIR)

benchmark: $(VENV)/.installed
	$(PY) -m experiments.benchmark --config=$(CONFIG)

clean-venv:
	rm -rf $(VENV)
