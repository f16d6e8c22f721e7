"""libsvm (scikit-learn's SVC, lenet/methods/svm.py's solver) against a dual solver of ours in
JAX, on the same problems: wall time, dual objective, error on the test set.

    python -m experiments.tools.svm_solvers [--train=10000] [--pair=3,5] [--iterations=3000]

Ours: accelerated projected gradient (FISTA, step 1/L, L the largest eigenvalue of Q by power
iteration) on the dual  max sum(alpha) - 1/2 alpha^T Q alpha,  Q = (y y^T) o K,  over
0 <= alpha <= C, y^T alpha = 0; the projection onto that set is clip(v - lambda y, 0, C) with
lambda found by bisection; the bias from the unbounded support vectors. All pairs are padded to
the largest and solved by one compiled function (padding's box is [0, 0]). Both on the same
pixels, kernel and C (the svm_poly4 config's). Prints one line per solver and problem.
"""
from __future__ import annotations

import time

from absl import flags
import jax
import jax.numpy as jnp
import numpy as np

import lenet  # noqa: F401  (XLA flags before jax starts)
from experiments import cli
from experiments.configs import svm_poly4
from lenet.data import dataset as dataset_lib
from lenet.methods import linear
from lenet.methods import svm

_TRAIN = flags.DEFINE_integer("train", 10_000, "Training patterns (the first N of MNIST's).")
_PAIR = flags.DEFINE_list("pair", ["3", "5"], "The two classes of the one-pair problem.")
_ITERATIONS = flags.DEFINE_integer("iterations", 3000, "Projected-gradient iterations.")


def _project(v, y, upper):
  """argmin ||a - v|| over 0 <= a <= upper, y . a = 0 (bisection on the multiplier)."""
  def g(lam):
    return jnp.sum(y * jnp.clip(v - lam * y, 0.0, upper))
  bound = jnp.max(jnp.abs(v)) + jnp.max(upper) + 1.0
  def step(_, lohi):
    lo, hi = lohi
    mid = 0.5 * (lo + hi)
    return jnp.where(g(mid) > 0, mid, lo), jnp.where(g(mid) > 0, hi, mid)
  lo, hi = jax.lax.fori_loop(0, 60, step, (-bound, bound))
  return jnp.clip(v - 0.5 * (lo + hi) * y, 0.0, upper)


def dual_pg(k, y, upper, iterations: int):
  """(alpha, bias, dual objective) of one problem: K (N, N), y (N,) +-1, upper (N,) = C or 0."""
  q = (y[:, None] * y[None]) * k
  def power(_, u):
    u = q @ u
    return u / jnp.linalg.norm(u)
  u = jax.lax.fori_loop(0, 50, power, jnp.ones_like(y))
  step = 1.0 / (u @ q @ u)
  def body(_, state):
    a, z, t = state
    a_new = _project(z - step * (q @ z - 1.0), y, upper)
    t_new = 0.5 * (1.0 + jnp.sqrt(1.0 + 4.0 * t * t))
    return a_new, a_new + (t - 1.0) / t_new * (a_new - a), t_new
  a, _, _ = jax.lax.fori_loop(0, iterations, body, (jnp.zeros_like(y), jnp.zeros_like(y), 1.0))
  grad_f = k @ (a * y)  # f(x_i) without the bias
  free = (a > 1e-6 * upper) & (a < (1 - 1e-6) * upper)
  bias = jnp.sum(jnp.where(free, y - grad_f, 0.0)) / jnp.maximum(free.sum(), 1)
  return a, bias, jnp.sum(a) - 0.5 * a @ q @ a


def jax_machine(x, labels, v, iterations: int, pairs) -> tuple[svm.Machine, np.ndarray]:
  """A svm.Machine from dual_pg on each pair (every training pattern a candidate vector), and
  each pair's dual objective."""
  s = svm.kernel_scale(x, v.scale)
  rows = [np.flatnonzero((labels == i) | (labels == j)) for i, j in pairs]
  n = max(len(r) for r in rows)
  solve = jax.jit(jax.vmap(lambda idx, y, up: dual_pg(
      svm.kernel(xj[idx], xj[idx], s, v.offset, v.degree), y, up, iterations)))
  xj = jnp.asarray(x)
  idx = np.stack([np.pad(r, (0, n - len(r))) for r in rows])
  y = np.stack([np.pad(np.where(labels[r] == i, 1.0, -1.0), (0, n - len(r)))
                for r, (i, _) in zip(rows, pairs)]).astype(np.float32)
  upper = np.stack([np.pad(np.full(len(r), v.C), (0, n - len(r))) for r in rows]).astype(
      np.float32)
  a, bias, objective = jax.block_until_ready(solve(jnp.asarray(idx), jnp.asarray(y),
                                                   jnp.asarray(upper)))
  coef = np.zeros((len(x), len(linear.PAIRS)), np.float32)
  for p, (pair, r) in enumerate(zip(pairs, rows)):
    coef[r, linear.PAIRS.index(pair)] = np.asarray(a[p] * y[p])[:len(r)]
  used = np.flatnonzero(np.abs(coef).sum(1) > 0)
  intercept = np.zeros(len(linear.PAIRS), np.float32)
  for p, pair in enumerate(pairs):
    intercept[linear.PAIRS.index(pair)] = bias[p]
  support = np.bincount(labels[used], minlength=linear.CLASSES)
  return svm.Machine(x[used], coef[used], intercept, support, s, v.offset, v.degree), \
      np.asarray(objective)


def report(name: str, problem: str, seconds: float, objective: float, error: float | None,
           vectors: int) -> None:
  err = "-" if error is None else f"{100 * error:.2f}%"
  print(f"solver={name} problem={problem} seconds={seconds:.1f} dual_objective={objective:.4f} "
        f"support_vectors={vectors} test_error={err}")


def main(argv):
  del argv
  config = svm_poly4.get_config()
  data = dataset_lib.load(config.data)
  x = data.train_images[:_TRAIN.value].reshape(_TRAIN.value, -1)
  labels = data.train_labels[:_TRAIN.value]
  test_x = data.test_images.reshape(len(data.test_images), -1)
  pair = tuple(sorted(int(c) for c in _PAIR.value))
  in_pair = np.isin(data.test_labels, pair)
  for problem, pairs in ((f"pair{pair[0]}{pair[1]}", [pair]), ("all_ten", list(linear.PAIRS))):
    rows = np.flatnonzero(np.isin(labels, np.unique(pairs)))
    t = time.perf_counter()
    m = svm.fit(x[rows], labels[rows], config.svm)
    seconds = time.perf_counter() - t
    objective = svm.dual_objectives(m)[[linear.PAIRS.index(p) for p in pairs]].sum()
    error = _error(m, test_x, data.test_labels, pairs, in_pair)
    report("libsvm", problem, seconds, objective, error, len(m.vectors))
    t = time.perf_counter()
    m, objectives = jax_machine(x[rows], labels[rows], config.svm, _ITERATIONS.value, pairs)
    seconds = time.perf_counter() - t
    report("jax_fista", problem, seconds, float(objectives.sum()),
           _error(m, test_x, data.test_labels, pairs, in_pair), len(m.vectors))


def _error(m, test_x, test_labels, pairs, in_pair) -> float:
  """All ten: the vote's test error; one pair: the sign of f_ij on that pair's test digits."""
  if len(pairs) > 1:
    return float((svm.penalties(m, test_x).argmin(1) != test_labels).mean())
  (i, j), p = pairs[0], linear.PAIRS.index(pairs[0])
  f = svm.decisions(m, test_x[in_pair])[:, p]
  return float((np.where(f > 0, i, j) != test_labels[in_pair]).mean())


if __name__ == "__main__":
  cli.run(main)
