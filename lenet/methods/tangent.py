"""[16x16] Tangent distance (Section III-C-6; paper: 1.1%): the nearest training pattern in
Simard's tangent distance, on 16x16 images (data.input_format "box16", "window16" or
"field16"), with seven tangent vectors computed on smoothed images and Euclidean pre-filtering at two resolutions.

  Smoothing: a Gaussian of `tangent.smoothing` pixels (standard deviation) on every image; the
    distances and the tangents are both computed on the smoothed images.
  Tangents (Simard et al. 1993), from the image's gradient (gx, gy) by central differences
    (one-sided at the border) and the coordinates (x, y) about the image centre: x and y
    translation gx, gy; scaling x gx + y gy; rotation y gx - x gy; the two hyperbolic
    transformations x gx - y gy and y gx + x gy; thickness gx^2 + gy^2.
  Distance: with r = p - q and M the tangents allowed to move (both images' for
    `tangent.sides` = "two", the training pattern's only for "one"), the squared distance
    between the tangent planes is min_t ||r + M^T t||^2 = r.r - (Mr)^T (M M^T)^-1 (Mr); the
    solve adds `tangent.ridge` (plus 1e-6 of M M^T's mean diagonal, for rounding) to M M^T, so a
    positive ridge penalizes large transformations.
  Pre-filter: the `tangent.coarse_keep` nearest in Euclidean distance at 8x8 (2x2 averages),
    then of those the `tangent.keep` nearest at 16x16; the tangent distance ranks the last.
A class's penalty is its nearest candidate's tangent distance (classes with no candidate rank
after every class that has one). Deterministic; nothing is stored but the outcome.
"""
from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from lenet.data import dataset as dataset_lib
from lenet.data import preprocess
from lenet.methods import fitted
from lenet.methods import linear
from lenet.methods import neighbors
from lenet.train import kernels

FORMATS = ("box16", "window16", "field16")
SIDES = ("one", "two")
TANGENTS = 7
COARSE = 8  # the pre-filter's first resolution


def check(config) -> None:
  if config.method != "tangent":
    raise ValueError(f"tangent: method={config.method!r} is not 'tangent'")
  linear.check_data(config.data)
  if config.data.input_format not in FORMATS:
    raise ValueError(f"data.input_format must be one of {FORMATS} for tangent distance, got "
                     f"{config.data.input_format!r}")
  t = config.tangent
  if t.sides not in SIDES:
    raise ValueError(f"unknown tangent.sides={t.sides!r}; choose from {SIDES}")
  side = preprocess.SIDE[config.data.input_format]
  if not (0 <= t.smoothing and 2 * np.ceil(3 * t.smoothing) + 1 <= side):
    raise ValueError(f"tangent.smoothing must be at least 0 and its Gaussian (2 ceil(3 sigma) + 1 "
                     f"taps) fit the {side}-pixel image, got {t.smoothing}")
  if not t.ridge >= 0:
    raise ValueError(f"tangent.ridge must be at least 0, got {t.ridge}")
  patterns = dataset_lib.train_size(config.data)
  if not 1 <= t.coarse_keep <= patterns:
    raise ValueError(f"tangent.coarse_keep must be in 1..{patterns} (the training patterns), "
                     f"got {t.coarse_keep}")
  if not 1 <= t.keep <= t.coarse_keep:
    raise ValueError(f"tangent.keep must be in 1..tangent.coarse_keep ({t.coarse_keep}), got "
                     f"{t.keep}")


def deterministic(config) -> bool:
  del config
  return True


def smooth(images, sigma: float) -> jnp.ndarray:
  """(N, S, S): each image convolved with a Gaussian of sigma pixels (separable, truncated at
  3 sigma), the border taken as background."""
  if sigma == 0:
    return jnp.asarray(images)
  radius = int(np.ceil(3 * sigma))
  g = np.exp(-np.arange(-radius, radius + 1) ** 2 / (2 * sigma ** 2))
  g = jnp.asarray(g / g.sum(), jnp.float32)
  x = jnp.asarray(images) - preprocess.BACKGROUND
  x = jax.vmap(lambda im: jax.vmap(lambda row: jnp.convolve(row, g, mode="same"))(im))(x)
  x = jax.vmap(lambda im: jax.vmap(lambda col: jnp.convolve(col, g, mode="same"))(im.T).T)(x)
  return x + preprocess.BACKGROUND


def tangents(images) -> jnp.ndarray:
  """(N, S, S) -> (N, 7, S*S): the seven tangent vectors of each image (module docstring)."""
  n, s, _ = images.shape
  gy, gx = jnp.gradient(jnp.asarray(images), axis=(1, 2))
  y, x = jnp.meshgrid(jnp.arange(s) - (s - 1) / 2, jnp.arange(s) - (s - 1) / 2, indexing="ij")
  y, x = y[None], x[None]
  t = jnp.stack([gx, gy, x * gx + y * gy, y * gx - x * gy, x * gx - y * gy, y * gx + x * gy,
                 gx ** 2 + gy ** 2], axis=1)
  return t.reshape(n, TANGENTS, s * s)


def distance(p, tp, q, tq, sides: str, ridge: float):
  """Squared tangent distance between pattern p (D,) with tangents tp (7, D) and training
  pattern q with tq: the planes' nearest points (both for "two", q's only for "one")."""
  r = p - q
  m = jnp.concatenate([tp, -tq]) if sides == "two" else -tq
  mm = m @ m.T
  mm = mm + (ridge + 1e-6 * jnp.trace(mm) / len(mm)) * jnp.eye(len(mm), dtype=mm.dtype)
  mr = m @ r
  return r @ r - mr @ jnp.linalg.solve(mm, mr)


def coarse(images) -> jnp.ndarray:
  """(N, 16, 16) -> (N, 64): 2x2 averages."""
  n, s, _ = images.shape
  return images.reshape(n, COARSE, s // COARSE, COARSE, s // COARSE).mean((2, 4)).reshape(n, -1)


@functools.partial(jax.jit, static_argnames=("sides", "coarse_keep", "keep", "chunk"))
def classify(train, train_tangents, train_labels, queries, *, sides: str,
             ridge: float, coarse_keep: int, keep: int, chunk: int = 100) -> jax.Array:
  """Penalties (Q, 10): per class, the smallest tangent distance among each query's pre-filtered
  candidates (module docstring); chunks of `chunk` queries in one compiled loop."""
  train_flat, train_coarse = train.reshape(len(train), -1), coarse(train)

  def one_chunk(q):
    tq = tangents(q)
    _, first = neighbors.nearest(train_coarse, coarse(q), coarse_keep)       # (C, coarse_keep)
    q_flat = q.reshape(len(q), -1)
    d16 = jnp.sum((train_flat[first] - q_flat[:, None]) ** 2, axis=-1)
    cand = jnp.take_along_axis(first, jax.lax.top_k(-d16, keep)[1], axis=1)  # (C, keep)
    td = jax.vmap(jax.vmap(functools.partial(distance, sides=sides, ridge=ridge),
                           in_axes=(None, None, 0, 0)))(
        q_flat, tq, train_flat[cand], train_tangents[cand])                  # (C, keep)
    onehot = jax.nn.one_hot(train_labels[cand], linear.CLASSES, dtype=bool)  # (C, keep, 10)
    per_class = jnp.min(jnp.where(onehot, td[..., None], jnp.inf), axis=1)
    worst = jnp.max(td, axis=1, keepdims=True)
    return jnp.where(jnp.isinf(per_class), 2 * worst + 1, per_class)

  return kernels.chunked_map(one_chunk, queries, chunk)


def run(config, run_dir) -> dict:
  """Smooths, computes the tangents, classifies the held-out set (test, or validation)."""
  return fitted.run(config, run_dir, _classify)


def _classify(config, dataset, run_dir):
  del run_dir  # nothing is fitted: the training set is the model
  t = config.tangent
  train = smooth(dataset.train_images[..., 0], t.smoothing)
  queries = smooth(dataset.held_out_set()[0][..., 0], t.smoothing)
  penalties = classify(train, tangents(train), jnp.asarray(dataset.train_labels), queries,
                       sides=t.sides, ridge=t.ridge, coarse_keep=t.coarse_keep, keep=t.keep)
  return np.asarray(penalties), {"train_error": None}


def cost(config) -> dict:
  """Per character: the 8x8 distances to every training pattern, the 16x16 distances to
  coarse_keep of them, and per tangent distance to the `keep` last: M r (T D, T tangents
  moving: 7 or 14), for two sides M M^T's cross block (7 x 7 x D; the diagonal blocks could be
  stored), r.r, and the T x T solve (about T^3 / 3 + T^2). Memory: the training patterns at
  both resolutions and their seven tangents."""
  t, d = config.tangent, linear.pixels(config)
  n = dataset_lib.train_size(config.data)
  moving = 2 * TANGENTS if t.sides == "two" else TANGENTS
  per_pair = moving * d + (TANGENTS * TANGENTS * d if t.sides == "two" else 0) + d
  per_pair += moving ** 3 // 3 + moving * moving
  memory = n * (d + COARSE * COARSE + TANGENTS * d)
  return {"params": 0, "connections": 0,
          "macs": n * COARSE * COARSE + t.coarse_keep * d + t.keep * per_pair,
          "memory": memory}
