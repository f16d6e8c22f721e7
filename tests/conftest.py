"""Shared fixtures. `make test` fetches MNIST first; tests that need it use `mnist_dir`."""
import pathlib

import pytest

import lenet  # noqa: F401  (XLA flags before jax starts)
from lenet import data

SHARED_PAPER = data.REPO_ROOT.parent / "shared" / "paper"


@pytest.fixture(scope="session")
def mnist_dir() -> pathlib.Path:
  d = data.data_dir()
  if not all((d / n).exists() or (d / f"{n}.gz").exists() for n in data.IDX_FILES.values()):
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
