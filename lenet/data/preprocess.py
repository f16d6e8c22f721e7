"""The paper's preprocessing of the digits (Section III-A) and the input formats of the networks."""
from __future__ import annotations

import numpy as np

from lenet.data import deslant

# Input normalization (Section III-A): background -0.1, ink 1.175, i.e. x' = -0.1 + 1.275 x/255.
BACKGROUND = -0.1
INK = 1.175

INPUT_FORMATS = ("pad32", "center16in28", "field16in28", "raw", "bilevel", "deslant20",
                 "deslant20_threshold", "deslant28", "box16", "window16", "field16")
# Each format's image side; the rest keep MNIST's 28.
SIDE = {"pad32": 32, "deslant20": 20, "deslant20_threshold": 20, "box16": 16, "window16": 16,
        "field16": 16}


def normalize(images_uint8: np.ndarray) -> np.ndarray:
  """Background (0) to -0.1, ink (255) to 1.175: mean about 0, variance about 1 (Sec. III-A)."""
  return (BACKGROUND + (INK - BACKGROUND) * images_uint8.astype(np.float32) / 255.0).astype(
      np.float32)


def pad_to(images: np.ndarray, size: int) -> np.ndarray:
  """Centres (N, h, w) images in a size x size field of background (0 before normalization)."""
  n, h, w = images.shape
  if h > size or w > size:
    raise ValueError(f"images of {h}x{w} do not fit in {size}x{size}")
  top, left = (size - h) // 2, (size - w) // 2
  return np.pad(images, ((0, 0), (top, size - h - top), (left, size - w - left)))


def rescale(images_uint8: np.ndarray, scale: float) -> np.ndarray:
  """Shrinks (N, h, w) uint8 images by `scale` about the field's centre, by area averaging,
  keeping the field size (the border becomes background). Returns uint8."""
  def area_matrix(n):
    # Output pixel i covers the input interval [c + (i - c) / scale, c + (i + 1 - c) / scale].
    c = n / 2.0
    edges = c + (np.arange(n + 1) - c) / scale
    lo, hi = edges[:-1, None], edges[1:, None]
    j = np.arange(n)[None, :]
    overlap = np.clip(np.minimum(hi, j + 1) - np.maximum(lo, j), 0.0, None)
    return overlap * scale  # each output averages an interval of length 1 / scale
  _, h, w = images_uint8.shape
  out = np.einsum("ih,nhw,jw->nij", area_matrix(h), images_uint8.astype(np.float64),
                  area_matrix(w))
  return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def centre_box(images_uint8: np.ndarray) -> np.ndarray:
  """Shifts each (h, w) image by whole pixels so that the bounding box of its ink (pixels > 0)
  is centred in the field (MNIST centres by mass). A blank image is left as it is."""
  n, h, w = images_uint8.shape
  def shifts(ink, size):  # ink: (N, size), whether each row (or column) has ink
    first = ink.argmax(1)
    extent = size - ink[:, ::-1].argmax(1) - first
    return np.where(ink.any(1), (size - extent) // 2 - first, 0)
  dy = shifts((images_uint8 > 0).any(2), h)
  dx = shifts((images_uint8 > 0).any(1), w)
  y = np.arange(h)[None, :] - dy[:, None]  # output row r reads input row r - dy
  x = np.arange(w)[None, :] - dx[:, None]
  inside = ((y >= 0) & (y < h))[:, :, None] & ((x >= 0) & (x < w))[:, None, :]
  out = images_uint8[np.arange(n)[:, None, None], np.clip(y, 0, h - 1)[:, :, None],
                     np.clip(x, 0, w - 1)[:, None, :]]
  return np.where(inside, out, 0).astype(np.uint8)


def preprocess(images_uint8: np.ndarray, input_format: str) -> np.ndarray:
  """The network input, (N, S, S, 1) float32.

  input_format:
    "pad32": LeNet-5's input, the 28x28 field padded (not resized) to 32x32 (Section II-B).
    "center16in28": LeNet-1's input, digits down-sampled to 16x16 and centred in 28x28 (III-C-7).
      MNIST's digits fit a 20x20 box centred (by centre of mass) in the 28x28 field, so the field
      is shrunk by 16/20 about its centre; area averaging is our choice of method (README,
      assumptions).
    "field16in28": the other reading of 16x16: the whole 28x28 field shrunk to 16x16 about its
      centre (digits of about 11 pixels), kept in a 28x28 field.
    "raw": the images as stored, only normalized.
    "bilevel": the 28x28 field thresholded at half ink (128 of 255) to background or ink, an
      approximation of the bilevel NIST originals the paper's [deslant] rows started from (an
      ablation of the pixel rows: MNIST's grey levels are the anti-aliasing of its size
      normalization).
    "deslant20": the [deslant] rows' input, each digit deslanted and cut to the 20x20 window
      about its centre of mass (lenet/data/deslant.py), the moments weighted by grey level;
      "deslant20_threshold": the moments of the thresholded digit (the paper's were bilevel).
    "deslant28": deslanted as "deslant20" but kept in the whole 28x28 field about the centre of
      mass, whose 4-pixel margin lets a digit move (V-SVM's virtual shifts) without losing ink.
    "box16", "window16", "field16": 16x16 images for [16x16] Tangent distance. "box16": each
      digit's bounding box (at most 20x20 in MNIST) centred in the field, then its 20x20 box
      shrunk to 16x16. "window16": the central 20x20 window shrunk, without centring the box;
      MNIST centres digits by mass, so this cuts some ink from 76% of the training digits (3.5%
      of a digit's ink on average, 22% at most). "field16": the whole field shrunk to 16x16
      (the central 16x16 of "field16in28").
  """
  if input_format == "pad32":
    images = pad_to(images_uint8, 32)
  elif input_format == "center16in28":
    images = rescale(images_uint8, 16 / 20)
  elif input_format == "field16in28":
    images = rescale(images_uint8, 16 / 28)
  elif input_format == "raw":
    images = images_uint8
  elif input_format == "bilevel":
    images = np.where(images_uint8 >= deslant.HALF_INK, 255, 0).astype(np.uint8)
  elif input_format == "box16":
    images = rescale(centre_box(images_uint8), 16 / 20)[:, 6:22, 6:22]
  elif input_format in ("window16", "field16"):
    images = rescale(images_uint8, 16 / (20 if input_format == "window16" else 28))[:, 6:22, 6:22]
  elif input_format in ("deslant20", "deslant20_threshold"):
    images = deslant.deslant(images_uint8, "threshold" if input_format.endswith("threshold")
                             else "grey")
  elif input_format == "deslant28":
    images = deslant.deslant(images_uint8, "grey", size=28)
  else:
    raise ValueError(f"unknown data.input_format={input_format!r}; choose from {INPUT_FORMATS}")
  return normalize(images)[..., None]
