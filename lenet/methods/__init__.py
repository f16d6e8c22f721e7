"""The kinds of classifier of Fig. 9, one module each, named by a config's `method`.

Each module has check(config) (every field it reads, before anything is written),
run(config, run_dir) (train or resume into a lenet.rundir.RunDir, return the summary) and
cost(config) (parameters, connections, multiply-accumulates and memory for Figs. 11-12;
cost(config, summary) where COST_FROM_RUN is set: the count depends on what the run learned), and
may have deterministic(config) (True: nothing random, one run stands for every seed).
A new kind of classifier is a new module here and one entry in METHODS.
"""
from __future__ import annotations

from lenet import errors
from lenet import rundir
from lenet.methods import boosting
from lenet.methods import linear
from lenet.methods import neighbors
from lenet.methods import network
from lenet.methods import rbf
from lenet.methods import svm
from lenet.methods import tangent

METHODS = {"network": network, "boosted": boosting, "knn": neighbors, "local": neighbors,
           "linear": linear, "pairwise": linear, "pca_quadratic": linear,
           "rbf": rbf, "tangent": tangent, "svm": svm}


def of(config):
  """The module of the config's method."""
  method = config.get("method", "network")
  if method not in METHODS:
    raise errors.ConfigError(f"unknown method={method!r}; choose from {sorted(METHODS)}")
  return METHODS[method]


def check(config) -> None:
  """Raises ConfigError, naming the field, for any value the config's method cannot run."""
  with errors.config_checks():
    of(config).check(config)


def run(config, workdir) -> dict:
  """Trains and evaluates `config` into `workdir` (resuming; a finished run is not redone)."""
  check(config)
  return of(config).run(config, rundir.RunDir(workdir))


def cost(config, summary: dict | None = None) -> dict:
  """Figs. 11-12's counts. A method whose cost depends on what it learned (COST_FROM_RUN: the
  SVM's support vectors) reads it from the run's summary."""
  module = of(config)
  if getattr(module, "COST_FROM_RUN", False):
    return module.cost(config, summary)
  return module.cost(config)


def deterministic(config) -> bool:
  """Whether the method's outcome is the same for every seed (one run, "deterministic")."""
  module = of(config)
  return hasattr(module, "deterministic") and module.deterministic(config)
