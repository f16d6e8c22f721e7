"""The set a network trains on (Section III-C): the N originals, then their distorted copies.

Pattern k of the enlarged set of N (1 + copies) patterns is made from original k % N: the
original itself if k < N, else a copy distorted by a transformation drawn from a key derived from
(the copies' seed, k). The paper's 540,000 copies of the 60,000 originals are so fixed for a run
but never stored: they are made on the device, inside the compiled pass. Boosting's filtered sets
are subsets of the enlarged set's positions. This module is the one owner of that convention.
"""
from __future__ import annotations

import dataclasses
from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np

from lenet import streams
from lenet.data import distortions


def original(k, num_originals: int):
  """The original that pattern k (or an array of them) is made from."""
  return k % num_originals


def pattern_fetcher(num_originals: int, cfg, seed: int) -> Callable:
  """fetch(images, k) -> the patterns k of the enlarged set made from the originals `images`
  (traceable, used inside compiled passes). The copies are drawn from cfg.seed, or from `seed`
  (the run's) when cfg.seed is -1. With cfg.copies == 0 it is a plain lookup."""
  if not cfg.copies:
    return lambda images, indices: images[indices]
  base_key = streams.key(seed if cfg.seed < 0 else cfg.seed, streams.DISTORTION)

  def fetch_one(images, k):
    x = images[original(k, num_originals)]
    m = distortions.sample_affine(jax.random.fold_in(base_key, k), cfg)
    return jnp.where(k >= num_originals, distortions.warp(x, m), x)

  return jax.vmap(fetch_one, in_axes=(None, 0))


@dataclasses.dataclass(frozen=True)
class TrainingSet:
  """The originals on the device, how to make any pattern of the enlarged set, and (optionally)
  the subset of its positions that is trained on."""
  images: jax.Array            # the N originals
  labels: jax.Array            # (N,) int32
  copies: int                  # distorted copies per original
  fetch: Callable | None       # pattern_fetcher when copies > 0, else None (a lookup)
  subset: np.ndarray | None    # positions in the enlarged set (boosting), or None: all of it

  @classmethod
  def build(cls, images, labels, distortion_cfg, seed: int, subset=None) -> "TrainingSet":
    n = len(labels)
    fetch = pattern_fetcher(n, distortion_cfg, seed) if distortion_cfg.copies else None
    return cls(jnp.asarray(images), jnp.asarray(labels), distortion_cfg.copies, fetch,
               None if subset is None else np.asarray(subset))

  @property
  def num_originals(self) -> int:
    return self.labels.shape[0]

  @property
  def enlarged_size(self) -> int:
    return self.num_originals * (1 + self.copies)

  @property
  def size(self) -> int:
    """The number of patterns trained on."""
    return self.enlarged_size if self.subset is None else len(self.subset)

  def positions(self, index: np.ndarray) -> np.ndarray:
    """Positions in the enlarged set of the trained-on patterns `index` (0..size-1)."""
    return index if self.subset is None else self.subset[index]

  def patterns(self, positions: np.ndarray) -> jax.Array:
    """The patterns at `positions` of the enlarged set."""
    if self.fetch is None:
      return self.images[positions]
    return self.fetch(self.images, jnp.asarray(positions))

  def labels_of(self, positions: np.ndarray):
    return self.labels[original(positions, self.num_originals)]
