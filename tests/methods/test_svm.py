"""lenet/methods/svm.py: the kernel, a hand-worked machine, libsvm's layout and the vote."""

import jax.numpy as jnp
import ml_collections
import numpy as np
import pytest

from experiments.configs import svm_poly4
from lenet import methods
from lenet.methods import linear
from lenet.methods import svm


def fields(**kw):
  return ml_collections.ConfigDict({"degree": 1, "scale": 1.0, "offset": 0.0, "C": 1e6,
                                    "pixels": "normalized",
                                    "tolerance": 1e-6, "cache_mb": 50, "virtual": "none",
                                    **kw})


def test_kernel_against_its_formula():
  rng = np.random.RandomState(0)
  x, y = rng.randn(4, 6).astype(np.float32), rng.randn(3, 6).astype(np.float32)
  k = np.asarray(svm.kernel(x, y, 2.5, 1.0, 4))
  brute = [[(np.dot(a, b) / 2.5 + 1.0) ** 4 for b in y] for a in x]
  np.testing.assert_allclose(k, brute, rtol=1e-5)
  assert svm.kernel_scale(x, 2.0) == pytest.approx(2.0 * np.mean((x ** 2).sum(1)), rel=1e-6)


def test_hard_margin_machine_on_a_separable_toy_set():
  """Class 0 at (1, 0), (2, 1); class 1 at (-1, 0), (-2, -1). By hand: the maximum margin line is
  x1 = 0, w = (1, 0), b = 0, margin 1; the support vectors are (+-1, 0), alpha = 1/2 each
  (sum alpha y x = w), dual objective sum alpha - |w|^2 / 2 = 1/2."""
  x = np.array([[1, 0], [2, 1], [-1, 0], [-2, -1]], np.float32)
  labels = np.array([0, 0, 1, 1])
  v = fields()
  m = svm.fit(x, labels, v)
  s = svm.kernel_scale(x, 1.0)  # K = x . y / s: w is scaled by 1/s, the margin is the same
  p = linear.PAIRS.index((0, 1))
  np.testing.assert_allclose(sorted(m.vectors.tolist()), [[-1, 0], [1, 0]])
  w = (m.coef[:, p:p + 1] * m.vectors).sum(0) / s
  np.testing.assert_allclose(w, [1, 0], atol=1e-4)
  assert abs(m.intercept[p]) < 1e-4
  np.testing.assert_allclose(np.abs(m.coef[:, p]), 0.5 * s, rtol=1e-4)  # alpha in K's units
  np.testing.assert_allclose(svm.decisions(m, x)[:, p], [1, 2, -1, -2], atol=1e-4)
  assert svm.dual_objectives(m)[p] == pytest.approx(0.5 * s, rel=1e-4)
  assert np.count_nonzero(svm.decisions(m, x)[:, [q for q in range(45) if q != p]]) == 0


def test_decisions_match_libsvm_and_the_vote_its_prediction():
  """The (S, 45) coefficients rebuilt from libsvm's layout give scikit-learn's own one-vs-one
  decision values; where the top vote is unique, the vote predicts what SVC predicts."""
  from sklearn import svm as sklearn_svm
  rng = np.random.RandomState(1)
  labels = rng.randint(0, 10, 400)
  x = (rng.randn(400, 5) + 0.4 * labels[:, None]).astype(np.float32)
  v = fields(degree=3, offset=1.0, C=1.0, tolerance=1e-4)
  m = svm.fit(x, labels, v)
  ref = sklearn_svm.SVC(C=1.0, kernel="poly", degree=3, gamma=1.0 / m.scale, coef0=1.0,
                        tol=1e-4, decision_function_shape="ovo").fit(x.astype(np.float64), labels)
  np.testing.assert_allclose(svm.decisions(m, x), ref.decision_function(x), atol=2e-3)
  assert m.support.sum() == len(m.vectors) == ref.support_.size
  votes = (svm.decisions(m, x) > 0) @ np.array(
      [[(c == i) - 0.0 for c in range(10)] for i, _ in linear.PAIRS]) + (
      svm.decisions(m, x) <= 0) @ np.array([[(c == j) - 0.0 for c in range(10)]
                                            for _, j in linear.PAIRS])
  unique = (np.sort(votes, 1)[:, -1] > np.sort(votes, 1)[:, -2])
  pred = svm.penalties(m, x).argmin(1)
  assert unique.mean() > 0.8
  np.testing.assert_array_equal(pred[unique], ref.predict(x)[unique])
  np.testing.assert_array_equal(pred[unique], votes.argmax(1)[unique])


def test_one_vs_rest_functions_are_libsvms_machines_of_each_class_against_the_rest():
  """svm.multiclass=one_vs_rest: function c is libsvm's binary machine of class c against the
  other nine (scikit-learn's own decision values and support vectors), the pooled vectors are
  training patterns grouped by their class, and the largest function classifies."""
  from sklearn import svm as sklearn_svm
  rng = np.random.RandomState(2)
  labels = rng.randint(0, 10, 300)
  x = (rng.randn(300, 5) + 0.5 * labels[:, None]).astype(np.float32)
  m = svm.fit(x, labels, fields(degree=3, offset=1.0, C=1.0, tolerance=1e-4,
                                multiclass="one_vs_rest"))
  assert m.multiclass == "one_vs_rest" and m.coef.shape == (len(m.vectors), 10)
  f = svm.decisions(m, x)
  for c in (0, 4, 9):
    ref = sklearn_svm.SVC(C=1.0, kernel="poly", degree=3, gamma=1.0 / m.scale, coef0=1.0,
                          tol=1e-4).fit(x.astype(np.float64), labels == c)
    np.testing.assert_allclose(f[:, c], ref.decision_function(x), atol=2e-3)
    assert np.count_nonzero(m.coef[:, c]) == len(ref.support_)
    assert ((f[:, c] > 0) == ref.predict(x)).mean() > 0.99
  rows = [np.flatnonzero((x == vec).all(1))[0] for vec in m.vectors]
  np.testing.assert_array_equal(labels[rows], svm.support_labels(m))
  assert np.all(np.diff(svm.support_labels(m)) >= 0)
  np.testing.assert_array_equal(svm.penalties(m, x).argmin(1), f.argmax(1))
  assert svm.dual_objectives(m).shape == (10,)
  one_at_a_time = svm.fit_one_vs_rest(x.astype(np.float64), labels, fields(
      degree=3, offset=1.0, C=1.0, tolerance=1e-4, multiclass="one_vs_rest"), m.scale, workers=1)
  threaded = svm.fit_one_vs_rest(x.astype(np.float64), labels, fields(
      degree=3, offset=1.0, C=1.0, tolerance=1e-4, multiclass="one_vs_rest"), m.scale, workers=4)
  for a, b in zip(one_at_a_time, threaded):  # the ten fits in threads: the same machine
    np.testing.assert_array_equal(a, b)


def test_parallel_fits_are_bounded_by_cores_machines_and_memory(monkeypatch):
  sysconf = {"SC_AVPHYS_PAGES": 10_000 * 256, "SC_PAGE_SIZE": 4096}  # 10,000 MB free
  monkeypatch.setattr(svm.os, "sysconf", sysconf.__getitem__)
  monkeypatch.setattr(svm.os, "sched_getaffinity", lambda pid: set(range(16)))
  assert svm.parallel_fits(10, 2000) == 2   # 10,000 MB hold two fits at twice 2,000 MB
  assert svm.parallel_fits(10, 200) == 10   # then one thread per machine
  assert svm.parallel_fits(3, 200) == 3
  assert svm.parallel_fits(10, 20_000) == 1  # never fewer than one
  monkeypatch.setattr(svm.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})
  assert svm.parallel_fits(10, 200) == 4


def test_penalties_vote_then_worst_margin():
  """Three classes by hand (the other seven lose every pair): f_01 = 2, f_02 = -1, f_12 = 3
  gives a cycle, one vote each; the worst margins are min(2, -1) = -1 for 0, min(-2, 3) = -2
  for 1, min(1, -3) = -3 for 2, so class 0 wins. With f_02 = 0.5 class 0 wins both pairs."""
  coef = np.zeros((1, 45), np.float32)
  intercept = np.full(45, -5.0, np.float32)  # i/j, i < j: j wins (class 9 would be above 0..8)
  for (i, j), value in (((0, 1), 2.0), ((0, 2), -1.0), ((1, 2), 3.0)):
    intercept[linear.PAIRS.index((i, j))] = value
  for i in range(3):
    for j in range(3, 10):
      intercept[linear.PAIRS.index((i, j))] = 10.0  # 0, 1, 2 beat every other class
  m = svm.Machine(np.zeros((1, 2), np.float32), coef, intercept, np.ones(10), 1.0, 0.0, 1)
  p = svm.penalties(m, np.zeros((1, 2), np.float32))[0]
  assert p.argmin() == 0
  np.testing.assert_allclose(p[:3], -(8 + 0.45 * np.tanh([-1.0, -2.0, -3.0])), rtol=1e-6)
  intercept[linear.PAIRS.index((0, 2))] = 0.5
  p = svm.penalties(m._replace(intercept=intercept), np.zeros((1, 2), np.float32))[0]
  assert p.argmin() == 0 and -p[0] == pytest.approx(9 + 0.45 * np.tanh(0.5))


def test_one_pair_machine_keeps_the_pair_convention():
  """A machine on two classes: f_ij > 0 means class i (i < j), as for all ten."""
  rng = np.random.RandomState(2)
  labels = np.repeat([3, 7], 30)
  x = (rng.randn(60, 4) + np.where(labels == 3, 2.0, -2.0)[:, None]).astype(np.float32)
  m = svm.fit(x, labels, fields(C=1.0))
  f = svm.decisions(m, x)[:, linear.PAIRS.index((3, 7))]
  np.testing.assert_array_equal(np.where(f > 0, 3, 7), labels)
  assert m.support[[3, 7]].sum() == len(m.vectors) and m.support.sum() == len(m.vectors)


def test_pair_coefficients_layout():
  """Three classes with 1, 2, 1 vectors: libsvm's rows (K - 1 = 2) by hand. Row 0 holds
  class 0's coefficients in (0, 1), class 1's in (0, 1), class 2's in (0, 2); row 1 class 0's
  in (0, 2), class 1's in (1, 2), class 2's in (1, 2)."""
  dual = np.array([[10., 20., 21., 30.],
                   [11., 22., 23., 31.]])
  coef = svm.pair_coefficients(dual, np.array([1, 2, 1]), [0, 1, 2])
  p01, p02, p12 = (linear.PAIRS.index(p) for p in ((0, 1), (0, 2), (1, 2)))
  np.testing.assert_array_equal(coef[:, p01], [10, 20, 21, 0])
  np.testing.assert_array_equal(coef[:, p02], [11, 0, 0, 30])
  np.testing.assert_array_equal(coef[:, p12], [0, 22, 23, 31])
  assert np.count_nonzero(coef) == 8  # nothing else


def test_costs_and_determinism():
  c = svm_poly4.get_config()
  assert methods.deterministic(c)
  cost = methods.cost(c, {"support_vectors": 1000})
  # deslanted 20x20; one-vs-rest, a vector in up to all ten functions
  assert c.svm.multiclass == "one_vs_rest" and cost["macs"] == 1000 * 400 + 1000 * 10
  with pytest.raises(ValueError, match="needs its run"):
    methods.cost(c)
  c.svm.multiclass = "one_vs_one"  # a vector of class i in its 9 pairs
  assert methods.cost(c, {"support_vectors": 1000})["macs"] == 1000 * 400 + 1000 * 9
  c.svm.multiclass = "one_vs_all"
  with pytest.raises(ValueError, match="svm.multiclass"):
    svm.check(c)
  c.svm.multiclass = "one_vs_one"
  c.svm.virtual, c.svm.virtual_copies = "distort", 4
  assert not methods.deterministic(c)  # the copies are drawn from the seed


def test_virtual_vectors_are_the_four_one_pixel_shifts():
  img = np.arange(1, 10, dtype=np.float32).reshape(1, 9)  # 1 2 3 / 4 5 6 / 7 8 9
  right, left, down, up = svm.shifted(img, 3, 0.0).reshape(4, 3, 3)
  np.testing.assert_array_equal(right, [[0, 1, 2], [0, 4, 5], [0, 7, 8]])
  np.testing.assert_array_equal(left, [[2, 3, 0], [5, 6, 0], [8, 9, 0]])
  np.testing.assert_array_equal(down, [[0, 0, 0], [1, 2, 3], [4, 5, 6]])
  np.testing.assert_array_equal(up, [[4, 5, 6], [7, 8, 9], [0, 0, 0]])
  m = svm.Machine(np.stack([img[0], -img[0]]), np.zeros((2, 45), np.float32),
                  np.zeros(45, np.float32), np.array([0, 0, 1, 0, 0, 0, 0, 0, 1, 0]), 1.0, 0.0,
                  1)
  x, labels = svm.virtual_set(m, 3, fields(virtual="shift"), None)
  assert x.shape == (10, 9) and labels.tolist() == [2, 8] * 5
  np.testing.assert_array_equal(x[:2], m.vectors)
  assert x[2, 0] == x[4, 2] == np.float32(-0.1)  # the vacated columns are background
  np.testing.assert_array_equal(x[3].reshape(3, 3)[:, 1:], -right[:, 1:])


def test_shift8_adds_the_four_diagonal_moves():
  img = np.arange(1, 10, dtype=np.float32).reshape(1, 9)
  moved = svm.shifted(img, 3, 0.0, svm.MOVES["shift8"]).reshape(8, 3, 3)
  np.testing.assert_array_equal(moved[:4], svm.shifted(img, 3, 0.0).reshape(4, 3, 3))
  np.testing.assert_array_equal(moved[4], [[0, 0, 0], [0, 1, 2], [0, 4, 5]])  # down and right
  np.testing.assert_array_equal(moved[7], [[5, 6, 0], [8, 9, 0], [0, 0, 0]])  # up and left


def test_shift2_adds_the_four_two_pixel_moves():
  img = np.arange(1, 17, dtype=np.float32).reshape(1, 16)  # 4x4, rows 1-4 / 5-8 / 9-12 / 13-16
  moved = svm.shifted(img, 4, 0.0, svm.MOVES["shift2"]).reshape(8, 4, 4)
  np.testing.assert_array_equal(moved[:4], svm.shifted(img, 4, 0.0).reshape(4, 4, 4))
  np.testing.assert_array_equal(moved[4], [[0, 0, 1, 2], [0, 0, 5, 6], [0, 0, 9, 10],
                                           [0, 0, 13, 14]])  # two to the right
  np.testing.assert_array_equal(moved[7], [[9, 10, 11, 12], [13, 14, 15, 16], [0, 0, 0, 0],
                                           [0, 0, 0, 0]])  # two up


def test_distorted_copies_are_the_networks_distorted_patterns():
  """Copy c of support vector n is pattern (c + 1) N + n of the networks' enlarged set, the same
  transformation from the same seed; in unit pixels too; zero ranges copy the vectors."""
  from lenet.data import training_set
  d = svm_poly4.get_config().data.distortion
  rng = np.random.RandomState(0)
  images = np.where(rng.rand(3, 8, 8, 1) > 0.6, 1.175, -0.1).astype(np.float32)
  v = fields(virtual="distort", virtual_copies=2)
  out = svm.distorted(svm.pixels(images, v), 8, v, d, seed=5)
  cfg = d.copy_and_resolve_references()
  cfg.copies = 2
  expected = training_set.pattern_fetcher(3, cfg, 5)(jnp.asarray(images), jnp.arange(3, 9))
  np.testing.assert_allclose(out, np.asarray(expected).reshape(6, 64), atol=1e-6)
  assert not np.allclose(out[:3], images.reshape(3, 64))
  u = fields(virtual="distort", virtual_copies=2, pixels="unit")
  np.testing.assert_allclose(svm.distorted(svm.pixels(images, u), 8, u, d, seed=5),
                             svm.pixels(np.asarray(expected), u), atol=1e-5)
  for field in ("translate", "scale", "squeeze", "shear"):
    d[field] = 0.0
  np.testing.assert_allclose(svm.distorted(svm.pixels(images, v), 8, v, d, seed=5),
                             np.tile(images.reshape(3, 64), (2, 1)), atol=1e-6)


def test_unit_pixels_map_background_to_0_and_ink_to_1():
  images = np.array([-0.1, 1.175, 0.5375], np.float32).reshape(1, 1, 3, 1)
  np.testing.assert_allclose(svm.pixels(images, fields(pixels="unit")), [[0, 1, 0.5]],
                             atol=1e-6)
  np.testing.assert_array_equal(svm.pixels(images, fields()), images.reshape(1, 3))


def test_our_projected_gradient_solver_reaches_libsvms_objective():
  """experiments/tools/svm_solvers.py's dual solver, against which libsvm was chosen, solves
  the same problem: one pair's dual objective and decision signs as libsvm's."""
  from experiments.tools import svm_solvers
  rng = np.random.RandomState(3)
  labels = np.repeat([2, 6], 40)
  x = (rng.randn(80, 6) + np.where(labels == 2, 0.6, -0.6)[:, None]).astype(np.float32)
  v = fields(degree=2, offset=1.0, C=1.0, tolerance=1e-5)
  ours, objectives = svm_solvers.jax_machine(x, labels, v, 3000, [(2, 6)])
  ref = svm.fit(x, labels, v)
  p = linear.PAIRS.index((2, 6))
  assert objectives[0] == pytest.approx(svm.dual_objectives(ref)[p], rel=1e-3)
  agree = np.sign(svm.decisions(ours, x)[:, p]) == np.sign(svm.decisions(ref, x)[:, p])
  assert agree.mean() > 0.97


def test_virtual_and_reduced_machines_on_mnist(mnist_dir, tmp_path):
  """On 1,000 digits: the virtual machine trains on its first machine's support vectors and
  their four shifts; the reduced set of 60 vectors lowers its error while fitting, costs what
  its 60 vectors cost, and classifies near the machine it replaces."""
  del mnist_dir
  from experiments.configs import rssvm_poly5, vsvm_poly9
  c = vsvm_poly9.get_config()
  c.data.train_size, c.data.validation_size = 1000, 2000
  assert methods.deterministic(c)
  s = methods.run(c, tmp_path / "vsvm")
  assert s["virtual_patterns"] == 5 * s["first_support_vectors"]
  assert s["support_vectors"] > s["first_support_vectors"] and s["validation_error"] < 0.12
  c = rssvm_poly5.get_config()
  c.data.train_size, c.data.validation_size = 1000, 2000
  c.svm.reduced, c.svm.reduced_steps = 60, 100
  assert not methods.deterministic(c)
  s = methods.run(c, tmp_path / "rssvm")
  history = s["approximation_error"]
  assert history[-1] < 0.7 * history[0], history
  assert s["reduced_vectors"] == 60 and s["support_vectors"] > 60
  assert s["validation_error"] < s["unreduced_validation_error"] + 0.03
  assert methods.cost(c, s)["macs"] == 60 * (400 + 10)  # each vector in the ten functions


def test_seeds_of_a_reduced_set_fit_the_machine_once(mnist_dir, tmp_path, monkeypatch):
  """A second seed of the same reduced config reuses the machine (libsvm is not called again)
  and gets the same support vectors and unreduced error; a different config fits its own."""
  del mnist_dir
  from experiments.configs import rssvm_poly5
  calls = []
  fit = svm.fit
  monkeypatch.setattr(svm, "fit", lambda *a, **k: calls.append(1) or fit(*a, **k))
  monkeypatch.setattr(svm, "_MACHINES", {})
  c = rssvm_poly5.get_config()
  c.data.train_size, c.data.validation_size = 500, 1000
  c.svm.reduced, c.svm.reduced_steps = 20, 5
  first = methods.run(c, tmp_path / "seed_0")
  assert len(calls) == 2 and not first["machine_reused"]  # the machine and the virtual one
  c.seed = 1
  second = methods.run(c, tmp_path / "seed_1")
  assert len(calls) == 2 and second["machine_reused"]
  for field in ("support_vectors", "unreduced_validation_error", "machine_fit_s"):
    assert second[field] == first[field]
  c.svm.C = 10.0
  assert not methods.run(c, tmp_path / "C=10")["machine_reused"] and len(calls) == 4
