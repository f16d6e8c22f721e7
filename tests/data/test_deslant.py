"""lenet/data/deslant.py: deslanting against hand-sheared images."""
import numpy as np
import pytest

from lenet.data import deslant
from lenet.data import preprocess


def bar(shear: float) -> np.ndarray:
  """A 28x28 slanted bar, rows 4..23, two pixels wide, its centre at x = 14 + shear (y - 13.5)."""
  img = np.zeros((28, 28), np.float64)
  for y in range(4, 24):
    x = 13.5 + shear * (y - 13.5)
    lo = int(np.floor(x))
    img[y, lo], img[y, lo + 1] = 255 * (lo + 1 - x) + 0, 255
    img[y, lo + 2] = 255 * (x - lo)
  return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def test_slant_of_a_hand_sheared_bar_is_its_shear():
  for shear in (-0.3, 0.0, 0.25):
    _, x0, slant = deslant.moments(bar(shear)[None])
    assert slant[0] == pytest.approx(shear, abs=0.01) and x0[0] == pytest.approx(14.0, abs=0.05)


def test_deslanting_makes_the_bar_vertical_and_centres_it():
  for weighting in deslant.WEIGHTINGS:
    out = deslant.deslant(np.stack([bar(0.3), bar(-0.2)]), weighting)
    assert out.shape == (2, 20, 20)
    for img in out:
      _, x0, slant = deslant.moments(img[None])
      assert abs(slant[0]) < 0.02 and x0[0] == pytest.approx(9.5, abs=0.1)
      cols = (img.astype(float) * np.arange(20)[None]).sum(1) / np.maximum(img.sum(1), 1)
      inked = img.sum(1) > 0
      assert np.ptp(cols[inked]) < 0.3  # every row's ink at the same column


def test_an_upright_centred_digit_is_only_cropped():
  img = np.zeros((28, 28), np.uint8)
  img[6:22, 10:18] = 200  # symmetric: no slant, centroid at (13.5, 13.5)
  out = deslant.deslant(img[None])[0]
  np.testing.assert_array_equal(out, img[4:24, 4:24])


def test_deslant_input_formats():
  x = preprocess.preprocess(np.stack([bar(0.3)]), "deslant20")
  assert x.shape == (1, 20, 20, 1) and x.min() == pytest.approx(preprocess.BACKGROUND)
  # deslant28: the same deslanted digit in the whole field, the 20x20 its central window
  x28 = preprocess.preprocess(np.stack([bar(0.3)]), "deslant28")
  assert x28.shape == (1, 28, 28, 1)
  np.testing.assert_array_equal(x28[:, 4:24, 4:24], x)
  with pytest.raises(ValueError, match="weighting"):
    deslant.moments(bar(0)[None], "otsu")
