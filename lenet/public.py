"""The library's small public surface: a trained network from a run directory, and MNIST.

    import lenet
    net = lenet.load_run("results/lenet5/seed_0")
    images, labels = lenet.read_mnist("test")
    print((net.classify(images) != labels).mean())   # 0.0116, the run's test error
"""
from __future__ import annotations

import dataclasses
from typing import Any

import jax.numpy as jnp
import numpy as np

from lenet import errors
from lenet import rundir
from lenet.data import idx
from lenet.data import preprocess
from lenet.methods import network
from lenet.train import kernels


def read_mnist(split: str = "test", directory: str = "",
               checksums: str = "mnist") -> tuple[np.ndarray, np.ndarray]:
  """The `split` ("train" or "test") of the IDX files in `directory` (default: $LENET_DATA_DIR
  or ./data/mnist) as stored: uint8 images (N, 28, 28) and labels (N,), verified by SHA-256
  against `checksums` (MNIST's digests; "" for other data: a SHA256SUMS file, if any)."""
  if split not in ("train", "test"):
    raise ValueError(f"split={split!r}: choose 'train' or 'test'")
  raw = idx.read_idx_dir(idx.data_dir(directory), checksums)
  return raw[f"{split}_images"], raw[f"{split}_labels"].astype(np.int32)


@dataclasses.dataclass(frozen=True)
class TrainedNetwork:
  """A network run's config and final weights."""
  config: Any
  fns: kernels.ModelFns
  params: Any

  def penalties(self, images: np.ndarray) -> np.ndarray:
    """Per-class penalties (N, 10), lower is better, of uint8 digits (N, 28, 28) as MNIST
    stores them, preprocessed as the run's input (data.input_format)."""
    x = jnp.asarray(preprocess.preprocess(np.asarray(images), self.config.data.input_format))
    fn = kernels.make_penalties_fn(self.fns, self.config.train.eval_batch_size)
    return np.asarray(fn(self.params, x))

  def classify(self, images: np.ndarray) -> np.ndarray:
    """The predicted digit of each image."""
    return self.penalties(images).argmin(axis=1)


def load_run(workdir) -> TrainedNetwork:
  """The trained network of a finished run directory (a network run, or one of the nets inside
  a boosted or neighbours run: its net1/ or net/)."""
  run = rundir.RunDir(workdir)
  if run.recorded_config() is None or not (run / rundir.PARAMS).exists():
    raise errors.ConfigError(f"{workdir} holds no finished network run ({rundir.CONFIG} and "
                             f"{rundir.PARAMS}); for a committee or neighbours run load its "
                             "net1/ or net/")
  config = run.config()
  fns, params = network.load(config, run.path)
  return TrainedNetwork(config, fns, params)
