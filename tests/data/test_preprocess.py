"""lenet/data/preprocess.py: the paper's normalization and the networks' input formats."""
import numpy as np
import pytest

from lenet.data import preprocess


def test_unknown_source_and_format_are_rejected():
  with pytest.raises(ValueError, match="data.input_format"):
    preprocess.preprocess(np.zeros((1, 28, 28), np.uint8), "pad30")


def test_paper_normalization_and_padding():
  img = np.zeros((1, 28, 28), np.uint8)
  img[0, 0, 0] = 255
  x = preprocess.preprocess(img, "pad32")
  assert x.shape == (1, 32, 32, 1) and x.dtype == np.float32
  assert x[0, 2, 2, 0] == pytest.approx(1.175)  # ink, shifted by the 2-pixel border
  assert x[0, 0, 0, 0] == pytest.approx(-0.1) and x[0, 31, 31, 0] == pytest.approx(-0.1)
  assert (x == np.float32(-0.1)).sum() == 32 * 32 - 1


def test_bilevel_thresholds_at_half_ink():
  img = np.array([[0, 127, 128, 255]], np.uint8).reshape(1, 1, 4)
  x = preprocess.preprocess(np.pad(img, ((0, 0), (0, 27), (0, 24))), "bilevel")
  assert x.shape == (1, 28, 28, 1)
  np.testing.assert_allclose(x[0, 0, :4, 0], [-0.1, -0.1, 1.175, 1.175], rtol=1e-6)
  assert set(np.unique(x)) == {np.float32(-0.1), np.float32(1.175)}


def test_lenet1_input_is_16x16_centred_in_28x28():
  img = np.zeros((1, 28, 28), np.uint8)
  img[0, 4:24, 4:24] = 255  # MNIST's 20x20 digit box, centred
  x = preprocess.preprocess(img, "center16in28")[0, ..., 0]
  assert x.shape == (28, 28)
  ink = np.argwhere(x > 1.0)
  assert ink.min(0).tolist() == [6, 6] and ink.max(0).tolist() == [21, 21]
  assert (x > -0.1).sum() == 16 * 16  # exactly 16x16, nothing smeared outside
  # area averaging keeps the ink: 400 full pixels become 256
  raw = preprocess.rescale(np.full((1, 28, 28), 100, np.uint8), 0.8)
  assert raw[0, 3:25, 3:25].min() == 100 and raw[0, 0, 0] == 0


def test_the_whole_field_shrunk_to_16x16_is_the_other_reading():
  img = np.full((1, 28, 28), 255, np.uint8)  # ink everywhere: the field itself
  x = preprocess.preprocess(img, "field16in28")[0, ..., 0]
  assert x.shape == (28, 28)
  ink = np.argwhere(x > 1.0)
  assert ink.min(0).tolist() == [6, 6] and ink.max(0).tolist() == [21, 21]
  assert (x > -0.1).sum() == 16 * 16


def test_box16_centres_the_digits_box_and_keeps_its_ink():
  img = np.zeros((2, 28, 28), np.uint8)
  img[0, 0:20, 8:18] = 200  # a 20x10 box at the top, as MNIST's mass centring can leave it
  img[1, 9:12, 20:27] = 255  # a 3x7 box at the right
  moved = preprocess.centre_box(img)
  for before, after in zip(img, moved):
    assert after.sum() == before.sum()
    rows, cols = np.nonzero(after)
    h, w = rows.max() - rows.min() + 1, cols.max() - cols.min() + 1
    assert (rows.min(), cols.min()) == ((28 - h) // 2, (28 - w) // 2)
  # the 20x20 box shrinks to the whole 16x16 and keeps its ink (area averaging scales it by 0.64)
  box = preprocess.preprocess(img, "box16")
  window = preprocess.preprocess(img, "window16")
  ink = lambda x: (x - preprocess.BACKGROUND).sum((1, 2, 3)) / (preprocess.INK - preprocess.BACKGROUND)
  full = img.sum((1, 2)) / 255 * 0.64
  np.testing.assert_allclose(ink(box), full, rtol=0.01)
  assert ink(window)[0] < 0.85 * full[0]  # the central window cuts the top of the first
  assert preprocess.centre_box(np.zeros((1, 28, 28), np.uint8)).sum() == 0
