"""lenet/methods/rbf.py: K-means against a textbook Lloyd loop, the units against their formula,
the costs against Figs. 11-12, bad values refused, a tiny run on MNIST."""
import jax
import numpy as np
import pytest

from experiments.configs import rbf as rbf_config
from lenet import methods
from lenet import paper
from lenet.methods import rbf


def lloyd_numpy(x, centres, iterations=100):
  """The textbook loop, in float64: assign to the nearest centre, move each centre to its
  patterns' mean (an empty one stays), until no assignment changes."""
  centres = centres.astype(np.float64).copy()
  a = None
  for _ in range(iterations):
    new = ((x[:, None] - centres[None]) ** 2).sum(-1).argmin(1)
    if a is not None and (new == a).all():
      break
    a = new
    for k in range(len(centres)):
      if (a == k).any():
        centres[k] = x[a == k].mean(0)
  return centres, a


def blobs(seed=0, n=300, d=5, k=4):
  rng = np.random.default_rng(seed)
  means = rng.normal(size=(k, d)) * 4
  return (means[rng.integers(0, k, n)] + rng.normal(size=(n, d))).astype(np.float32)


def test_kmeans_is_lloyds_algorithm_and_ignores_the_padding():
  x = blobs()
  init = x[:6].copy()
  want, want_a = lloyd_numpy(x.astype(np.float64), init)
  padded = np.concatenate([x, np.full((50, x.shape[1]), 1e3, np.float32)])  # far away, masked
  mask = np.arange(len(padded)) < len(x)
  centres, a, its = rbf.kmeans(padded, mask, init, 100)
  np.testing.assert_allclose(np.asarray(centres), want, rtol=1e-4, atol=1e-4)
  np.testing.assert_array_equal(np.asarray(a)[:len(x)], want_a)
  assert 1 < int(its) < 100


def test_class_centres_run_kmeans_within_each_class():
  """Each class's centres are means of that class's patterns; the spreads are the RMS distance
  of each centre's patterns to it."""
  rng = np.random.default_rng(1)
  labels = np.repeat(np.arange(10), 30 + np.arange(10))  # classes of different sizes
  x = (labels[:, None] * 10.0 + rng.normal(size=(len(labels), 3))).astype(np.float32)
  centres, spread, overall, _ = rbf.class_centres(x, labels, 3, jax.random.PRNGKey(0), 100)
  centres, spread = np.asarray(centres).reshape(10, 3, 3), np.asarray(spread).reshape(10, 3)
  for c in range(10):
    xc = x[labels == c].astype(np.float64)
    a = ((xc[:, None] - centres[c][None]) ** 2).sum(-1).argmin(1)
    for k in range(3):
      np.testing.assert_allclose(centres[c, k], xc[a == k].mean(0), rtol=1e-4, atol=1e-4)
      rms = np.sqrt(((xc[a == k] - centres[c, k]) ** 2).sum(1).mean())
      np.testing.assert_allclose(spread[c, k], rms, rtol=1e-3)
  assert 0 < float(overall) < 3
  with pytest.raises(ValueError, match="centres_per_class=40"):
    rbf.class_centres(x, labels, 40, jax.random.PRNGKey(0), 100)


def test_features_are_gaussians_of_the_distance_then_a_one():
  rng = np.random.default_rng(2)
  x, c = rng.normal(size=(25, 6)).astype(np.float32), rng.normal(size=(4, 6)).astype(np.float32)
  sigma = np.array([0.5, 1.0, 2.0, 3.0], np.float32)
  want = np.exp(-((x[:, None] - c[None]) ** 2).sum(-1) / (2 * sigma ** 2))
  phi = np.asarray(rbf.features(x, c, sigma))
  np.testing.assert_allclose(phi[:, :4], want, rtol=1e-4, atol=1e-6)
  np.testing.assert_array_equal(phi[:, 4], 1.0)


def test_counts_against_the_paper():
  cost = methods.cost(rbf_config.get_config())
  assert cost["macs"] == 1000 * 784 + 1000 * 10  # Fig. 11: 794K
  assert round(cost["macs"] / 1000) == float(paper.row("rbf")["macs_k"])
  # Fig. 12's 794K: ours also counts the 1,000 widths and the 10 biases, 795K
  assert cost["params"] == 1000 * 784 + 1000 + 10 * 1001


def test_too_many_centres_for_a_class_is_refused_before_the_run_is_claimed(mnist_dir, tmp_path):
  del mnist_dir
  c = rbf_config.get_config()
  c.data.train_size, c.rbf.centres_per_class = 200, 30  # about 20 patterns per class
  with pytest.raises(ValueError, match="rbf.centres_per_class=30"):
    methods.run(c, tmp_path / "run")
  assert not (tmp_path / "run" / "config.json").exists()


def test_tiny_rbf_run_on_mnist(mnist_dir, tmp_path):
  """20 centres per class on 2,000 digits: far better than chance; random, by its seed."""
  del mnist_dir
  c = rbf_config.get_config()
  c.data.train_size, c.rbf.centres_per_class = 2000, 20
  assert not methods.deterministic(c)
  first = methods.run(c, tmp_path / "seed_0")
  assert first["test_error"] < 0.2, first
  assert first["train_error"] < first["test_error"]
  c.seed = 1
  assert methods.run(c, tmp_path / "seed_1")["test_errors"] != first["test_errors"]
