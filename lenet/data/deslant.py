"""Deslanting (Section III-C, the [deslant] rows of Fig. 9): each digit sheared horizontally so
that its principal axis is vertical, then the 20x20 window about its centre of mass.

From the second moments of the pixel intensities I(y, x), with centroid (y0, x0):
    slant a = sum (x - x0)(y - y0) I / sum (y - y0)^2 I,
and the output pixel (i, j), i, j = 0..19, is the input at
    y = y0 + (i - 9.5),  x = x0 + (j - 9.5) + a (i - 9.5)
by bilinear interpolation (background outside the field). The shear about y0 keeps the centroid.
The paper deslanted NIST's bilevel originals; MNIST is grey, so the moments' weighting is a
choice: "grey" (I = pixel / 255) or "threshold" (I = 1 where pixel >= HALF_INK, else 0).
"""
from __future__ import annotations

import numpy as np

SIZE = 20
WEIGHTINGS = ("grey", "threshold")
HALF_INK = 128  # of 255: a pixel at or above it is ink in a thresholded (bilevel) image


def moments(images_uint8: np.ndarray, weighting: str = "grey"):
  """Per image: centroid (y0, x0) and slant a (0 for an empty image)."""
  if weighting not in WEIGHTINGS:
    raise ValueError(f"unknown deslant weighting {weighting!r}; choose from {WEIGHTINGS}")
  w = images_uint8.astype(np.float64)
  w = w / 255.0 if weighting == "grey" else (w >= HALF_INK).astype(np.float64)
  _, h, wd = w.shape
  ys, xs = np.arange(h, dtype=np.float64), np.arange(wd, dtype=np.float64)
  mass = np.maximum(w.sum((1, 2)), 1e-12)
  y0 = np.einsum("nyx,y->n", w, ys) / mass
  x0 = np.einsum("nyx,x->n", w, xs) / mass
  dy, dx = ys[None, :] - y0[:, None], xs[None, :] - x0[:, None]
  mu11 = np.einsum("nyx,ny,nx->n", w, dy, dx) / mass
  mu02 = np.einsum("nyx,ny->n", w, dy ** 2) / mass
  slant = np.where(mu02 > 1e-12, mu11 / np.maximum(mu02, 1e-12), 0.0)
  return y0, x0, slant


def bilinear(images: np.ndarray, y: np.ndarray, x: np.ndarray) -> np.ndarray:
  """images (N, H, W) sampled at (N, P) points, zero outside the field."""
  n, h, w = images.shape
  y_lo, x_lo = np.floor(y).astype(np.int64), np.floor(x).astype(np.int64)
  out = np.zeros(y.shape, np.float64)
  rows = np.arange(n)[:, None]
  for dy in (0, 1):
    for dx in (0, 1):
      yy, xx = y_lo + dy, x_lo + dx
      weight = (1 - np.abs(y - yy)) * (1 - np.abs(x - xx))
      inside = (yy >= 0) & (yy < h) & (xx >= 0) & (xx < w)
      values = images[rows, np.clip(yy, 0, h - 1), np.clip(xx, 0, w - 1)]
      out += np.where(inside, weight * values, 0.0)
  return out


def deslant(images_uint8: np.ndarray, weighting: str = "grey", size: int = SIZE) -> np.ndarray:
  """(N, 28, 28) uint8 -> (N, size, size) uint8, deslanted and centred on the centre of mass."""
  y0, x0, slant = moments(images_uint8, weighting)
  offsets = np.arange(size, dtype=np.float64) - (size - 1) / 2.0
  oi, oj = np.meshgrid(offsets, offsets, indexing="ij")
  y = y0[:, None] + oi.ravel()[None]
  x = x0[:, None] + oj.ravel()[None] + slant[:, None] * oi.ravel()[None]
  out = bilinear(images_uint8.astype(np.float64), y, x)
  return np.clip(np.rint(out), 0, 255).astype(np.uint8).reshape(-1, size, size)
