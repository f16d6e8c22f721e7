"""The linear rows of Fig. 9 (Section III-C-1, 2, 4): Linear, [deslant] Linear, Pairwise linear,
40 PCA + quadratic.

"linear": each output unit a weighted sum of the pixels plus a bias, the largest wins. Trained
  by a direct linear solve (the paper: gradient descent or a direct solve "gave similar
  results"): ridge regression onto the +-1 place codes,
      W = (X^T X + ridge I)^-1 X^T Y,  X the pixels with a column of ones (the bias not shrunk).
"pairwise": 45 units, unit i/j fitted the same way on the patterns of classes i and j only
  (+1 for i, -1 for j); class i's score is sum_j out(i/j) - sum_y out(y/i), each output linear
  or thresholded to +-1 (`linear.units`; the paper's units may have been sigmoids).
"pca_quadratic": the mean subtracted, the projections z on the first `pca.components` (40)
  principal components of the training set, then "linear" on a degree-2 polynomial of them and
  a bias. The paper's 821 inputs for 40 fit two readings (`pca.terms`): "products", every
  z_i z_j with i <= j (820); "linear_cross", the 40 z_i and the 780 z_i z_j with i < j; and
  "full" (both, 861 inputs) is the polynomial neither count gives.
The penalty of a class is minus its score (Fig. 10 ranks on the margin between the two best).
Deterministic: one run, no seed. Its run directory holds the weights (params.msgpack).
"""
from __future__ import annotations

import itertools

from flax import serialization
import jax.numpy as jnp
import numpy as np

from lenet import rundir
from lenet.data import dataset as dataset_lib
from lenet.data import preprocess
from lenet.methods import fitted

METHODS = ("linear", "pairwise", "pca_quadratic")
UNITS = ("linear", "threshold")  # a pairwise unit's output in the class scores
TERMS = ("products", "linear_cross", "full")  # pca_quadratic's polynomial
CLASSES = 10
PAIRS = tuple(itertools.combinations(range(CLASSES), 2))  # unit i/j for i < j


def check(config) -> None:
  if config.method not in METHODS:
    raise ValueError(f"linear: method={config.method!r} is not one of {METHODS}")
  if config.linear.ridge <= 0:  # the border pixels are constant: X^T X alone is singular
    raise ValueError(f"linear.ridge must be positive, got {config.linear.ridge}")
  if config.linear.units not in UNITS:
    raise ValueError(f"unknown linear.units={config.linear.units!r}; choose from {UNITS}")
  check_data(config.data)
  if config.method == "pca_quadratic" and not 0 < config.pca.components <= 400:
    raise ValueError(f"pca.components must be in 1..400, got {config.pca.components}")
  if config.method == "pca_quadratic" and config.pca.terms not in TERMS:
    raise ValueError(f"unknown pca.terms={config.pca.terms!r}; choose from {TERMS}")


def check_data(dc) -> None:
  """The data fields a classifier on the pixels reads (no distortions: none of these rows has
  them)."""
  dataset_lib.check(dc)
  if dc.distortion.copies:
    raise ValueError("data.distortion.copies must be 0 for a classifier on the pixels")


def pixels(config) -> int:
  """Inputs per pattern: the input format's side squared (lenet/data/preprocess.py SIDE)."""
  return preprocess.SIDE.get(config.data.input_format, 28) ** 2


def deterministic(config) -> bool:
  del config
  return True


def with_bias(images) -> jnp.ndarray:
  """(N, S, S, 1) -> (N, S*S + 1): the pixels and a constant 1."""
  x = jnp.asarray(images).reshape(len(images), -1)
  return jnp.concatenate([x, jnp.ones((x.shape[0], 1), x.dtype)], axis=1)


def principal_components(x, components: int):
  """(mean (D,), basis (D, components)): the training set's mean and the eigenvectors of its
  covariance with the largest eigenvalues, largest first."""
  mean = x.mean(0)
  xc = x - mean[None]
  values, vectors = jnp.linalg.eigh(xc.T @ xc / x.shape[0])
  return mean, vectors[:, ::-1][:, :components]


def quadratic(z, terms: str = "products") -> jnp.ndarray:
  """(N, K) -> the `pca.terms` polynomial, then a 1: "products" every z_i z_j, i <= j;
  "linear_cross" the z_i, then z_i z_j, i < j; "full" the z_i, then z_i z_j, i <= j."""
  i, j = np.triu_indices(z.shape[1], k=1 if terms == "linear_cross" else 0)
  linear = [] if terms == "products" else [z]
  return jnp.concatenate([*linear, z[:, i] * z[:, j], jnp.ones((z.shape[0], 1), z.dtype)], axis=1)


def quadratic_inputs(k: int, terms: str) -> int:
  """Inputs of `quadratic` for K projections, the bias aside."""
  return k * (k + 1) // 2 + (k if terms == "full" else 0)


def input_map(config, train_images):
  """(inputs(images) -> the linear units' inputs, the fitted values to store): the pixels and a
  bias, or for "pca_quadratic" the quadratic of the principal projections."""
  if config.method != "pca_quadratic":
    return with_bias, {}
  flat = lambda im: jnp.asarray(im).reshape(len(im), -1)  # noqa: E731
  mean, basis = principal_components(flat(train_images), config.pca.components)
  terms = config.pca.terms
  return ((lambda im: quadratic((flat(im) - mean[None]) @ basis, terms)),
          {"mean": mean, "basis": basis})


def _ridge(dim: int, ridge: float, dtype) -> jnp.ndarray:
  """ridge on every weight, 0 on the bias (the last row)."""
  return jnp.diag(jnp.full((dim,), ridge, dtype).at[-1].set(0.0))


def fit(method: str, x, labels, ridge: float) -> jnp.ndarray:
  """The weights: (D, 10) for "linear", (D, 45) for "pairwise" (column p is unit PAIRS[p]),
  each minimizing ||x_S w - y_S||^2 + ridge ||w[:-1]||^2 over its patterns S (all of them, or
  classes i and j for unit i/j) with +-1 targets. Pairwise: from the per-class Gram matrices,
  X_S^T X_S = G_i + G_j and X_S^T y_S = s_i - s_j (s_c the sum of class c's patterns)."""
  labels = jnp.asarray(labels)
  onehot = (labels[:, None] == jnp.arange(CLASSES)[None]).astype(x.dtype)
  reg = _ridge(x.shape[1], ridge, x.dtype)
  if method == "linear":
    return jnp.linalg.solve(x.T @ x + reg, x.T @ (2.0 * onehot - 1.0))
  grams = jnp.einsum("nc,nd,ne->cde", onehot, x, x)  # (10, D, D)
  sums = onehot.T @ x                                  # (10, D)
  i, j = (jnp.array(k) for k in zip(*PAIRS))
  w = jnp.linalg.solve(grams[i] + grams[j] + reg[None], (sums[i] - sums[j])[..., None])
  return w[..., 0].T


def fit_float64(x, labels, ridge: float) -> np.ndarray:
  """fit("linear", ...) with the Gram matrix and the solve in float64 (numpy), for inputs whose
  Gram matrix is too ill-conditioned for float32 at a small ridge (the RBF units' outputs)."""
  x = np.asarray(x, np.float64)
  targets = 2.0 * (np.asarray(labels)[:, None] == np.arange(CLASSES)[None]) - 1.0
  reg = np.diag(np.full(x.shape[1], ridge))
  reg[-1, -1] = 0.0
  return np.linalg.solve(x.T @ x + reg, x.T @ targets).astype(np.float32)


def scores(method: str, x, w, units: str = "linear") -> jnp.ndarray:
  """(N, 10) class scores: the outputs, or for "pairwise" the vote of the 45 units x @ w."""
  out = x @ w
  return out if method == "linear" else pairwise_vote(out, units)


def pairwise_vote(out, units: str = "linear") -> jnp.ndarray:
  """(N, 45) outputs of the units i/j (PAIRS, positive for i) -> (N, 10) class scores
  sum_j out(i/j) - sum_y out(y/i), each output as it is (units="linear") or thresholded to +-1
  (units="threshold": a one-vs-one vote, ties broken by the linear sum)."""
  vote = np.zeros((len(PAIRS), CLASSES), np.float32)
  for p, (i, j) in enumerate(PAIRS):
    vote[p, i], vote[p, j] = 1.0, -1.0
  vote = jnp.asarray(vote)
  if units == "linear":
    return out @ vote
  return jnp.sign(out) @ vote + 1e-3 * jnp.tanh(out @ vote / CLASSES)


def run(config, run_dir) -> dict:
  """Fits on the training set, classifies the held-out set (test, or validation)."""
  return fitted.run(config, run_dir, _classify)


def _classify(config, dataset, run_dir):
  inputs, stored = input_map(config, dataset.train_images)
  kind = "pairwise" if config.method == "pairwise" else "linear"  # how the units are fitted
  w = fit(kind, inputs(dataset.train_images), dataset.train_labels, config.linear.ridge)
  units = config.linear.units
  penalties = -np.asarray(scores(kind, inputs(dataset.held_out_set()[0]), w, units))
  train_pred = np.asarray(scores(kind, inputs(dataset.train_images), w, units)).argmax(1)
  rundir.write_atomic(run_dir / rundir.PARAMS, serialization.msgpack_serialize(
      {k: np.asarray(v) for k, v in {"w": w, **stored}.items()}))
  return penalties, {"ridge": config.linear.ridge,
                     "train_error": float((train_pred != dataset.train_labels).mean())}


def cost(config) -> dict:
  """One multiply-accumulate per pixel per unit; parameters = memory = units x (pixels + 1).
  pca_quadratic: the projection (pixels x K, and the mean), the products of `pca.terms` (K (K - 1)
  / 2 for "linear_cross", K (K + 1) / 2 otherwise; a linear term costs none), the 10 units on
  the inputs and a bias."""
  if config.method == "pca_quadratic":
    k, d, terms = config.pca.components, pixels(config), config.pca.terms
    inputs = quadratic_inputs(k, terms)
    products = k * (k - 1) // 2 if terms == "linear_cross" else k * (k + 1) // 2
    params = d * k + d + CLASSES * (inputs + 1)
    return {"params": params, "connections": params,
            "macs": d * k + products + CLASSES * inputs, "memory": params}
  units = CLASSES if config.method == "linear" else len(PAIRS)
  params = units * (pixels(config) + 1)
  return {"params": params, "connections": params, "macs": units * pixels(config),
          "memory": params}
