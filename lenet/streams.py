"""Every random stream of a run, in one table: each is a key derived from the run's seed.

A stream's id is folded into PRNGKey(seed), so that changing how one stream is used leaves the
others as they were. The ids are part of every committed run: never renumber them.
"""
from __future__ import annotations

import jax

ORDER = 1        # the constant random order of the patterns (lenet/train/orders.py)
CURVATURE = 2    # the 500 patterns that estimate h_kk before each pass (App. C; orders.py)
DISTORTION = 3   # the affine transformation of each distorted copy (lenet/data/training_set.py)
BOOSTING = 4     # Boosted LeNet-4's filters (lenet/methods/boosting.py)


def key(seed: int, stream: int) -> jax.Array:
  """The key of `stream` for a run of `seed`."""
  return jax.random.fold_in(jax.random.PRNGKey(seed), stream)
