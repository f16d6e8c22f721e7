"""lenet/methods/tangent.py: the tangents against the transformations they stand for, the
distance against a least-squares solve, the classifier against brute force, a tiny run."""
import jax.numpy as jnp
import numpy as np
import pytest

from experiments.configs import tangent as tangent_config
from lenet import methods
from lenet.data import dataset
from lenet.data import preprocess
from lenet.methods import tangent

S = 16
C = (S - 1) / 2


def blob(transform=lambda x, y: (x, y)):
  """A smooth elongated blob, off centre, drawn through a coordinate map (x, y) -> (x', y')."""
  y, x = np.meshgrid(np.arange(S) - C, np.arange(S) - C, indexing="ij")
  u, v = transform(x, y)
  return np.exp(-((u - 1.0) ** 2 / 18.0 + (v + 0.5) ** 2 / 8.0)).astype(np.float32)


# each tangent's transformation, by a parameter a: the image drawn at the inverse-mapped point
TRANSFORMS = {
    0: lambda a: lambda x, y: (x + a, y),                                   # x translation
    1: lambda a: lambda x, y: (x, y + a),                                   # y translation
    2: lambda a: lambda x, y: (x * (1 + a), y * (1 + a)),                   # scaling
    3: lambda a: lambda x, y: (x * np.cos(a) + y * np.sin(a), -x * np.sin(a) + y * np.cos(a)),
    4: lambda a: lambda x, y: (x * (1 + a), y * (1 - a)),                   # hyperbolic
    5: lambda a: lambda x, y: (x + a * y, y + a * x),                       # diagonal hyperbolic
}


def test_the_geometric_tangents_are_the_derivatives_of_their_transformations():
  t = np.asarray(tangent.tangents(jnp.asarray(blob()[None])))[0]
  for k, make in TRANSFORMS.items():
    eps = 1e-3
    derivative = ((blob(make(eps)) - blob(make(-eps))) / (2 * eps)).reshape(-1)
    cos = derivative @ t[k] / np.linalg.norm(derivative) / np.linalg.norm(t[k])
    assert cos > 0.99, (k, cos)


def test_thickness_tangent_is_the_squared_gradient():
  t = np.asarray(tangent.tangents(jnp.asarray(blob()[None])))[0]
  gy, gx = np.gradient(blob())
  np.testing.assert_allclose(t[6], (gx ** 2 + gy ** 2).reshape(-1), rtol=1e-5, atol=1e-7)


def test_distance_is_the_least_squares_gap_between_the_planes():
  rng = np.random.default_rng(0)
  p, q = rng.normal(size=(2, 30)).astype(np.float32)
  tp, tq = rng.normal(size=(2, 7, 30)).astype(np.float32)
  for sides, m in (("two", np.vstack([tp, -tq])), ("one", -tq)):
    r = (p - q).astype(np.float64)
    coef = np.linalg.lstsq(m.T.astype(np.float64), -r, rcond=None)[0]
    want = ((r + m.T @ coef) ** 2).sum()
    got = float(tangent.distance(p, tp, q, tq, sides, 0.0))
    assert got == pytest.approx(want, rel=1e-3), sides
  assert float(tangent.distance(p, tp, q, tq, "two", 0.0)) < float(
      tangent.distance(p, tp, q, tq, "one", 0.0)) < float(((p - q) ** 2).sum())


def test_a_shifted_copy_is_near_in_tangent_distance_not_in_euclidean():
  p, q = blob(), blob(TRANSFORMS[0](0.7))
  tp, tq = (np.asarray(tangent.tangents(jnp.asarray(x[None])))[0] for x in (p, q))
  td = float(tangent.distance(p.reshape(-1), tp, q.reshape(-1), tq, "two", 0.0))
  assert td < 0.05 * ((p - q) ** 2).sum()


def test_smoothing_is_a_normalized_gaussian_with_background_outside():
  x = np.full((1, S, S), preprocess.BACKGROUND, np.float32)
  x[0, 8, 5] = 1.0
  y = np.asarray(tangent.smooth(x, 1.0))[0] - preprocess.BACKGROUND
  g = np.exp(-np.arange(-3, 4) ** 2 / 2.0)
  g /= g.sum()
  want = np.zeros((S, S))
  want[5:12, 2:9] = np.outer(g, g) * (1.0 - preprocess.BACKGROUND)
  np.testing.assert_allclose(y, want, atol=1e-6)


def test_classify_is_brute_force_when_the_prefilter_keeps_everything():
  rng = np.random.default_rng(1)
  train = rng.normal(size=(40, S, S)).astype(np.float32)
  labels = np.arange(40) % 10
  queries = rng.normal(size=(7, S, S)).astype(np.float32)
  t_train = tangent.tangents(jnp.asarray(train))
  got = np.asarray(tangent.classify(jnp.asarray(train), t_train, jnp.asarray(labels),
                                    jnp.asarray(queries), sides="two", ridge=0.0,
                                    coarse_keep=40, keep=40, chunk=3))
  t_q = tangent.tangents(jnp.asarray(queries))
  for i in range(7):
    d = np.array([float(tangent.distance(queries[i].reshape(-1), t_q[i], train[j].reshape(-1),
                                         t_train[j], "two", 0.0)) for j in range(40)])
    want = [d[labels == c].min() for c in range(10)]
    np.testing.assert_allclose(got[i], want, rtol=1e-3)


def test_classify_filters_in_two_stages_then_ranks_by_tangent_distance():
  """coarse_keep 50 of 200 at 8x8, keep 10 of those at 16x16, as a numpy filter does; a class
  with no candidate ranks after every class that has one."""
  rng = np.random.default_rng(2)
  train = rng.normal(size=(200, S, S)).astype(np.float32)
  labels = rng.integers(0, 10, 200)
  queries = rng.normal(size=(5, S, S)).astype(np.float32)
  t_train = tangent.tangents(jnp.asarray(train))
  got = np.asarray(tangent.classify(jnp.asarray(train), t_train, jnp.asarray(labels),
                                    jnp.asarray(queries), sides="two", ridge=0.0,
                                    coarse_keep=50, keep=10, chunk=2))
  coarse = lambda x: x.reshape(len(x), 8, 2, 8, 2).mean((2, 4)).reshape(len(x), -1)  # noqa
  t_q = tangent.tangents(jnp.asarray(queries))
  for i in range(5):
    first = np.argsort(((coarse(train) - coarse(queries[i:i + 1])) ** 2).sum(1))[:50]
    d16 = ((train[first] - queries[i]) ** 2).sum((1, 2))
    cand = first[np.argsort(d16)[:10]]
    td = np.array([float(tangent.distance(queries[i].reshape(-1), t_q[i], train[j].reshape(-1),
                                          t_train[j], "two", 0.0)) for j in cand])
    want = np.full(10, 2 * td.max() + 1)
    for c in set(labels[cand]):
      want[c] = td[labels[cand] == c].min()
    assert len(set(labels[cand])) < 10
    np.testing.assert_allclose(got[i], want, rtol=1e-3)


def test_costs():
  cost = methods.cost(tangent_config.get_config())
  assert cost["memory"] == 60_000 * (256 + 64 + 7 * 256)
  assert cost["macs"] > 60_000 * 64


def test_tiny_tangent_run_on_mnist_beats_euclidean(mnist_dir, tmp_path):
  """On 2,000 training digits: deterministic, and fewer errors than the nearest neighbour in
  Euclidean distance on the same smoothed 16x16 images."""
  del mnist_dir
  c = tangent_config.get_config()
  c.data.train_size, c.tangent.coarse_keep, c.tangent.keep = 2000, 200, 50
  assert methods.deterministic(c)
  summary = methods.run(c, tmp_path / "tangent")
  d = dataset.load(c.data)
  s = c.tangent.smoothing
  train = np.asarray(tangent.smooth(d.train_images[..., 0], s)).reshape(2000, -1)
  test = np.asarray(tangent.smooth(d.test_images[..., 0], s)).reshape(10_000, -1)
  dist = (test ** 2).sum(1)[:, None] - 2 * test @ train.T + (train ** 2).sum(1)[None]
  euclidean = (d.train_labels[dist.argmin(1)] != d.test_labels).sum()
  assert summary["test_errors"] < 0.8 * euclidean, (summary["test_errors"], euclidean)
