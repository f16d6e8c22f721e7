"""lenet/evaluation.py: rejection performance (Fig. 10) against a brute-force count."""
import numpy as np

from lenet import evaluation


def brute_force(penalties, labels, target):
  order = np.argsort(evaluation.margins(penalties))  # least confident first
  wrong = penalties.argmin(1) != labels
  for r in range(len(labels) + 1):
    kept = order[r:]
    if not len(kept) or wrong[kept].mean() <= target:
      return r / len(labels)


def test_margin_is_the_gap_between_the_two_best_scores():
  p = np.array([[3.0, 1.0, 2.5], [0.0, 4.0, 0.5]])
  np.testing.assert_allclose(evaluation.margins(p), [1.5, 0.5])


def test_rejected_fraction_matches_brute_force():
  rng = np.random.default_rng(0)
  for _ in range(20):
    n = int(rng.integers(5, 200))
    labels = rng.integers(0, 10, n)
    p = rng.normal(size=(n, 10))
    p[np.arange(n), labels] -= rng.uniform(0, 3, n)  # mostly right, confident ones more so
    for target in (0.0, 0.005, 0.05, 0.2):
      assert evaluation.rejected_fraction(p, labels, target) == brute_force(p, labels, target)


def test_nothing_rejected_when_all_right():
  labels = np.arange(10)
  p = np.ones((10, 10)) - np.eye(10)
  assert evaluation.rejected_fraction(p, labels) == 0.0
