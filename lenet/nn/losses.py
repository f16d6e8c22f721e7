"""Training criteria on per-class penalties y (lower is better), per example (Section II-C)."""
from __future__ import annotations

import jax
import jax.numpy as jnp


def _correct(penalties, labels):
  return jnp.take_along_axis(penalties, labels[:, None], axis=1)[:, 0]


def mle(penalties, labels, **_):
  """Eq. 8: the penalty of the correct class, y_{D_p}."""
  return _correct(penalties, labels)


def map_criterion(penalties, labels, *, j: float, **_):
  """Eq. 9: y_{D_p} + log(exp(-j) + sum_i exp(-y_i)); j > 0 is the "rubbish class" constant."""
  competition = jnp.logaddexp(-j, jax.nn.logsumexp(-penalties, axis=1))
  return _correct(penalties, labels) + competition


def cross_entropy(penalties, labels, **_):
  """Softmax cross-entropy on the negated penalties (Eq. 9 without the rubbish class)."""
  return _correct(penalties, labels) + jax.nn.logsumexp(-penalties, axis=1)


LOSSES = {"mle": mle, "map": map_criterion, "cross_entropy": cross_entropy}


def get(name: str):
  if name not in LOSSES:
    raise ValueError(f"unknown loss.name={name!r}; choose from {sorted(LOSSES)}")
  return LOSSES[name]
