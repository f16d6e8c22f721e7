"""Several seeds of one config trained together: the compiled pieces (lenet/train/kernels.py)
over a leading seed axis (`jax.vmap` over parameters, optimizer states and pattern orders),
sharded across the local devices when they divide the seeds evenly.

`Seeds` hides the difference between one seed (the plain functions) and several (vmapped), so
that the training loop (lenet/train/fit.py) is written once. On this project's CPU the vmapped
runs are bit-for-bit the sequential ones (tests/train); other backends may differ in the last
bits.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from lenet.train import kernels


def _stack(trees):
  return jax.tree.map(lambda *xs: jnp.stack(xs), *trees)


def _unstack(tree, size: int):
  return [jax.tree.map(lambda x, s=s: x[s], tree) for s in range(size)]


def _seed_sharding(size: int):
  """Shards the leading (seed) axis across the local devices when it divides evenly."""
  devices = jax.local_devices()
  if len(devices) < 2 or size % len(devices):
    return None
  mesh = jax.sharding.Mesh(np.array(devices), ("seeds",))
  return jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec("seeds"))


def can_vmap(config) -> bool:
  """Seeds can share one compiled computation unless each needs its own distorted copies."""
  dc = config.data.distortion
  return not dc.copies or dc.seed >= 0


class Seeds:
  """The compiled pass, evaluation and curvature estimate of one config for `size` seeds.

  Trees go in as per-seed lists (`join`) and come out as per-seed lists (`split`); in between,
  the state of all seeds is one tree, with a leading seed axis when size > 1.
  """

  def __init__(self, fns, loss_fn, optimizer, config, fetch, size: int):
    tc, oc = config.train, config.optimizer
    run_pass = kernels.make_pass_fn(fns, loss_fn, optimizer, tc.grad_chunk, fetch)
    penalties_of = kernels.make_penalties_fn(fns, tc.eval_batch_size)
    curvature = kernels.make_curvature_fn(fns, loss_fn, oc.output_curvature)
    self.size, self._place = size, lambda x: x
    if size > 1:
      run_pass = jax.jit(jax.vmap(run_pass.__wrapped__, in_axes=(0, 0, 0, None, None)),
                         donate_argnums=(0, 1))
      penalties_of = jax.jit(jax.vmap(penalties_of.__wrapped__, in_axes=(0, None)))
      curvature = jax.jit(jax.vmap(curvature.__wrapped__))
      if sharding := _seed_sharding(size):
        self._place = lambda x: jax.device_put(x, sharding)
    self._run_pass, self._penalties_of, self._curvature = run_pass, penalties_of, curvature

  def join(self, trees: list):
    return trees[0] if self.size == 1 else self._place(_stack(trees))

  def split(self, tree) -> list:
    return [tree] if self.size == 1 else _unstack(tree, self.size)

  def curvature(self, params, xs: list, ys: list):
    """h_kk of every seed (one tree) from each seed's patterns xs[s] and labels ys[s]."""
    return self._curvature(params, self.join(xs), self.join(ys))

  def run_pass(self, state, steps: list[np.ndarray], images, labels):
    """One pass of every seed; steps[s] is seed s's (S, B) pattern positions."""
    params, opt_state, stats = self._run_pass(*state, self.join([jnp.asarray(s) for s in steps]),
                                              images, labels)
    return (params, opt_state), self.split(stats)

  def predictions(self, params, images) -> list[np.ndarray]:
    return self.split(np.asarray(self._penalties_of(params, images).argmin(-1)))

  def penalties(self, params, images) -> list[np.ndarray]:
    return self.split(np.asarray(self._penalties_of(params, images)))
