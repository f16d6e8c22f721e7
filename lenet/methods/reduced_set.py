"""Burges' reduced set (the paper's RS-SVM, Section III-C-9): an SVM's decision functions
approximated by far fewer vectors than its support vectors.

Each pair's function is w_p = sum_s a_sp Phi(x_s) in the kernel's feature space. The reduced set
is m vectors z_k shared by all the pairs, with coefficients b_kp: w'_p = sum_k b_kp Phi(z_k).
For given z the best b is the least-squares one, K_zz b_p = K_zx a_p, and what remains is

  E(z) = sum_p ||w_p - w'_p||^2 = sum_p a_p' K_xx a_p - c_p' K_zz^-1 c_p,  c_p = K_zx a_p,

which gradient descent (Adam) lowers by moving the z in pixel space (Burges 1996 fits one vector
at a time; fitting all of them together is our choice). The z start as m of the support vectors
drawn with the run's seed. The error is reported relative to sum_p ||w_p||^2.
"""
from __future__ import annotations

from typing import Callable

from absl import logging
import jax
import jax.numpy as jnp
import numpy as np
import optax

from lenet.train import kernels

JITTER = 1e-6  # added to K_zz, times its mean diagonal, so that the solve stays defined
CHUNK = 500


def _norms(x, coef, k) -> jnp.ndarray:
  """(P,): ||w_p||^2 = a_p' K_xx a_p, K_xx in row chunks."""
  kxx_a = kernels.chunked_map(lambda q: k(q, x) @ coef, x, CHUNK)
  return jnp.sum(coef * kxx_a, axis=0)


def coefficients(z, x, coef, k) -> tuple[jnp.ndarray, jnp.ndarray]:
  """(b (m, P), explained (P,)): the least-squares coefficients of the z and c_p' b_p."""
  kzz = k(z, z)
  kzz = kzz + JITTER * jnp.mean(jnp.diag(kzz)) * jnp.eye(len(z))
  c = k(z, x) @ coef
  b = jax.scipy.linalg.cho_solve(jax.scipy.linalg.cho_factor(kzz), c)
  return b, jnp.sum(c * b, axis=0)


def fit(x, coef, k: Callable, size: int, steps: int, learning_rate: float, seed: int,
        log_every: int = 50) -> tuple[np.ndarray, np.ndarray, list[float]]:
  """The reduced set of `size` vectors for the functions of coef (S, P) on the vectors x (S, D),
  kernel k(a, b) -> (len a, len b). Returns z (m, D), b (m, P) and the relative error E / sum
  ||w_p||^2 at the start and every `log_every` steps."""
  x, coef = jnp.asarray(x, jnp.float32), jnp.asarray(coef, jnp.float32)
  if not 0 < size <= len(x):
    raise ValueError(f"svm.reduced must be in 1..{len(x)} (the support vectors), got {size}")
  start = np.random.RandomState(seed).choice(len(x), size, replace=False)
  total = jnp.sum(_norms(x, coef, k))

  def relative_error(z):
    return (total - jnp.sum(coefficients(z, x, coef, k)[1])) / total

  optimizer = optax.adam(learning_rate)

  @jax.jit
  def step(z, state):
    error, grad = jax.value_and_grad(relative_error)(z)
    updates, state = optimizer.update(grad, state)
    return optax.apply_updates(z, updates), state, error

  z = x[np.sort(start)]
  state = optimizer.init(z)
  history = []
  for t in range(steps):
    z, state, error = step(z, state)
    if t % log_every == 0:
      history.append(float(error))
      logging.info("reduced set of %d: step %d of %d, relative error %.5f", size, t, steps,
                   history[-1])
  history.append(float(jax.jit(relative_error)(z)))
  b, _ = coefficients(z, x, coef, k)
  return np.asarray(z), np.asarray(b), history
