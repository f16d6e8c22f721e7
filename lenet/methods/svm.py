"""The polynomial support vector machines of Fig. 9 (Section III-C-9; paper: SVM poly 4, 1.1%).

Pixels: `svm.pixels`, the networks' normalization (background -0.1, ink 1.175; Section II-A
  gives it for the networks only) or "unit" (background 0, ink 1). A polynomial kernel is not
  invariant to the shift.
Kernel: K(x, y) = (x . y / s + offset)^degree, s = `svm.scale` x the training patterns' mean
  squared norm, so that scale 1 puts a pattern's product with itself near 1 + offset.
Machine: the soft-margin SVM with a bias, C = `svm.C`, solved by libsvm (scikit-learn's SVC)
  to `svm.tolerance` on its KKT conditions (experiments/tools/svm_solvers.py measured it against
  a projected-gradient solver of ours in JAX). The paper does not say how ten classes were
  handled; `svm.multiclass`:
  "one_vs_one": one function per pair of classes (libsvm's; each problem is two classes, about
    12,000 patterns, so nothing holds a 60,000-square kernel matrix). The 45 functions
    f_ij(x) = sum_s a_s^ij K(x, v_s) + b_ij vote, ties broken by each class's worst pairwise
    margin (penalties()).
  "one_vs_rest": one function per class against the other nine, each on every pattern (Cortes
    and Vapnik's and Burges and Schoelkopf's machines); the largest f_c(x) classifies.
Decision: evaluated here as one kernel matrix against every support vector (all functions'
  together) times an (S, F) coefficient matrix, F = 45 or 10.
Virtual support vectors (Schoelkopf, Burges and Vapnik 1996; the paper's [dist] V-SVM):
  `svm.virtual` "shift" trains a first machine, moves each of its support vectors one pixel in
  each of the four directions (the vacated row or column background), and trains the machine
  that classifies on the support vectors and their 4 S copies; "shift8" adds the four diagonal
  moves (8 S copies), "shift2" the four two-pixel moves (8 S copies); "distort" makes
  `svm.virtual_copies` copies of each with the networks' random [dist] distortions
  (`data.distortion`'s ranges, lenet/data/training_set.py's convention, drawn from the run's
  seed); "none" trains once.
Reduced set (Burges; the paper's RS-SVM): `svm.reduced` = m > 0 replaces the support vectors
  by m vectors fitted to the 45 (or 10) functions (lenet/methods/reduced_set.py),
  `svm.reduced_steps` of Adam at `svm.reduced_learning_rate`, started from m support vectors
  drawn with the seed. The machine it replaces is fitted once for the seeds of one config run
  in one process.
Deterministic (unless reduced or distorted): libsvm's working-set selection has no randomness.
The support vectors (60 MB at 20,000) are not kept; the summary keeps their count per class and
each pair's dual objective.
"""
from __future__ import annotations

import concurrent.futures
import functools
import itertools
import os
import time
from typing import NamedTuple

from absl import logging
import jax
import jax.numpy as jnp
import numpy as np

from lenet.data import distortions
from lenet.data import preprocess
from lenet.data import training_set
from lenet.methods import fitted
from lenet.methods import linear
from lenet.methods import reduced_set
from lenet.train import kernels

CHUNK = 500  # patterns per kernel matrix against the support vectors, or per distorted batch
PIXELS = ("normalized", "unit")
MULTICLASS = ("one_vs_one", "one_vs_rest")
VIRTUAL = ("none", "shift", "shift8", "shift2", "distort")
# (rows, columns) each copy moves by: right, left, down, up, then the diagonals or two pixels
MOVES = {"shift": ((0, 1), (0, -1), (1, 0), (-1, 0)),
         "shift8": ((0, 1), (0, -1), (1, 0), (-1, 0), (1, 1), (1, -1), (-1, 1), (-1, -1)),
         "shift2": ((0, 1), (0, -1), (1, 0), (-1, 0), (0, 2), (0, -2), (2, 0), (-2, 0))}
COST_FROM_RUN = True  # cost() needs the run's summary: the number of support vectors


class Machine(NamedTuple):
  vectors: np.ndarray    # (S, D) the support vectors of every function, grouped by class
  coef: np.ndarray       # (S, 45) a_s^ij of vector s in pair p = PAIRS.index((i, j)), or (S, 10)
                         # a_s^c in class c's function against the rest; 0 if absent
  intercept: np.ndarray  # (45,) b_ij or (10,) b_c
  support: np.ndarray    # (10,) support vectors of each class
  scale: float           # s of the kernel
  offset: float
  degree: int
  multiclass: str = "one_vs_one"


def check(config) -> None:
  if config.method != "svm":
    raise ValueError(f"svm: method={config.method!r} is not 'svm'")
  linear.check_data(config.data)
  v = config.svm
  if not (isinstance(v.degree, int) and v.degree >= 1):
    raise ValueError(f"svm.degree must be an integer of at least 1, got {v.degree!r}")
  for field in ("scale", "C", "tolerance", "cache_mb"):
    if not v[field] > 0:
      raise ValueError(f"svm.{field} must be positive, got {v[field]}")
  if v.pixels not in PIXELS:
    raise ValueError(f"unknown svm.pixels={v.pixels!r}; choose from {PIXELS}")
  if v.multiclass not in MULTICLASS:
    raise ValueError(f"unknown svm.multiclass={v.multiclass!r}; choose from {MULTICLASS}")
  if not v.offset >= 0:
    raise ValueError(f"svm.offset must be at least 0, got {v.offset}")
  if v.virtual not in VIRTUAL:
    raise ValueError(f"unknown svm.virtual={v.virtual!r}; choose from {VIRTUAL}")
  for field in ("reduced", "reduced_steps", "virtual_copies"):
    if not (isinstance(v[field], int) and v[field] >= 0):
      raise ValueError(f"svm.{field} must be an integer of at least 0, got {v[field]!r}")
  if v.reduced and not v.reduced_learning_rate > 0:
    raise ValueError(f"svm.reduced_learning_rate must be positive, got {v.reduced_learning_rate}")
  if v.virtual == "distort":
    if not v.virtual_copies:
      raise ValueError("svm.virtual=distort needs svm.virtual_copies of at least 1")
    distortions.check(config.data.distortion)


def deterministic(config) -> bool:
  # the reduced set starts from vectors drawn with the seed, distorted copies are drawn from it
  return not config.svm.reduced and config.svm.virtual != "distort"


def pixels(images, v) -> np.ndarray:
  """(N, S, S, 1) network inputs -> (N, S S) rows in the `svm.pixels` range."""
  x = np.asarray(images).reshape(len(images), -1)
  if v.pixels == "unit":
    return (x - preprocess.BACKGROUND) / (preprocess.INK - preprocess.BACKGROUND)
  return x


def background(v) -> float:
  """The value of a pixel without ink in the `svm.pixels` range."""
  return 0.0 if v.pixels == "unit" else preprocess.BACKGROUND


def shifted(x, side: int, fill: float, moves=MOVES["shift"]) -> np.ndarray:
  """(N, side side) rows -> (len(moves) N, side side): each image moved by each (rows, columns)
  of `moves` (a block of N per move, in order), the vacated rows and columns `fill`."""
  img = np.asarray(x).reshape(-1, side, side)
  p = max(max(abs(dr), abs(dc)) for dr, dc in moves)
  pad = np.pad(img, ((0, 0), (p, p), (p, p)), constant_values=fill)
  out = [pad[:, p - dr:p - dr + side, p - dc:p - dc + side] for dr, dc in moves]
  return np.concatenate(out).reshape(-1, side * side)


def distorted(x, side: int, v, distortion, seed: int) -> np.ndarray:
  """(N, side side) rows -> (`svm.virtual_copies` N, side side): copy c of row n is pattern
  (c + 1) N + n of the networks' enlarged set of these N originals (training_set.py), in the
  `svm.pixels` range."""
  rows = np.asarray(x, np.float32).reshape(-1, side, side, 1)
  if v.pixels == "unit":  # back to the networks' range, where the distortions' fill lives
    rows = rows * (preprocess.INK - preprocess.BACKGROUND) + preprocess.BACKGROUND
  n = len(rows)
  cfg = distortion.copy_and_resolve_references()
  cfg.copies = v.virtual_copies
  fetch = training_set.pattern_fetcher(n, cfg, seed)
  k = jnp.arange(n, n * (1 + v.virtual_copies))
  out = jax.jit(lambda images, k: kernels.chunked_map(lambda q: fetch(images, q), k, CHUNK))(
      jnp.asarray(rows), k)
  return pixels(np.asarray(out), v)


def support_labels(m: Machine) -> np.ndarray:
  """The class of each support vector (libsvm groups them by class, in order)."""
  return np.repeat(np.arange(linear.CLASSES), m.support)


def virtual_set(m: Machine, side: int, v, config) -> tuple[np.ndarray, np.ndarray]:
  """The support vectors of a first machine and their copies (`svm.virtual`), with labels."""
  if v.virtual == "distort":
    copies = distorted(m.vectors, side, v, config.data.distortion, config.seed)
  else:
    copies = shifted(m.vectors, side, background(v), MOVES[v.virtual])
  labels = support_labels(m)
  return (np.concatenate([m.vectors, copies]),
          np.tile(labels, 1 + len(copies) // len(labels)))


def kernel_scale(x, scale: float) -> float:
  """s: `scale` x the mean of x_n . x_n over the rows of x."""
  return float(scale * np.mean(np.sum(np.asarray(x, np.float64) ** 2, axis=1)))


def kernel(x, y, scale: float, offset: float, degree: int) -> jnp.ndarray:
  """(N, M): (x_n . y_m / scale + offset)^degree."""
  return (x @ y.T / scale + offset) ** degree


def pair_coefficients(dual_coef: np.ndarray, support, classes) -> np.ndarray:
  """libsvm's one-vs-one layout -> (S, 45) over Fig. 9's ten classes. For the support vectors
  grouped by class (the k-th of `classes` holding support[k] of them), libsvm's dual_coef
  (K - 1, S) has the coefficient of a vector of the k-th class in its pair with the l-th in row
  l - 1 if k < l, in row l if k > l."""
  start = np.concatenate([[0], np.cumsum(support)])
  coef = np.zeros((dual_coef.shape[1], len(linear.PAIRS)), np.float64)
  for k, l in itertools.combinations(range(len(classes)), 2):
    p = linear.PAIRS.index((classes[k], classes[l]))
    rows_k, rows_l = slice(start[k], start[k + 1]), slice(start[l], start[l + 1])
    coef[rows_k, p] = dual_coef[l - 1, rows_k]
    coef[rows_l, p] = dual_coef[k, rows_l]
  return coef


def _libsvm(v, s: float):
  from sklearn import svm as sklearn_svm  # noqa: PLC0415  (only this method needs it)
  return sklearn_svm.SVC(
      C=v.C, kernel="poly", degree=v.degree, gamma=1.0 / s, coef0=v.offset, tol=v.tolerance,
      cache_size=v.cache_mb, decision_function_shape="ovo")


def fit(x, labels, v, scale: float | None = None) -> Machine:
  """libsvm on the rows of x (N, D) with `labels` (any two or more of 0..9), the fields of
  `svm` (v), the kernel's s given or kernel_scale(x), `svm.multiclass`'s functions. Pairs of
  classes absent from `labels` get no vectors and a zero function."""
  x = np.asarray(x, np.float64)
  s = kernel_scale(x, v.scale) if scale is None else scale
  if v.get("multiclass", "one_vs_one") == "one_vs_rest":
    return fit_one_vs_rest(x, np.asarray(labels), v, s)
  machine = _libsvm(v, s)
  machine.fit(x, np.asarray(labels))
  classes = machine.classes_.tolist()
  dual_coef, intercept_k = machine.dual_coef_, machine.intercept_
  if len(classes) == 2:  # scikit-learn flips a binary machine's signs (positive: classes[1])
    dual_coef, intercept_k = -dual_coef, -intercept_k
  intercept = np.zeros(len(linear.PAIRS), np.float32)
  for q, pair in enumerate(itertools.combinations(classes, 2)):
    intercept[linear.PAIRS.index(pair)] = intercept_k[q]
  support = np.zeros(linear.CLASSES, np.int64)
  support[classes] = machine.n_support_
  return Machine(machine.support_vectors_.astype(np.float32),
                 pair_coefficients(dual_coef, machine.n_support_, classes).astype(np.float32),
                 intercept, support, s, v.offset, v.degree)


def parallel_fits(jobs: int, cache_mb: int) -> int:
  """How many libsvm fits to run at once: one per core this process may use (`taskset -c 0`
  makes it one), as many as there are machines, and no more than the free memory holds at twice
  each fit's kernel cache."""
  try:
    free_mb = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") >> 20
  except (ValueError, OSError):  # not a POSIX system: one at a time
    return 1
  cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
  return max(1, min(jobs, cores or 1, free_mb // (2 * cache_mb)))


def fit_one_vs_rest(x, labels, v, s: float, workers: int | None = None) -> Machine:
  """Ten binary machines, class c (positive) against the rest, each on every row of x; their
  support vectors pooled (each once, grouped by class) with an (S, 10) coefficient matrix.
  The machines are independent: `workers` threads fit them at once (libsvm releases the GIL),
  by default parallel_fits'; the machine is the same whatever their number."""
  classes = np.unique(labels).tolist()  # a class absent from labels: no vectors, a zero function
  workers = workers or parallel_fits(len(classes), v.cache_mb)
  binary = lambda c: _libsvm(v, s).fit(x, (labels == c).astype(np.int64))
  with concurrent.futures.ThreadPoolExecutor(workers) as pool:
    machines = list(pool.map(binary, classes))
  coef = np.zeros((len(x), linear.CLASSES), np.float64)
  intercept = np.zeros(linear.CLASSES, np.float32)
  for c, machine in zip(classes, machines):
    # scikit-learn's binary layout: f = dual_coef_ . K + intercept_, positive for classes_[1]
    coef[machine.support_, c] = machine.dual_coef_[0]
    intercept[c] = machine.intercept_[0]
    logging.info("one-vs-rest machine %d of %d: %d support vectors", c + 1, linear.CLASSES,
                 len(machine.support_))
  used = np.flatnonzero(coef.any(1))
  used = used[np.argsort(labels[used], kind="stable")]
  support = np.bincount(labels[used], minlength=linear.CLASSES)
  return Machine(x[used].astype(np.float32), coef[used].astype(np.float32), intercept, support,
                 s, v.offset, v.degree, "one_vs_rest")


@functools.partial(jax.jit, static_argnames=("degree",))
def _decisions(x, vectors, coef, intercept, scale, offset, degree):
  return kernels.chunked_map(
      lambda q: kernel(q, vectors, scale, offset, degree) @ coef + intercept[None], x, CHUNK)


def decisions(m: Machine, x) -> np.ndarray:
  """(N, 45) f_ij, or (N, 10) f_c one-vs-rest, of each row of x, in compiled chunks of CHUNK
  patterns."""
  x = jnp.asarray(x).reshape(len(x), -1)
  return np.asarray(_decisions(x, jnp.asarray(m.vectors), jnp.asarray(m.coef),
                               jnp.asarray(m.intercept), m.scale, m.offset, degree=m.degree))


def penalties(m: Machine, x) -> np.ndarray:
  """(N, 10): minus the one-vs-one vote plus 0.45 tanh(min_j f_cj), each class's worst pairwise
  margin: it breaks ties, and ranks digits of equal votes for Fig. 10 (a clear winner has 9
  votes and the runner-up 8), but never outweighs a vote. One-vs-rest: minus f_c (N, 10), the
  largest function wins."""
  f = decisions(m, x)
  if m.multiclass == "one_vs_rest":
    return -f
  pairwise = np.full((len(f), linear.CLASSES, linear.CLASSES), np.inf)
  for p, (i, j) in enumerate(linear.PAIRS):
    pairwise[:, i, j], pairwise[:, j, i] = f[:, p], -f[:, p]
  votes = (pairwise > 0).sum(2) - 1  # the diagonal's inf is not a vote
  return -(votes + 0.45 * np.tanh(pairwise.min(2)))


def dual_objectives(m: Machine) -> np.ndarray:
  """(45,) or (10,): each function's dual objective sum_s |a_s| - 1/2 sum_st a_s a_t K(v_s, v_t),
  a_s = y_s alpha_s (its coefficient), over the function's support vectors (numpy: one shape
  per function)."""
  out = np.zeros(m.coef.shape[1])
  for p in range(m.coef.shape[1]):
    rows = np.flatnonzero(m.coef[:, p])
    a, v = m.coef[rows, p].astype(np.float64), m.vectors[rows]
    k = (np.asarray(v @ v.T, np.float64) / m.scale + m.offset) ** m.degree
    out[p] = np.abs(a).sum() - 0.5 * a @ k @ a
  return out


def run(config, run_dir) -> dict:
  """libsvm on the training set, the held-out set (test, or validation) classified."""
  return fitted.run(config, run_dir, _classify, refuse=_refuse)


def _refuse(config, dataset) -> None:
  del config
  if (missing := sorted(set(range(linear.CLASSES)) - set(dataset.train_labels.tolist()))):
    raise ValueError(f"svm: the training set has no pattern of class {missing}")


def _classify(config, dataset, run_dir):
  del run_dir  # the support vectors are not kept
  v = config.svm
  train = pixels(dataset.train_images, v)
  m, fields = _machine(config, dataset, train)
  held_images, held_labels = dataset.held_out_set()
  held = pixels(held_images, v)
  fields.update({
      "support_vectors": int(len(m.vectors)), "support_per_class": m.support.tolist(),
      "kernel_scale": m.scale, "dual_objective_sum": float(dual_objectives(m).sum())})
  if v.reduced:
    fields[f"unreduced_{dataset.held_out}_error"] = float(
        (penalties(m, held).argmin(1) != held_labels).mean())
    m, fields["approximation_error"] = reduce(m, v, config.seed)
    fields["reduced_vectors"] = v.reduced
  train_pred = penalties(m, train).argmin(1)
  fields["train_error"] = float((train_pred != dataset.train_labels).mean())
  return penalties(m, held), fields


# The machine a reduced set replaces does not depend on the seed (libsvm has no randomness, the
# shifts none): the seeds of one config run in one process (a sweep) fit it once. The config
# without its seed -> (machine, summary fields); only the last one is kept.
_MACHINES: dict[str, tuple[Machine, dict]] = {}


def _machine(config, dataset, train) -> tuple[Machine, dict]:
  """libsvm's machine on the training set, or the second one on the first's virtual set, and
  its summary fields; a reduced set's also `machine_fit_s`, the fit's time, and
  `machine_reused`, whether this run took it from an earlier seed of the same config."""
  v = config.svm
  key = None
  if v.reduced and v.virtual != "distort":
    unseeded = config.copy_and_resolve_references()
    unseeded.seed = 0
    key = unseeded.to_json()
    if key in _MACHINES:
      logging.info("%s: the machine of an earlier seed, reused", config.network)
      m, fields = _MACHINES[key]
      return m, {**fields, "machine_reused": True}
  t0 = time.perf_counter()
  m = fit(train, dataset.train_labels, v)
  logging.info("%s: %d support vectors (%s per class)", config.network, len(m.vectors),
               m.support.tolist())
  fields = {}
  if v.virtual != "none":
    x, labels = virtual_set(m, dataset.train_images.shape[1], v, config)
    fields = {"first_support_vectors": int(len(m.vectors)), "virtual_patterns": int(len(x))}
    m = fit(x, labels, v, scale=m.scale)  # the first machine's kernel
    logging.info("%s: on %d virtual patterns, %d support vectors", config.network, len(x),
                 len(m.vectors))
  if key is None:
    return m, fields
  fields["machine_fit_s"] = time.perf_counter() - t0
  _MACHINES.clear()
  _MACHINES[key] = (m, fields)
  return m, {**fields, "machine_reused": False}


def reduce(m: Machine, v, seed: int) -> tuple[Machine, list[float]]:
  """The machine of `svm.reduced` vectors fitted to m's 45 (or 10) functions (the intercepts
  kept), and the fit's relative error along the way."""
  def k(a, b):
    return kernel(a, b, m.scale, m.offset, m.degree)
  z, b, history = reduced_set.fit(m.vectors, m.coef, k, v.reduced, v.reduced_steps,
                                  v.reduced_learning_rate, seed)
  return m._replace(vectors=z, coef=b), history


def cost(config, summary: dict | None = None) -> dict:
  """Per character: a dot product with each of the S support vectors (S x pixels
  multiply-accumulates; the power and the sums, 9 S one-vs-one, at most 10 S one-vs-rest,
  beside them). Memory: the support vectors and their coefficients. S is the trained machine's
  (its summary); without a run the cost is not known. A reduced set: its m vectors, each in all
  45 (or 10) sums."""
  functions = (linear.CLASSES if config.svm.get("multiclass") == "one_vs_rest"
               else len(linear.PAIRS))
  if config.svm.reduced:  # each reduced vector is in every sum; known before the run
    s, d, pairs_per_vector = config.svm.reduced, linear.pixels(config), functions
  elif summary is None or "support_vectors" not in summary:
    raise ValueError(f"{config.network}: an SVM's cost needs its run (the support vectors)")
  else:
    s, d = summary["support_vectors"], linear.pixels(config)
    # a vector of class i is in the 9 pairs (i, j), or in up to all 10 one-vs-rest functions
    pairs_per_vector = (linear.CLASSES - 1 if functions == len(linear.PAIRS)
                        else linear.CLASSES)
  params = s * d + s * pairs_per_vector + functions
  return {"params": params, "connections": s * d + s * pairs_per_vector,
          "macs": s * d + s * pairs_per_vector, "memory": params}
