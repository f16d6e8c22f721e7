"""What the speed tools share: the one way they time compiled work (the median of repeated
calls, the first, which compiles, not counted) and their random inputs."""
import time
from typing import Any, Callable

import jax

from lenet.data import preprocess


def median_seconds(call: Callable[[], Any], repeats: int) -> float:
  """Median wall-clock seconds of `call()` over `repeats` calls, each waited for
  (jax.block_until_ready), after one untimed call that compiles what it runs."""
  jax.block_until_ready(call())
  times = []
  for _ in range(repeats):
    t = time.perf_counter()
    jax.block_until_ready(call())
    times.append(time.perf_counter() - t)
  return sorted(times)[len(times) // 2]


def random_inputs(key, shape):
  """Uniform pixels between the paper's background and ink values (a throughput does not depend
  on them)."""
  return jax.random.uniform(key, shape, minval=preprocess.BACKGROUND, maxval=preprocess.INK)
