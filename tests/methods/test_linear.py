"""lenet/methods/linear.py: the linear and pairwise rows against textbook solves, a tiny run."""
import json

import jax.numpy as jnp
import ml_collections
import numpy as np
import pytest

from experiments.configs import knn_euclidean
from experiments.configs import linear as linear_config
from experiments.configs import linear_deslant
from experiments.configs import pairwise
from experiments.configs import pca_quadratic
from lenet import methods
from lenet.data import dataset
from lenet.methods import linear


def toy(seed=0, n=400, d=7):
  rng = np.random.default_rng(seed)
  centres = rng.normal(size=(10, d)) * 2
  labels = rng.integers(0, 10, n)
  x = np.hstack([centres[labels] + rng.normal(size=(n, d)), np.ones((n, 1))])
  return x.astype(np.float32), labels


def ridge_numpy(x, y, ridge):
  """The normal equations in float64, the bias (last column) not shrunk."""
  x = x.astype(np.float64)
  reg = ridge * np.eye(x.shape[1])
  reg[-1, -1] = 0.0
  return np.linalg.solve(x.T @ x + reg, x.T @ y)


def test_linear_is_ridge_regression_onto_place_codes():
  x, labels = toy()
  w = np.asarray(linear.fit("linear", jnp.asarray(x), labels, 3.0))
  np.testing.assert_allclose(w, ridge_numpy(x, 2 * np.eye(10)[labels] - 1, 3.0), rtol=2e-3,
                             atol=2e-4)


def test_each_pairwise_unit_is_fitted_on_its_two_classes_only():
  x, labels = toy(1)
  w = np.asarray(linear.fit("pairwise", jnp.asarray(x), labels, 0.5))
  assert w.shape == (8, 45)
  for p, (i, j) in enumerate(linear.PAIRS):
    mask = (labels == i) | (labels == j)
    expected = ridge_numpy(x[mask], np.where(labels[mask] == i, 1.0, -1.0), 0.5)
    np.testing.assert_allclose(w[:, p], expected, rtol=2e-3, atol=2e-4)


def test_pairwise_scores_add_i_over_j_and_subtract_y_over_i():
  x = jnp.eye(45, dtype=jnp.float32)[:1]  # one pattern; unit p outputs w[0, p]
  w = jnp.zeros((45, 45)).at[0, 0].set(0.4).at[0, 9].set(-2.0)  # units 0/1 and 1/2
  assert linear.PAIRS[0] == (0, 1) and linear.PAIRS[9] == (1, 2)
  lin = np.asarray(linear.scores("pairwise", x, w, "linear"))[0]
  np.testing.assert_allclose(lin[:3], [0.4, -0.4 - 2.0, 2.0], rtol=1e-6)
  vote = np.asarray(linear.scores("pairwise", x, w, "threshold"))[0]
  assert vote.argmax() == 2 and round(vote[0]) == 1 and round(vote[1]) == -2


def test_principal_components_against_numpy_svd():
  rng = np.random.default_rng(2)
  x = (rng.normal(size=(500, 12)) * np.linspace(3, 0.1, 12)).astype(np.float32)
  mean, basis = linear.principal_components(jnp.asarray(x), 4)
  _, _, vt = np.linalg.svd(x - x.mean(0), full_matrices=False)
  np.testing.assert_allclose(np.asarray(mean), x.mean(0), atol=1e-5)
  # the same directions, up to sign
  np.testing.assert_allclose(np.abs(np.asarray(basis).T @ vt[:4].T), np.eye(4), atol=1e-3)


def test_quadratic_features_are_the_papers_821():
  z = jnp.asarray(np.random.default_rng(3).normal(size=(5, 40)), jnp.float32)
  q = np.asarray(linear.quadratic(z))
  assert q.shape == (5, 821) and np.all(q[:, -1] == 1.0)
  i, j = np.triu_indices(40)
  k = np.flatnonzero((i == 3) & (j == 7))[0]
  np.testing.assert_allclose(q[:, k], np.asarray(z[:, 3] * z[:, 7]), rtol=1e-6)


@pytest.mark.parametrize("terms,count", [("products", 821), ("linear_cross", 821),
                                         ("full", 861)])
def test_the_polynomial_readings_against_a_loop_over_the_terms(terms, count):
  """Each reading of the degree-2 polynomial, term by term, against a plain loop."""
  z = np.random.default_rng(4).normal(size=(3, 6)).astype(np.float32)
  want = [] if terms == "products" else [z[:, a] for a in range(6)]
  want += [z[:, a] * z[:, b] for a in range(6) for b in range(a, 6)
           if b > a or terms != "linear_cross"]
  want = np.stack([*want, np.ones(3, np.float32)], axis=1)
  np.testing.assert_allclose(np.asarray(linear.quadratic(jnp.asarray(z), terms)), want,
                             rtol=1e-6)
  assert linear.quadratic_inputs(40, terms) + 1 == count


def test_counts_against_the_paper():
  assert methods.cost(linear_config.get_config())["params"] == 7_850  # Section III-C-1
  assert methods.cost(linear_deslant.get_config())["params"] == 4_010
  cost = methods.cost(pairwise.get_config())
  assert (cost["params"], cost["macs"]) == (45 * 785, 45 * 784)  # Fig. 12: 35K, Fig. 11: 36K
  assert methods.cost(knn_euclidean.get_config())["memory"] == 60_000 * 784
  cost = methods.cost(pca_quadratic.get_config())  # Figs. 11-12: 39K and 40K
  assert cost["macs"] == 784 * 40 + 780 + 10 * 820 and cost["memory"] == 784 * 41 + 10 * 821


def test_tiny_linear_and_knn_runs_on_mnist(mnist_dir, tmp_path):
  """Fitted on 2,000 digits: far better than chance, deterministic, the K-NN vote the same as a
  brute-force loop over the first test digits."""
  del mnist_dir
  for module in (linear_config, pairwise, pca_quadratic, knn_euclidean):
    c = module.get_config()
    c.data.train_size = 2000
    assert methods.deterministic(c)
    summary = methods.run(c, tmp_path / c.network)
    assert summary["test_error"] < 0.3, (c.network, summary)
  c = knn_euclidean.get_config()
  c.data.train_size = 2000
  d = dataset.load(c.data)
  train = d.train_images.reshape(2000, -1).astype(np.float64)
  wrong = set(json.loads((tmp_path / "knn_euclidean" / "misclassified.json").read_text())[
      "test_index"])
  for q in range(40):
    dist = ((train - d.test_images[q].reshape(-1)) ** 2).sum(1)
    votes = np.bincount(d.train_labels[np.argsort(dist)[:3]], minlength=10)
    if votes.max() > 1:  # no three-way tie: the majority is the prediction
      assert (votes.argmax() != d.test_labels[q]) == (q in wrong), q
  assert not methods.deterministic(ml_collections.ConfigDict(
      {"method": "knn", "neighbors": {"network": "lenet4"}}))


def test_the_float64_fit_is_the_same_ridge_regression():
  x, labels = toy(3)
  want = ridge_numpy(x, 2.0 * np.eye(10)[labels] - 1.0, 0.5)
  np.testing.assert_allclose(linear.fit_float64(x, labels, 0.5), want, rtol=1e-5, atol=1e-6)
