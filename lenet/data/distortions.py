"""Random planar affine distortions of the training set (Section III-C, Fig. 7).

The paper trains on 60,000 originals plus 540,000 distorted copies (horizontal and vertical
translation, scaling, squeezing, horizontal shearing), 20 passes of 60,000 patterns drawn from
those 600,000. It does not give the ranges; ours are config fields (`data.distortion`), chosen from
the look of Fig. 7 (README, assumptions).

The enlarged set that these copies make up is lenet/data/training_set.py.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from lenet.data import preprocess


def sample_affine(key, cfg) -> jax.Array:
  """A 2x3 matrix mapping output (row, col) offsets from the centre to input ones.

  Forward transformation (applied to the digit): scale s, squeeze q (width x q, height / q),
  horizontal shear h (x += h y), translation (dx, dy) pixels. We return its inverse, which the
  resampler needs.
  """
  k = jax.random.split(key, 5)
  f = cfg.range_scale  # every range times this factor (half / ours / double, results/selection)
  u = lambda key, r: jax.random.uniform(key, (), jnp.float32, -r * f, r * f)  # noqa: E731
  scale = 1.0 + u(k[0], cfg.scale)
  squeeze = 1.0 + u(k[1], cfg.squeeze)
  shear = u(k[2], cfg.shear)
  dx, dy = u(k[3], cfg.translate), u(k[4], cfg.translate)
  # Forward, on (col, row) = (x, y): [x'; y'] = A [x; y] + t.
  a = jnp.array([[scale * squeeze, scale * squeeze * shear], [0.0, scale / squeeze]])
  a_inv = jnp.linalg.inv(a)
  t = jnp.array([dx, dy])
  return jnp.concatenate([a_inv, (-a_inv @ t)[:, None]], axis=1)


def warp(image_HxWx1: jax.Array, inverse_2x3: jax.Array) -> jax.Array:
  """Bilinear resampling of one image under an inverse affine map about its centre; pixels from
  outside the field are background."""
  h, w, _ = image_HxWx1.shape
  rows, cols = jnp.meshgrid(jnp.arange(h, dtype=jnp.float32), jnp.arange(w, dtype=jnp.float32),
                            indexing="ij")
  cy, cx = (h - 1) / 2.0, (w - 1) / 2.0
  xy = jnp.stack([cols.ravel() - cx, rows.ravel() - cy, jnp.ones(h * w)])
  src = inverse_2x3 @ xy
  coords = [src[1] + cy, src[0] + cx]
  out = jax.scipy.ndimage.map_coordinates(image_HxWx1[..., 0], coords, order=1, mode="constant",
                                          cval=preprocess.BACKGROUND)
  return out.reshape(h, w, 1)


def check(cfg) -> None:
  """Refuses ranges that are not distortions (the field named)."""
  if cfg.copies < 0:
    raise ValueError(f"data.distortion.copies must be >= 0, got {cfg.copies}")
  if not 0 < cfg.range_scale:
    raise ValueError(f"data.distortion.range_scale must be positive, got {cfg.range_scale}")
  for field in ("translate", "scale", "squeeze", "shear"):
    if not 0 <= cfg[field] * cfg.range_scale < (1 if field in ("scale", "squeeze") else 100):
      raise ValueError(f"data.distortion.{field}={cfg[field]} (times range_scale="
                       f"{cfg.range_scale}) is out of range")

