"""lenet/data/distortions.py and training_set.py: the affine warps and the enlarged training
set (Section III-C)."""
import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import pytest

from lenet import methods
from lenet.data import distortions
from lenet.data import preprocess
from lenet.data import training_set
from lenet.train import orders
from tests.conftest import small_config


def ranges(copies=9, translate=0.0, scale=0.0, squeeze=0.0, shear=0.0, seed=-1, range_scale=1.0):
  return ml_collections.ConfigDict(dict(copies=copies, translate=translate, scale=scale,
                                        squeeze=squeeze, shear=shear, seed=seed,
                                        range_scale=range_scale))


def digit():
  img = np.full((32, 32, 1), preprocess.BACKGROUND, np.float32)
  img[10:22, 14:18] = preprocess.INK  # a vertical bar
  return jnp.asarray(img)


def test_identity_and_integer_translation_are_exact():
  x = digit()
  identity = jnp.array([[1.0, 0, 0], [0, 1.0, 0]])
  np.testing.assert_array_equal(distortions.warp(x, identity), x)
  # inverse map of "move right by 2, down by 1": sample from (x - 2, y - 1)
  shifted = distortions.warp(x, jnp.array([[1.0, 0, -2.0], [0, 1.0, -1.0]]))
  expected = np.full_like(np.asarray(x), preprocess.BACKGROUND)
  expected[11:23, 16:20] = preprocess.INK
  np.testing.assert_allclose(shifted, expected, atol=1e-6)


def test_forward_transformation_of_the_sampled_matrix():
  """sample_affine returns the inverse of A = [[s q, s q h], [0, s / q]] plus translation."""
  cfg = ranges(translate=2.0, scale=0.1, squeeze=0.15, shear=0.3)
  m = np.asarray(distortions.sample_affine(jax.random.PRNGKey(3), cfg))
  a_inv, b = m[:, :2], m[:, 2]
  a = np.linalg.inv(a_inv)
  t = -a @ b
  assert a[1, 0] == pytest.approx(0, abs=1e-6)
  scale_q, scale_over_q = a[0, 0], a[1, 1]
  s, q = np.sqrt(scale_q * scale_over_q), np.sqrt(scale_q / scale_over_q)
  assert 0.9 <= s <= 1.1 and 0.85 <= q <= 1.15
  assert abs(a[0, 1] / a[0, 0]) <= 0.3 and np.all(np.abs(t) <= 2.0)


def test_range_scale_multiplies_every_range():
  """range_scale=0.5 draws exactly the distortion of the halved ranges; 2 the doubled ones."""
  key = jax.random.PRNGKey(7)
  for f in (0.5, 2.0):
    scaled = distortions.sample_affine(key, ranges(translate=2.0, scale=0.1, squeeze=0.15,
                                                   shear=0.3, range_scale=f))
    explicit = distortions.sample_affine(key, ranges(translate=2.0 * f, scale=0.1 * f,
                                                     squeeze=0.15 * f, shear=0.3 * f))
    np.testing.assert_array_equal(scaled, explicit)
  assert not np.array_equal(scaled, distortions.sample_affine(
      key, ranges(translate=2.0, scale=0.1, squeeze=0.15, shear=0.3)))
  with pytest.raises(ValueError, match="range_scale"):
    distortions.check(ranges(scale=0.6, range_scale=2.0))


@pytest.mark.slow
def test_enlarged_set_originals_then_fixed_copies():
  images = jnp.stack([digit(), -digit()])
  cfg = ranges(translate=2.0, scale=0.1, squeeze=0.15, shear=0.3)
  fetch = training_set.pattern_fetcher(2, cfg, seed=0)
  out = np.asarray(fetch(images, jnp.arange(20)))
  np.testing.assert_array_equal(out[:2], images)  # patterns 0..N-1 are the originals
  assert all(np.abs(out[k] - images[k % 2]).max() > 0.1 for k in range(2, 20))
  np.testing.assert_array_equal(fetch(images, jnp.array([7, 7])), out[[7, 7]])  # fixed copies
  other_seed = np.asarray(training_set.pattern_fetcher(2, cfg, seed=1)(images, jnp.arange(20)))
  assert np.abs(other_seed[2:] - out[2:]).max() > 0.1
  fixed = ranges(translate=2.0, scale=0.1, squeeze=0.15, shear=0.3, seed=0)
  np.testing.assert_array_equal(
      training_set.pattern_fetcher(2, fixed, seed=5)(images, jnp.arange(20)), out)


def test_pass_patterns_go_through_the_enlarged_set():
  """20 passes of 60 over 600: every pattern twice, each pass 60 distinct ones."""
  seen = np.concatenate([orders.pass_patterns(0, 600, 60, p, "fixed") for p in range(20)])
  assert np.bincount(seen, minlength=600).tolist() == [2] * 600
  # without distortion the order is the same every pass, as before
  np.testing.assert_array_equal(orders.pass_patterns(0, 60, 60, 3, "fixed"),
                                orders.pattern_order(0, 60, 0, "fixed"))


@pytest.mark.slow
def test_bad_ranges_are_rejected(tmp_path):
  c = small_config()
  c.data.distortion.copies = -1
  with pytest.raises(ValueError, match="data.distortion.copies"):
    methods.run(c, tmp_path)


def test_distorted_training_runs_and_differs(mnist_dir, tmp_path):
  del mnist_dir
  plain = methods.run(small_config(train__passes=1), tmp_path / "plain")
  c = small_config(train__passes=1)
  c.data.distortion.copies = 9
  dist = methods.run(c, tmp_path / "dist")
  assert dist["test_error"] < 0.8  # well under chance (90%): it learned
  assert (tmp_path / "dist" / "params.msgpack").read_bytes() != (
      tmp_path / "plain" / "params.msgpack").read_bytes()
  assert plain["test_errors"] != dist["test_errors"] or plain["train_error"] != dist["train_error"]


def test_the_training_set_owns_pattern_k():
  """Pattern k is made from original k % N; a subset trains on some positions only."""
  cfg = ranges(copies=2, translate=2.0, scale=0.1, squeeze=0.15, shear=0.3)
  images = np.stack([np.asarray(digit()), np.asarray(digit())[:, ::-1]])
  labels = np.array([3, 7], np.int32)
  full = training_set.TrainingSet.build(images, labels, cfg, seed=0)
  assert (full.num_originals, full.enlarged_size, full.size) == (2, 6, 6)
  assert np.asarray(full.labels_of(np.arange(6))).tolist() == [3, 7, 3, 7, 3, 7]
  np.testing.assert_array_equal(full.patterns(np.array([0, 1])), images)
  np.testing.assert_array_equal(
      full.patterns(np.array([5, 4])),
      training_set.pattern_fetcher(2, cfg, seed=0)(jnp.asarray(images), jnp.array([5, 4])))
  part = training_set.TrainingSet.build(images, labels, cfg, seed=0, subset=[4, 1, 5])
  assert part.size == 3 and part.positions(np.array([2, 0])).tolist() == [5, 4]
  plain = training_set.TrainingSet.build(images, labels, ranges(copies=0), seed=0)
  assert plain.fetch is None and plain.enlarged_size == 2
