# The README's two commands: `make reproduce` (the main job) and `make test` (the suite).
# Each creates .venv from requirements.txt (pinned by constraints.txt) when it is missing.
# ACCEL=cuda12 or cuda13 adds the NVIDIA GPU backend of the same jax (requirements-ACCEL.txt);
# the default, cpu, is what CI and the committed results use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
ACCEL ?= cpu
ifeq ($(filter cpu cuda12 cuda13,$(ACCEL)),)
$(error ACCEL=$(ACCEL) is not one of cpu, cuda12, cuda13)
endif
ACCEL_REQS := $(if $(filter cpu,$(ACCEL)),,requirements-$(ACCEL).txt)
WORKDIR ?= runs/lenet5
CONFIG ?= experiments/configs/lenet5.py

.PHONY: test test-quick reproduce report data venv benchmark clean-venv

# The stamp names the backend: switching ACCEL installs the other one into the same .venv.
STAMP := $(VENV)/.installed$(if $(ACCEL_REQS),-$(ACCEL))
venv: $(STAMP)
$(STAMP): requirements.txt constraints.txt $(ACCEL_REQS)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip uninstall --quiet --quiet --yes \
	  $(foreach c,cuda12 cuda13,jax-$(c)-plugin jax-$(c)-pjrt)
	$(PY) -m pip install --quiet -r requirements.txt -c constraints.txt \
	  $(if $(ACCEL_REQS),-r $(ACCEL_REQS))
	rm -f $(VENV)/.installed*
	touch $@

data: $(STAMP)
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

benchmark: $(STAMP)
	$(PY) -m experiments.tools.benchmark --config=$(CONFIG)

clean-venv:
	rm -rf $(VENV)
