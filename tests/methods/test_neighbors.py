"""lenet/methods/neighbors.py: nearest neighbours and local learning against numpy, a tiny run."""
import json

import jax.numpy as jnp
import numpy as np
import pytest

from experiments.configs import lenet4_knn
from experiments.configs import lenet4_local
from lenet import methods
from lenet.data import dataset
from lenet.methods import neighbors
from lenet.methods import network
from lenet.train import kernels


def data(seed=0, n=300, q=40, d=6):
  rng = np.random.default_rng(seed)
  centres = rng.normal(size=(10, d)) * 3
  labels = rng.integers(0, 10, n)
  x = centres[labels] + rng.normal(size=(n, d))
  q_labels = rng.integers(0, 10, q)
  queries = centres[q_labels] + rng.normal(size=(q, d))
  return x.astype(np.float32), labels, queries.astype(np.float32), q_labels


def test_nearest_matches_brute_force():
  x, _, q, _ = data()
  d, idx = neighbors.nearest(jnp.asarray(x), jnp.asarray(q), 5)
  full = ((q[:, None] - x[None]) ** 2).sum(-1)
  np.testing.assert_array_equal(np.asarray(idx), np.argsort(full, axis=1)[:, :5])
  np.testing.assert_allclose(np.asarray(d), np.sort(full, axis=1)[:, :5], rtol=1e-4, atol=1e-3)


def test_knn_votes_and_ties():
  dist = jnp.array([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])
  labels = jnp.array([[4, 7, 7], [4, 7, 2]])
  p = np.asarray(neighbors.knn_penalties(dist, labels))
  assert p.argmin(1).tolist() == [7, 4]  # majority; then a tie goes to the nearest
  assert p[0, 0] > p[0, 7] and p[0, 1] == 1.0


def test_local_learning_is_ridge_regression_fitted_at_each_query():
  x, labels, q, _ = data(1)
  k, ridge = 20, 0.5
  out = np.asarray(neighbors.classify(jnp.asarray(x), jnp.asarray(labels), jnp.asarray(q),
                                      method="local", k=k, ridge=ridge, chunk=16))
  full = ((q[:, None] - x[None]) ** 2).sum(-1)
  for i in range(len(q)):
    nb = np.argsort(full[i])[:k]
    xn, y = x[nb].astype(np.float64), 2 * np.eye(10)[labels[nb]] - 1
    # primal: min ||[Xc 1] [w; b] - Y||^2 + ridge ||w||^2 with Xc centred on the query
    a = np.hstack([xn - q[i], np.ones((k, 1))])
    reg = np.diag([ridge] * x.shape[1] + [0.0])
    wb = np.linalg.solve(a.T @ a + reg, a.T @ y)
    np.testing.assert_allclose(-out[i], wb[-1], rtol=1e-3, atol=1e-3)


def test_knn_and_local_classify_separable_clusters():
  x, labels, q, q_labels = data(2)
  for method in ("knn", "local"):
    p = neighbors.classify(jnp.asarray(x), jnp.asarray(labels), jnp.asarray(q), method=method,
                           k=5 if method == "knn" else 30, ridge=1.0, chunk=16)
    assert (np.asarray(p).argmin(1) == q_labels).mean() > 0.9


@pytest.fixture(scope="module")
def tiny_lenet4(mnist_dir, tmp_path_factory):
  """A LeNet-4 trained briefly, as a K-NN run's network: <dir>/net."""
  del mnist_dir
  c = lenet4_knn.get_config()
  c.data.train_size, c.train.passes = 500, 1
  workdir = tmp_path_factory.mktemp("knn")
  return c, workdir, methods.run(c, workdir)


def test_tiny_knn_run_votes_as_a_brute_force_count(tiny_lenet4):
  c, workdir, summary = tiny_lenet4
  net = json.loads((workdir / "net" / "summary.json").read_text())
  assert net["network"] == "lenet4" and summary["network_test_error"] == net["test_error"]
  # The network's C5 features, then the 3 nearest by a plain numpy distance and a vote (ties
  # to the class of the nearest neighbour among the tied ones).
  d = dataset.load(c.data)
  fns, params = network.load(neighbors.net_config(c), workdir / "net")
  features = kernels.make_features_fn(fns, 1000)
  train_f = np.asarray(features(params, d.train_images), np.float64)
  test_f = np.asarray(features(params, d.test_images), np.float64)
  dist = ((test_f ** 2).sum(1)[:, None] - 2 * test_f @ train_f.T + (train_f ** 2).sum(1)[None])
  nearest = np.argsort(dist, axis=1, kind="stable")[:, :c.neighbors.k]
  votes = np.stack([np.bincount(row, minlength=10) for row in d.train_labels[nearest]])
  pred = [next(lab for lab in d.train_labels[row] if votes[i, lab] == votes[i].max())
          for i, row in enumerate(nearest)]
  wrong = set(np.flatnonzero(np.array(pred) != d.test_labels).tolist())
  ours = set(json.loads((workdir / "misclassified.json").read_text())["test_index"])
  assert len(wrong ^ ours) <= 3  # float32 against float64 distances may reorder a near tie
  assert len(ours) == summary["test_errors"] and 0 <= summary["rejected_for_target"] <= 1


def test_local_run_adopts_the_finished_network(tiny_lenet4, tmp_path):
  c, workdir, _ = tiny_lenet4
  local = lenet4_local.get_config()
  local.data.train_size, local.train.passes = 500, 1
  local.neighbors.reuse = str(workdir / "net")
  summary = methods.run(local, tmp_path / "local")
  assert (tmp_path / "local" / "net" / "params.msgpack").read_bytes() == (
      workdir / "net" / "params.msgpack").read_bytes()
  assert summary["network_test_error"] == json.loads(
      (workdir / "net" / "summary.json").read_text())["test_error"]
  # a network trained with another config is refused
  other = lenet4_local.get_config()
  other.data.train_size, other.train.passes = 500, 2
  other.neighbors.reuse = str(workdir / "net")
  with pytest.raises(ValueError, match="not trained with the config"):
    methods.run(other, tmp_path / "other")


def test_a_selection_run_is_judged_on_the_validation_split_only(mnist_dir, tmp_path):
  """With data.validation_size, the network and its K-NN are measured on the held-out patterns
  and record no test error (a selection run never looks at the test set)."""
  del mnist_dir
  c = lenet4_knn.get_config()
  c.data.validation_size, c.data.train_size, c.train.passes = 200, 300, 1
  summary = methods.run(c, tmp_path)
  net = json.loads((tmp_path / "net" / "summary.json").read_text())
  metrics = [json.loads(line) for line in (tmp_path / "net" / "metrics.jsonl").open()]
  for record in (summary, net, *metrics):
    assert not any(k.startswith("test_") for k in record), record
  assert summary["network_validation_error"] == net["validation_error"]
  wrong = json.loads((tmp_path / "misclassified.json").read_text())["validation_index"]
  assert len(wrong) == summary["validation_errors"] == round(200 * summary["validation_error"])
  assert max(wrong, default=0) < 200


def test_unknown_method_is_rejected(tmp_path):
  c = lenet4_knn.get_config()
  c.method = "nearest_mean"
  with pytest.raises(ValueError, match="unknown method='nearest_mean'"):
    methods.run(c, tmp_path)
  assert not any(tmp_path.iterdir())


def test_a_method_without_its_block_is_named(tmp_path):
  c = lenet4_knn.get_config()
  c.method = "svm"  # a known method, but the k-NN config has no svm block
  with pytest.raises(ValueError, match="no field 'svm'"):
    methods.run(c, tmp_path)
  assert not any(tmp_path.iterdir())
