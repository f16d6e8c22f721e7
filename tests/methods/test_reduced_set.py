"""lenet/methods/reduced_set.py: Burges' reduced set against explicit feature maps."""
import numpy as np
import pytest

from lenet.methods import reduced_set


def linear_kernel(a, b):
  return a @ b.T


def quadratic_kernel(a, b):
  return (a @ b.T) ** 2  # Phi(x) = x (x) x, explicit below


def test_the_error_is_the_feature_space_distance():
  """With Phi(x) = x (x) x: b is the least-squares fit of the w_p by the Phi(z_k), and E the
  squared distance that remains, both computed by hand in the 9-dimensional feature space."""
  rng = np.random.RandomState(0)
  x, coef, z = rng.randn(12, 3), rng.randn(12, 2), rng.randn(4, 3)
  phi = lambda v: np.einsum("ni,nj->nij", v, v).reshape(len(v), -1)
  w = phi(x).T @ coef  # (9, P)
  b_hand, *_ = np.linalg.lstsq(phi(z).T, w, rcond=None)
  residual = ((w - phi(z).T @ b_hand) ** 2).sum()
  b, explained = reduced_set.coefficients(z.astype(np.float32), x.astype(np.float32),
                                          coef.astype(np.float32), quadratic_kernel)
  np.testing.assert_allclose(b, b_hand, rtol=2e-3, atol=2e-3)
  assert (w ** 2).sum() - float(explained.sum()) == pytest.approx(residual, rel=1e-2)


def test_fitting_lowers_the_error_and_all_vectors_leave_none():
  rng = np.random.RandomState(1)
  x, coef = rng.randn(40, 5).astype(np.float32), rng.randn(40, 3).astype(np.float32)
  z, b, history = reduced_set.fit(x, coef, quadratic_kernel, 6, 200, 0.05, seed=0, log_every=20)
  assert z.shape == (6, 5) and b.shape == (6, 3)
  assert history[-1] < 0.9 * history[0] and all(0 <= e <= 1 for e in history)
  assert all(later <= earlier + 1e-4 for earlier, later in zip(history, history[1:]))
  # the linear kernel: 5 vectors span the 5-dimensional space, so nothing is left
  *_, history = reduced_set.fit(x, coef, linear_kernel, 5, 0, 0.05, seed=0)
  assert history[-1] == pytest.approx(0.0, abs=1e-4)
  with pytest.raises(ValueError, match="svm.reduced"):
    reduced_set.fit(x, coef, linear_kernel, 41, 0, 0.05, seed=0)
