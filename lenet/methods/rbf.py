"""1000 RBF + linear (Section III-C-5; paper: 3.6%): Gaussian RBF units on the 28x28 pixels,
`rbf.centres_per_class` (100) per class, their centres from K-means run on each class's
training patterns; a linear layer on the units' outputs, fitted by a regularized pseudo-inverse.

  K-means: Lloyd's iterations from `centres_per_class` distinct patterns of the class drawn by
    the run's seed (the paper gives no initialisation), until no assignment changes or
    `rbf.kmeans_iterations`; a centre left with no pattern keeps its place. The ten classes run
    together: each padded to the largest class, the padding masked out.
  Units: phi_k(x) = exp(-||x - c_k||^2 / (2 sigma_k^2)). The paper gives no widths:
    rbf.width = "per_centre": sigma_k = width_scale x the RMS distance of centre k's patterns
    to it; "global": one sigma, width_scale x that RMS over all the training patterns.
  The linear layer: ridge regression onto the +-1 place codes of [phi(x), 1], the bias not
    shrunk (linear.fit_float64: in float32 the Gram matrix of wide units cannot be solved at a
    small ridge; `rbf.ridge`, the pseudo-inverse's regularization, not given).
A centre left with no pattern, or one, takes the global width. Random (K-means' initial
centres): 5 seeds. The weights (3 MB) are not kept; the run's command
makes them again.
"""
from __future__ import annotations

import functools
import time

from absl import logging
import jax
import jax.numpy as jnp
import numpy as np

from lenet.methods import fitted
from lenet.methods import linear
from lenet.train import kernels

WIDTHS = ("per_centre", "global")
CHUNK = 10_000  # patterns per distance matrix product


def check(config) -> None:
  if config.method != "rbf":
    raise ValueError(f"rbf: method={config.method!r} is not 'rbf'")
  linear.check_data(config.data)
  r = config.rbf
  if r.centres_per_class < 1:
    raise ValueError(f"rbf.centres_per_class must be at least 1, got {r.centres_per_class}")
  if r.width not in WIDTHS:
    raise ValueError(f"unknown rbf.width={r.width!r}; choose from {WIDTHS}")
  if not r.width_scale > 0:
    raise ValueError(f"rbf.width_scale must be positive, got {r.width_scale}")
  if not r.ridge > 0:
    raise ValueError(f"rbf.ridge must be positive, got {r.ridge}")
  if r.kmeans_iterations < 1:
    raise ValueError(f"rbf.kmeans_iterations must be at least 1, got {r.kmeans_iterations}")


def deterministic(config) -> bool:
  del config
  return False  # K-means starts from patterns drawn by the seed


def squared_distances(x, centres) -> jnp.ndarray:
  """(N, K): ||x_n - c_k||^2 by one matrix product, clipped at 0 against rounding."""
  d = (jnp.sum(x ** 2, 1)[:, None] - 2.0 * x @ centres.T + jnp.sum(centres ** 2, 1)[None])
  return jnp.maximum(d, 0.0)


@functools.partial(jax.jit, static_argnames=("iterations",))
def kmeans(x, mask, init, iterations: int):
  """Lloyd's algorithm on the rows of x (N, D) where mask (N,) is True, from the centres init
  (K, D). Returns (centres (K, D), assignment (N,), iterations run)."""
  def assign(centres):
    return jnp.argmin(squared_distances(x, centres), axis=1)

  def update(centres, a):
    member = (a[:, None] == jnp.arange(len(centres))[None]) & mask[:, None]  # (N, K)
    counts = member.sum(0)
    sums = member.astype(x.dtype).T @ x
    return jnp.where(counts[:, None] > 0, sums / jnp.maximum(counts, 1)[:, None], centres)

  def body(state):
    centres, a, _, i = state
    centres = update(centres, a)
    new = assign(centres)
    return centres, new, jnp.any((new != a) & mask), i + 1

  a0 = assign(init)
  centres, a, _, i = jax.lax.while_loop(
      lambda s: s[2] & (s[3] < iterations), body, (init, a0, jnp.array(True), 0))
  return centres, a, i


def class_centres(x, labels, per_class: int, key, iterations: int):
  """K-means on each class, the ten at once (vmapped, classes padded to the largest). Returns
  (centres (10 per_class, D), the RMS distance of each centre's patterns to it (10 per_class,),
  the RMS over all patterns, iterations run per class)."""
  x, labels = np.asarray(x), np.asarray(labels)
  rows = [np.flatnonzero(labels == c) for c in range(linear.CLASSES)]
  if min(len(r) for r in rows) < per_class:
    raise ValueError(f"rbf.centres_per_class={per_class} exceeds a class's "
                     f"{min(len(r) for r in rows)} training patterns")
  n = max(len(r) for r in rows)
  padded = np.zeros((linear.CLASSES, n, x.shape[1]), x.dtype)
  mask = np.zeros((linear.CLASSES, n), bool)
  for c, r in enumerate(rows):
    padded[c, :len(r)], mask[c, :len(r)] = x[r], True
  keys = jax.random.split(key, linear.CLASSES)
  first = jnp.stack([jax.random.choice(k, len(r), (per_class,), replace=False)
                     for k, r in zip(keys, rows)])
  init = jnp.take_along_axis(jnp.asarray(padded), first[..., None], axis=1)
  centres, a, its = jax.vmap(kmeans, in_axes=(0, 0, 0, None))(
      jnp.asarray(padded), jnp.asarray(mask), init, iterations)
  d = jnp.take_along_axis(jax.vmap(squared_distances)(jnp.asarray(padded), centres),
                          a[..., None], axis=2)[..., 0]  # (10, n): to its own centre
  member = (a[..., None] == jnp.arange(per_class)[None, None]) & mask[..., None]  # (10, n, K)
  per_centre = jnp.sqrt(jnp.einsum("cnk,cn->ck", member, d) / jnp.maximum(member.sum(1), 1))
  overall = jnp.sqrt(jnp.sum(jnp.where(mask, d, 0.0)) / mask.sum())
  spread = jnp.where(per_centre > 0, per_centre, overall)  # empty, or one pattern: the overall
  return centres.reshape(-1, x.shape[1]), spread.reshape(-1), overall, np.asarray(its)


def features(x, centres, sigma) -> jnp.ndarray:
  """(N, K + 1): each unit's exp(-||x - c_k||^2 / (2 sigma_k^2)), then a 1, in chunks."""
  return _features(jnp.asarray(x).reshape(len(x), -1), jnp.asarray(centres), jnp.asarray(sigma))


@jax.jit
def _features(x, centres, sigma):
  """features' one compiled loop: the centres and widths are arguments, not constants."""
  def chunk(xc):
    phi = jnp.exp(-squared_distances(xc, centres) / (2.0 * sigma[None] ** 2))
    return jnp.concatenate([phi, jnp.ones((len(xc), 1), phi.dtype)], axis=1)
  return kernels.chunked_map(chunk, x, min(CHUNK, len(x)))


def run(config, run_dir) -> dict:
  """K-means on the training set, the linear layer fitted, the held-out set classified."""
  return fitted.run(config, run_dir, _classify, refuse=_refuse)


def _refuse(config, dataset) -> None:
  fewest = np.bincount(dataset.train_labels, minlength=linear.CLASSES).min()
  if fewest < config.rbf.centres_per_class:
    raise ValueError(f"rbf.centres_per_class={config.rbf.centres_per_class} exceeds a class's "
                     f"{fewest} training patterns")


def _classify(config, dataset, run_dir):
  del run_dir  # the weights (3 MB) are not kept
  r = config.rbf
  t0 = time.perf_counter()
  train = dataset.train_images.reshape(dataset.num_train, -1)
  centres, spread, overall, its = class_centres(
      train, dataset.train_labels, r.centres_per_class, jax.random.PRNGKey(config.seed),
      r.kmeans_iterations)
  logging.info("%s: K-means done in %.1f s, %s iterations per class", config.network,
               time.perf_counter() - t0, its.tolist())
  sigma = r.width_scale * (spread if r.width == "per_centre" else jnp.full_like(spread, overall))
  phi = features(train, centres, sigma)
  w = linear.fit_float64(phi, dataset.train_labels, r.ridge)
  train_pred = np.asarray(linear.scores("linear", phi, w)).argmax(1)
  del phi
  penalties = -np.asarray(linear.scores("linear", features(dataset.held_out_set()[0], centres,
                                                           sigma), w))
  return penalties, {"ridge": r.ridge, "kmeans_iterations": its.tolist(),
                     "rms_distance_to_centre": float(overall),
                     "train_error": float((train_pred != dataset.train_labels).mean())}


def cost(config) -> dict:
  """Per character: a distance to each centre (pixels multiply-accumulates each), then the 10
  linear units on the K outputs. Memory and parameters: the centres, their widths, the linear
  layer's K + 1 weights per class."""
  k, d = linear.CLASSES * config.rbf.centres_per_class, linear.pixels(config)
  params = k * d + k + linear.CLASSES * (k + 1)
  return {"params": params, "connections": k * d + linear.CLASSES * (k + 1),
          "macs": k * d + linear.CLASSES * k, "memory": params}
