# The README's two commands: `make reproduce` (the main job) and `make test` (the suite).
# Each creates .venv from requirements.txt (pinned by constraints.txt) when it is missing.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
WORKDIR ?= runs/lenet5
CONFIG ?= experiments/configs/lenet5.py

.PHONY: test test-quick reproduce report data venv benchmark clean-venv

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

# The tests that need no MNIST and are not marked slow: under a minute.
test-quick: venv
	$(PY) -m pytest -q -m "not mnist and not slow" tests

reproduce: data
	$(PY) -m experiments.train --config=$(CONFIG) --workdir=$(WORKDIR)

# Every generated file under results/ (tables, each row's page and plot, figures) and the table
# in README.md, from the committed run directories alone.
report: data
	$(PY) -m experiments.report
	$(PY) -m experiments.tools.figures

benchmark: $(VENV)/.installed
	$(PY) -m experiments.tools.benchmark --config=$(CONFIG)

clean-venv:
	rm -rf $(VENV)
