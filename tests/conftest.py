"""Shared fixtures. `make test` fetches MNIST first; tests that need it use `mnist_dir` and are
marked `mnist`, and the slower checks `slow`: `make test-quick` (`pytest -m "not mnist and not
slow"`) runs the rest in under a minute; `make test` runs everything.

Every test runs with jax_numpy_rank_promotion="raise" (subprocesses too): an implicit broadcast
between arrays of different ranks is an error, not a silent promotion.
"""
import os
import pathlib

import jax
import pytest

import lenet  # noqa: F401  (XLA flags before jax starts)
from lenet.data import idx

os.environ["JAX_NUMPY_RANK_PROMOTION"] = "raise"
jax.config.update("jax_numpy_rank_promotion", "raise")

SHARED_PAPER = idx.REPO_ROOT.parent / "shared" / "paper"


def pytest_configure(config):
  config.addinivalue_line("markers", "mnist: needs the MNIST files (and mostly trains on them)")
  config.addinivalue_line("markers", "slow: takes more than a few seconds without MNIST")


def pytest_collection_modifyitems(items):
  for item in items:
    if "mnist_dir" in getattr(item, "fixturenames", ()):
      item.add_marker(pytest.mark.mnist)


@pytest.fixture(scope="session")
def mnist_dir() -> pathlib.Path:
  d = idx.data_dir()
  if not all((d / n).exists() or (d / f"{n}.gz").exists() for n in idx.IDX_FILES.values()):
    pytest.fail(f"MNIST is not in {d}; run `make data` (make test does it first)")
  return d


def small_config(**overrides):
  """The paper's LeNet-5 config, shrunk for a quick run on real MNIST."""
  from experiments.configs import lenet5  # pylint: disable=g-import-not-at-top
  c = lenet5.get_config()
  c.data.train_size = 1000
  c.train.passes = 2
  for key, value in overrides.items():
    section, field = key.split("__")
    c[section][field] = value
  return c
