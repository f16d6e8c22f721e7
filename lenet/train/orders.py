"""Which patterns each update and each curvature estimate uses (Section III-C, Appendix C)."""
from __future__ import annotations

import jax
import numpy as np

from lenet import streams

ORDERS = ("fixed", "reshuffle")


def pattern_order(seed: int, num_train: int, pass_index: int, order: str) -> np.ndarray:
  """The constant random order of the patterns (paper), or a new one each pass (ablation)."""
  key = streams.key(seed, streams.ORDER)
  if order == "reshuffle":
    key = jax.random.fold_in(key, pass_index)
  return np.asarray(jax.random.permutation(key, num_train))


def pass_patterns(seed: int, set_size: int, per_pass: int, pass_index: int,
                  order: str) -> np.ndarray:
  """Indices into the training set of the `per_pass` patterns of pass `pass_index`.

  "fixed" (the paper): one random order of the whole set, consumed `per_pass` patterns at a time
  and wrapping around, so 20 passes of 60,000 go twice through 600,000 distorted patterns
  (Section III-C) and each pass is the same order when the set has 60,000. "reshuffle": a new
  order each pass.
  """
  order_ = pattern_order(seed, set_size, pass_index, order)
  start = 0 if order == "reshuffle" else pass_index * per_pass
  return order_[(start + np.arange(per_pass)) % set_size]


def curvature_sample(seed: int, num_train: int, pass_index: int, size: int) -> np.ndarray:
  """The patterns (without replacement) that estimate h_kk before pass `pass_index`."""
  key = jax.random.fold_in(streams.key(seed, streams.CURVATURE), pass_index)
  return np.asarray(jax.random.choice(key, num_train, (min(size, num_train),), replace=False))


def steps_of(order: np.ndarray, batch_size: int) -> np.ndarray:
  """(S, B) pattern indices; a last partial batch is filled from the start of the order."""
  steps = -(-len(order) // batch_size)
  return np.resize(order, steps * batch_size).reshape(steps, batch_size)
