"""The paper's training procedure (Section III-C) as one compiled computation per pass.

A pass is a `lax.scan` over the training patterns in a constant random order, the data resident
on the device, one pattern per step by default (minibatches are a config option). With SDLM the
curvature is re-estimated on 500 patterns before each pass and held fixed during it. Train and
test error are measured after every pass; a checkpoint is written at every pass boundary so that a
re-run into the same directory resumes and ends with the same parameters.
"""
from __future__ import annotations

import dataclasses
import functools
import json
import logging as std_logging
import os
import pathlib
import platform
import subprocess
import sys
import time
from typing import Any, Callable

from absl import logging
from flax import nnx
from flax import serialization
import jax
import jax.numpy as jnp
import numpy as np
import optax
import orbax.checkpoint as ocp

from lenet import curvature as curvature_lib
from lenet import data as data_lib
from lenet import distortions
from lenet import evaluation
from lenet import losses
from lenet import models
from lenet import sdlm

OPTIMIZERS = ("sdlm", "sgd", "adam")
SCHEDULES = ("paper", "constant")
ORDERS = ("fixed", "reshuffle")
CURVATURE_UPDATES = ("every_pass", "first_pass")
# Independent random streams derived from the seed.
_ORDER_STREAM, _CURVATURE_STREAM = 1, 2


class TrainingDiverged(RuntimeError):
  """The loss became NaN or infinite."""


# ---------------------------------------------------------------------------------------------
# Functional view of the model


@dataclasses.dataclass(frozen=True)
class ModelFns:
  """Pure functions of the parameters, from an NNX model split once (Flax's performance guide)."""
  graphdef: Any
  constants: Any  # the non-trainable variables (connection tables, RBF codes)

  @classmethod
  def split(cls, model):
    graphdef, params, constants = nnx.split(model, nnx.Param, ...)
    return cls(graphdef, constants), params

  def model(self, params):
    return nnx.merge(self.graphdef, params, self.constants)

  def penalties(self, params, x):
    return self.model(params)(x)


def _learning_rates(cfg) -> tuple[float, ...]:
  """eta of each pass under the `optimizer` config, eta_scale applied (later passes keep the
  last)."""
  if cfg.schedule == "paper":
    rates = sdlm.PAPER_ETA
  elif cfg.schedule == "constant":
    rates = (cfg.learning_rate,)
  else:
    raise ValueError(f"unknown optimizer.schedule={cfg.schedule!r}; choose from {SCHEDULES}")
  return tuple(cfg.eta_scale * eta for eta in rates)


def pass_learning_rate(cfg, pass_index: int) -> float:
  """The global rate eta of pass `pass_index` (0-based) under the `optimizer` config."""
  rates = _learning_rates(cfg)
  return rates[min(pass_index, len(rates) - 1)]


def make_optimizer(cfg, steps_per_pass: int) -> optax.GradientTransformation:
  """The optimizer named by the `optimizer` config; "sdlm" with the "paper" schedule by default."""
  rates = _learning_rates(cfg)
  lr = rates[0] if cfg.schedule == "constant" else sdlm.per_pass_schedule(rates, steps_per_pass)
  if cfg.name == "sdlm":
    return sdlm.sdlm(lr, cfg.mu)
  if cfg.name == "sgd":
    return optax.sgd(lr)
  if cfg.name == "adam":
    return optax.adam(lr)
  raise ValueError(f"unknown optimizer.name={cfg.name!r}; choose from {OPTIMIZERS}")


def validate(config) -> None:
  """Rejects unknown values early, with the field named (unknown fields are rejected by
  ml_collections itself)."""
  losses.get(config.loss.name)
  if config.optimizer.name not in OPTIMIZERS:
    raise ValueError(f"unknown optimizer.name={config.optimizer.name!r}; choose from {OPTIMIZERS}")
  if config.train.order not in ORDERS:
    raise ValueError(f"unknown train.order={config.train.order!r}; choose from {ORDERS}")
  if config.optimizer.output_curvature not in curvature_lib.OUTPUT_CURVATURES:
    raise ValueError(f"unknown optimizer.output_curvature={config.optimizer.output_curvature!r}; "
                     f"choose from {curvature_lib.OUTPUT_CURVATURES}")
  if config.optimizer.output_curvature == "mle" and config.model.output not in ("rbf", "place"):
    raise ValueError("optimizer.output_curvature='mle' needs model.output='rbf' or 'place'; "
                     "use 'loss'")
  distortions.validate(config.data.distortion)
  if config.optimizer.curvature_update not in CURVATURE_UPDATES:
    raise ValueError(f"unknown optimizer.curvature_update={config.optimizer.curvature_update!r}; "
                     f"choose from {CURVATURE_UPDATES}")
  for field in ("passes", "batch_size", "eval_batch_size"):
    if config.train[field] < 1:
      raise ValueError(f"train.{field} must be at least 1, got {config.train[field]}")
  if config.optimizer.eta_scale <= 0:
    raise ValueError(f"optimizer.eta_scale must be positive, got {config.optimizer.eta_scale}")
  if config.train.patterns_per_pass < 0:
    raise ValueError("train.patterns_per_pass must be 0 (the training set's size) or positive, "
                     f"got {config.train.patterns_per_pass}")


# ---------------------------------------------------------------------------------------------
# Compiled pieces


def chunked_map(fn, xs, chunk: int):
  """fn over `xs` (any array with a leading axis) `chunk` rows at a time, in one `lax.map`: the
  last chunk is padded with zeros and its extra rows dropped. Bounds the memory of large
  evaluations while keeping them one compiled loop."""
  n = xs.shape[0]
  padded = jnp.pad(xs, ((0, (-n) % chunk),) + ((0, 0),) * (xs.ndim - 1))
  out = jax.lax.map(fn, padded.reshape(-1, chunk, *xs.shape[1:]))
  return jax.tree.map(lambda o: o.reshape(-1, *o.shape[2:])[:n], out)


def criterion(config) -> Callable:
  """The per-example training criterion named by the `loss` config."""
  return functools.partial(losses.get(config.loss.name), j=config.loss.j)


def make_pass_fn(fns: ModelFns, loss_fn, optimizer, grad_chunk: int = 0, fetch=None):
  """A jitted pass: scan over `steps` (S, B) of pattern indices, one update per row.

  fetch(images, indices), if given, makes the patterns (distorted copies included,
  lenet/distortions.py); the pass makes all of its patterns first, in chunks of 1,024 (five times
  faster on CPU than one warp per step), then scans. Without it, each step looks its rows up.

  With 0 < grad_chunk < B (B a multiple of it), each minibatch's mean gradient is computed as the
  mean of its chunks' mean gradients, the same value, in a loop that keeps the convolutions'
  buffers in the CPU's cache.
  """

  def batch_objective(params, x, y):
    penalties = fns.penalties(params, x)
    return jnp.mean(loss_fn(penalties, y)), penalties

  def objective_and_grad(params, x, y):
    b = x.shape[0]
    if not 0 < grad_chunk < b or b % grad_chunk:
      return jax.value_and_grad(batch_objective, has_aux=True)(params, x, y)
    n = b // grad_chunk

    def chunk(total, xy):
      (loss, penalties), grads = jax.value_and_grad(batch_objective, has_aux=True)(params, *xy)
      return jax.tree.map(jnp.add, total, (loss, grads)), penalties

    zero = (jnp.float32(0), jax.tree.map(jnp.zeros_like, params))
    (loss, grads), penalties = jax.lax.scan(
        chunk, zero, (x.reshape(n, grad_chunk, *x.shape[1:]), y.reshape(n, grad_chunk)))
    return (loss / n, penalties.reshape(b, -1)), jax.tree.map(lambda g: g / n, grads)

  def make_patterns(images, steps):
    xs = chunked_map(lambda idx: fetch(images, idx), steps.reshape(-1), 1024)
    return xs.reshape(*steps.shape, *xs.shape[1:])

  @functools.partial(jax.jit, donate_argnums=(0, 1))
  def run_pass(params, opt_state, steps, images, labels):
    patterns = make_patterns(images, steps) if fetch else None

    def step(carry, scanned):
      params, opt_state, loss_sum, errors, first_bad = carry
      step_index, indices = scanned[:2]
      x = scanned[2] if fetch else images[indices]
      y = labels[indices % labels.shape[0]]
      (loss, penalties), grads = objective_and_grad(params, x, y)
      updates, opt_state = optimizer.update(grads, opt_state, params)
      params = optax.apply_updates(params, updates)
      errors = errors + jnp.sum(jnp.argmin(penalties, axis=1) != y)
      first_bad = jnp.where((first_bad < 0) & ~jnp.isfinite(loss), step_index, first_bad)
      return (params, opt_state, loss_sum + loss, errors, first_bad), None

    init = (params, opt_state, jnp.float32(0), jnp.int32(0), jnp.int32(-1))
    scanned = (jnp.arange(steps.shape[0]), steps) + ((patterns,) if fetch else ())
    (params, opt_state, loss_sum, errors, first_bad), _ = jax.lax.scan(step, init, scanned)
    return params, opt_state, {"loss_sum": loss_sum, "errors": errors, "first_bad": first_bad}

  return run_pass


# Forward-only evaluation runs each layer in its own loop over chunks of LAYER_CHUNK patterns.
# As one graph, XLA's CPU compiler fuses each subsampling layer into the next convolution's window
# gather, recomputing every S2 unit (five tanh) once per window that reads it, up to 25 times;
# LeNet-5's evaluation ran about 2.6x slower than with the loops, whose boundaries keep each
# layer's output in memory. (Training is not affected: its gradient keeps the outputs anyway.)
LAYER_CHUNK = 100


def layer_by_layer(layers, x):
  """x through `layers` in turn, each in its own chunked loop (see LAYER_CHUNK)."""
  for layer in layers:
    x = chunked_map(layer, x, LAYER_CHUNK)
  return x


def make_penalties_fn(fns: ModelFns, batch_size: int, fetch=None):
  """Jitted penalties (N, classes) for patterns `indices` of `images` (default: all of them), in
  chunks of `batch_size`; fetch(images, indices) as in make_pass_fn."""
  fetch = fetch or (lambda images, indices: images[indices])

  @jax.jit
  def penalties(params, images, indices=None):
    if indices is None:
      indices = jnp.arange(images.shape[0])
    model = fns.model(params)
    return chunked_map(lambda idx: model.output(layer_by_layer(model.layers, fetch(images, idx))),
                       indices, batch_size)

  return penalties


def make_curvature_fn(fns: ModelFns, loss_fn, output_curvature: str):
  @jax.jit
  def estimate(params, x, y):
    return curvature_lib.diagonal_curvature(fns.model(params), x, y, loss_fn, output_curvature)
  return estimate


def pattern_order(seed: int, num_train: int, pass_index: int, order: str) -> np.ndarray:
  """The constant random order of the patterns (paper), or a new one each pass (ablation)."""
  key = jax.random.fold_in(jax.random.PRNGKey(seed), _ORDER_STREAM)
  if order == "reshuffle":
    key = jax.random.fold_in(key, pass_index)
  return np.asarray(jax.random.permutation(key, num_train))


def pass_patterns(seed: int, set_size: int, per_pass: int, pass_index: int,
                  order: str) -> np.ndarray:
  """Positions in the training set of the `per_pass` patterns of pass `pass_index`.

  "fixed" (the paper): one random order of the whole set, consumed `per_pass` patterns at a time
  and wrapping around, so 20 passes of 60,000 go twice through 600,000 distorted patterns
  (Section III-C) and each pass is the same order when the set has 60,000. "reshuffle": a new
  order each pass.
  """
  order_ = pattern_order(seed, set_size, pass_index, order)
  start = 0 if order == "reshuffle" else pass_index * per_pass
  return order_[(start + np.arange(per_pass)) % set_size]


def curvature_sample(seed: int, num_train: int, pass_index: int, size: int) -> np.ndarray:
  key = jax.random.fold_in(jax.random.fold_in(jax.random.PRNGKey(seed), _CURVATURE_STREAM),
                           pass_index)
  return np.asarray(jax.random.choice(key, num_train, (min(size, num_train),), replace=False))


def steps_of(order: np.ndarray, batch_size: int) -> np.ndarray:
  """(S, B) pattern indices; a last partial batch is filled from the start of the order."""
  steps = -(-len(order) // batch_size)
  return np.resize(order, steps * batch_size).reshape(steps, batch_size)


def step_size_range(curvature, eta: float, mu: float) -> tuple[float, float]:
  """min and max of eta/(mu+h) over entries with h > 0 (masked kernel entries have h = 0 and
  zero gradient: they are not parameters)."""
  hs = np.concatenate([np.asarray(h).ravel() for h in jax.tree.leaves(curvature)])
  hs = hs[hs > 0]
  return float(eta / (mu + hs.max())), float(eta / (mu + hs.min()))


# ---------------------------------------------------------------------------------------------
# Run directory: config, versions, metrics, checkpoints, final parameters


def git_commit() -> str:
  try:
    out = subprocess.run(["git", "-C", str(data_lib.REPO_ROOT), "describe", "--always", "--dirty",
                          "--abbrev=40"], capture_output=True, text=True, timeout=10, check=True)
    return out.stdout.strip()
  except (OSError, subprocess.SubprocessError):
    return "unknown"


def software_versions() -> dict[str, str]:
  import flax, ml_collections  # pylint: disable=g-import-not-at-top,multiple-imports
  return {
      "git_commit": git_commit(),
      "python": sys.version.split()[0], "jax": jax.__version__,
      "jaxlib": jax.lib.__version__ if hasattr(jax.lib, "__version__") else jax.__version__,
      "flax": flax.__version__, "optax": optax.__version__, "numpy": np.__version__,
      "orbax-checkpoint": ocp.__version__, "ml_collections": getattr(ml_collections, "__version__",
                                                                     "unknown"),
      "platform": platform.platform(), "processor": platform.processor() or platform.machine(),
      "backend": jax.default_backend(), "devices": str(jax.devices()),
      "cpu_count": str(os.cpu_count()), "xla_flags": os.environ.get("XLA_FLAGS", ""),
  }


def write_atomic(path: pathlib.Path, content: str | bytes) -> None:
  """Writes a file so that a reader (or a killed run) sees the old or the new file, never half."""
  tmp = path.with_name(f".{path.name}.tmp")
  if isinstance(content, bytes):
    tmp.write_bytes(content)
  else:
    tmp.write_text(content)
  os.replace(tmp, path)


def write_json_atomic(path: pathlib.Path, obj) -> None:
  write_atomic(path, json.dumps(obj, indent=2, sort_keys=True) + "\n")


def read_metrics(path: pathlib.Path, up_to_pass: int) -> list[dict]:
  if not path.exists():
    return []
  rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
  return [r for r in rows if r["pass"] <= up_to_pass]


def write_metrics(path: pathlib.Path, rows: list[dict]) -> None:
  write_atomic(path, "".join(json.dumps(r, sort_keys=True) + "\n" for r in rows))


def save_params(path: pathlib.Path, params) -> None:
  """The trained weights as one portable msgpack file (flax.serialization)."""
  write_atomic(path, serialization.msgpack_serialize(nnx.to_pure_dict(params)))


def load_trained(config, workdir) -> tuple[ModelFns, Any]:
  """The model of `config` and the trained weights in workdir/params.msgpack."""
  fns, template = ModelFns.split(models.build(config.model, seed=config.seed))
  return fns, load_params(pathlib.Path(workdir) / "params.msgpack", template)


def load_params(path: pathlib.Path, template):
  pure = serialization.msgpack_restore(pathlib.Path(path).read_bytes())
  params = jax.tree.map(lambda x: x, template)
  nnx.replace_by_pure_dict(params, pure)
  return params


class _DropOrbaxInfo(std_logging.Filter):
  def filter(self, record):
    return record.levelno >= std_logging.WARNING or "orbax" not in record.pathname


class Checkpoints:
  """Orbax checkpoints of (completed passes, params, optimizer state) at pass boundaries."""

  def __init__(self, directory: pathlib.Path, keep: int = 2):
    for handler in std_logging.getLogger().handlers + std_logging.getLogger("absl").handlers:
      if not any(isinstance(f, _DropOrbaxInfo) for f in handler.filters):
        handler.addFilter(_DropOrbaxInfo())
    self.manager = ocp.CheckpointManager(
        directory.resolve(), options=ocp.CheckpointManagerOptions(max_to_keep=keep, create=True))

  def latest(self) -> int | None:
    return self.manager.latest_step()

  def save(self, passes_done: int, state) -> None:
    leaves = {f"{i:04d}": np.asarray(x) for i, x in enumerate(jax.tree.leaves(state))}
    self.manager.save(passes_done, args=ocp.args.StandardSave(leaves))
    self.manager.wait_until_finished()

  def restore(self, passes_done: int, template):
    leaves, treedef = jax.tree.flatten(template)
    abstract = {f"{i:04d}": np.asarray(x) for i, x in enumerate(leaves)}
    restored = self.manager.restore(passes_done, args=ocp.args.StandardRestore(abstract))
    return jax.tree.unflatten(treedef, [jnp.asarray(restored[f"{i:04d}"])
                                        for i in range(len(leaves))])

  def close(self):
    self.manager.close()


# ---------------------------------------------------------------------------------------------


def with_new_fields(old: dict, current: dict) -> dict:
  """`old` (a run's recorded config) with the fields added to the configs since then filled in
  from `current`. A field is only ever added with a default that keeps the earlier behaviour, so
  a run recorded before it is a run with that default."""
  merged = dict(old)
  for key, value in current.items():
    if key not in merged:
      merged[key] = value
    elif isinstance(value, dict) and isinstance(merged[key], dict):
      merged[key] = with_new_fields(merged[key], value)
  return merged


# Fields that record where a result was copied from, never what it is (neighbors.reuse adopts
# a run only after checking that its config is identical): not part of a run's identity.
PROVENANCE_FIELDS = (("neighbors", "reuse"),)


def _identity(config_json: dict) -> dict:
  same = json.loads(json.dumps(config_json))
  for section, field in PROVENANCE_FIELDS:
    same.get(section, {}).pop(field, None)
  return same


def claim_workdir(config, workdir: str | os.PathLike) -> tuple[pathlib.Path, dict | None]:
  """Creates `workdir` for `config`; returns (path, its summary if that run already finished).

  A directory holding a different config is refused rather than overwritten.
  """
  workdir = pathlib.Path(workdir)
  workdir.mkdir(parents=True, exist_ok=True)
  config_json = json.loads(config.to_json())
  if (workdir / "config.json").exists():
    previous = with_new_fields(json.loads((workdir / "config.json").read_text()), config_json)
    if _identity(previous) != _identity(config_json):
      raise ValueError(f"{workdir} holds a run with a different config; use a new --workdir")
    if (workdir / "summary.json").exists():
      return workdir, json.loads((workdir / "summary.json").read_text())
  write_json_atomic(workdir / "config.json", config_json)
  write_json_atomic(workdir / "versions.json", software_versions())
  return workdir, None


def train_and_evaluate(config, workdir: str | os.PathLike, dataset=None,
                       training_set: np.ndarray | None = None) -> dict:
  """Trains the configured model into `workdir`, resuming from its last checkpoint if any, and
  returning at once if the run there has finished.

  `training_set`: indices into the enlarged set (originals, then distorted copies; see
  lenet/distortions.py) to train on instead of all of it (boosting's filtered sets).
  Writes config.json, versions.json, metrics.jsonl (one line per pass), summary.json,
  misclassified.json, params.msgpack and checkpoints/. Returns the summary.
  """
  return train_seeds(config, [config.seed], [workdir], dataset, training_set)[0]


def can_vmap_seeds(config) -> bool:
  """Seeds can share one compiled computation unless each needs its own distorted copies."""
  dc = config.data.distortion
  return not dc.copies or dc.seed >= 0


def train_seeds(config, seeds, workdirs, dataset=None, training_set=None,
                vmap: bool = False) -> list[dict]:
  """train_and_evaluate for several seeds of one config, each into its own run directory.

  vmap=False: the seeds' runs one after another. vmap=True: the unfinished seeds train together,
  pass by pass, in one compiled computation with a leading seed axis (`jax.vmap` over parameters,
  optimizer state and pattern orders), sharded across the local devices when there are several.
  Each run directory ends up with the same files either way (summary.json records `vmapped_with`).
  On this project's CPU the vmapped runs are bit-for-bit the sequential ones (tests/test_train.py);
  other backends may differ in the last bits.
  """
  configs = []
  for seed in seeds:
    c = config.copy_and_resolve_references()
    c.seed = seed
    validate(c)
    configs.append(c)
  claims = [claim_workdir(c, w) for c, w in zip(configs, workdirs)]
  summaries = [finished for _, finished in claims]
  todo = [i for i, (_, finished) in enumerate(claims) if finished is None]
  for i, (workdir, finished) in enumerate(claims):
    if finished is not None:
      logging.info("%s has finished; not training again.", workdir)
  if not todo:
    return summaries
  dataset = dataset or data_lib.load(config.data)
  groups = [todo] if vmap and len(todo) > 1 and can_vmap_seeds(config) else [[i] for i in todo]
  for group in groups:
    done = _train_group([configs[i] for i in group], [claims[i][0] for i in group], dataset,
                        training_set)
    for i, summary in zip(group, done):
      summaries[i] = summary
  return summaries


def _stack(trees):
  return jax.tree.map(lambda *xs: jnp.stack(xs), *trees)


def _unstack(tree, size: int):
  return [jax.tree.map(lambda x, s=s: x[s], tree) for s in range(size)]


def _seed_sharding(size: int):
  """Shards the leading (seed) axis across the local devices when it divides evenly."""
  devices = jax.local_devices()
  if len(devices) < 2 or size % len(devices):
    return None
  mesh = jax.sharding.Mesh(np.array(devices), ("seeds",))
  return jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec("seeds"))


def _train_group(configs, workdirs, dataset, training_set=None) -> list[dict]:
  """Trains the runs `configs` (one config, different seeds) together: one seed without vmap,
  several with a leading seed axis."""
  config, size = configs[0], len(configs)
  train_images, train_labels = jnp.asarray(dataset.train_images), jnp.asarray(dataset.train_labels)
  test_images, test_labels = jnp.asarray(dataset.test_images), dataset.test_labels
  validation_images = jnp.asarray(dataset.validation_images)
  validation_labels = dataset.validation_labels
  n = dataset.num_train
  tc, oc, dc = config.train, config.optimizer, config.data.distortion
  per_pass = tc.patterns_per_pass or n
  steps_per_pass = -(-per_pass // tc.batch_size)

  splits = [ModelFns.split(models.build(c.model, seed=c.seed)) for c in configs]
  fns, initial = splits[0][0], [params for _, params in splits]
  loss_fn = criterion(config)
  optimizer = make_optimizer(oc, steps_per_pass)
  fetch = distortions.pattern_fetcher(n, dc, config.seed) if dc.copies else None
  set_size = n * (1 + dc.copies) if training_set is None else len(training_set)
  run_pass = make_pass_fn(fns, loss_fn, optimizer, tc.grad_chunk, fetch)
  penalties_of = make_penalties_fn(fns, tc.eval_batch_size)
  estimate_curvature = make_curvature_fn(fns, loss_fn, oc.output_curvature)
  if size > 1:  # the same functions over a leading seed axis
    sharding = _seed_sharding(size)
    run_pass = jax.jit(jax.vmap(run_pass.__wrapped__, in_axes=(0, 0, 0, None, None)),
                       donate_argnums=(0, 1))
    penalties_of = jax.jit(jax.vmap(penalties_of.__wrapped__, in_axes=(0, None)))
    estimate_curvature = jax.jit(jax.vmap(estimate_curvature.__wrapped__))
  place = (lambda x: jax.device_put(x, sharding)) if size > 1 and sharding else (lambda x: x)

  checkpoints = [Checkpoints(w / "checkpoints") for w in workdirs]
  starts = [c.latest() or 0 for c in checkpoints]
  if len(set(starts)) > 1:  # seeds stopped at different passes: resume them one by one
    for c in checkpoints:
      c.close()
    return [_train_group([c], [w], dataset, training_set)[0] for c, w in zip(configs, workdirs)]
  start = starts[0]
  states = [(p, optimizer.init(p)) for p in initial]
  if start:
    states = [c.restore(start, s) for c, s in zip(checkpoints, states)]
    logging.info("Resuming %s after pass %d.", ", ".join(map(str, workdirs)), start)
  rows = [read_metrics(w / "metrics.jsonl", start) for w in workdirs]
  elapsed = rows[0][-1]["wall_time_s"] if rows[0] else 0.0
  if size == 1:
    params, opt_state = states[0]
  else:
    params, opt_state = place(_stack([s[0] for s in states])), place(_stack([s[1] for s in states]))
  seeded = lambda arrays: arrays[0] if size == 1 else place(jnp.stack(arrays))  # noqa: E731
  per_seed = lambda tree: [tree] if size == 1 else _unstack(tree, size)  # noqa: E731

  for p in range(start, tc.passes):
    t0 = time.perf_counter()
    eta = pass_learning_rate(oc, p)
    new_rows = [{"pass": p + 1, "learning_rate": eta} for _ in configs]
    if oc.name == "sdlm" and (p == 0 or oc.curvature_update == "every_pass"):
      # Appendix C: h_kk on 500 patterns before each pass (kept in opt_state, and checkpointed)
      # Drawn from the set being trained on: distorted copies and boosting's filtered sets too.
      samples = [curvature_sample(c.seed, set_size, p, oc.curvature_samples) for c in configs]
      if training_set is not None:
        samples = [np.asarray(training_set)[s] for s in samples]
      xs = [fetch(train_images, jnp.asarray(s)) if fetch else train_images[s] for s in samples]
      h = estimate_curvature(params, seeded(xs), seeded([train_labels[s % n] for s in samples]))
      for s, (hs, row) in enumerate(zip(per_seed(h), new_rows)):
        if not all(bool(jnp.all(jnp.isfinite(v))) for v in jax.tree.leaves(hs)):
          raise TrainingDiverged(
              f"the curvature estimated before pass {p + 1} of {workdirs[s]} is NaN or infinite "
              f"(training patterns {samples[s].tolist()[:10]}...); check the data.")
        row["step_size_min"], row["step_size_max"] = step_size_range(hs, eta, oc.mu)
      opt_state = sdlm.with_curvature(opt_state, h)
    steps = []
    for c in configs:
      patterns = pass_patterns(c.seed, set_size, per_pass, p, tc.order)
      if training_set is not None:
        patterns = np.asarray(training_set)[patterns]
      steps.append(steps_of(patterns, tc.batch_size))
    params, opt_state, stats = run_pass(params, opt_state, seeded([jnp.asarray(s) for s in steps]),
                                        train_images, train_labels)
    train_pred = per_seed(np.asarray(penalties_of(params, train_images).argmin(-1)))
    test_pred = per_seed(np.asarray(penalties_of(params, test_images).argmin(-1)))
    validation_pred = (per_seed(np.asarray(penalties_of(params, validation_images).argmin(-1)))
                       if len(validation_labels) else None)
    elapsed += time.perf_counter() - t0
    for s, (st, row) in enumerate(zip(per_seed(stats), new_rows)):
      first_bad = int(st["first_bad"])
      if first_bad >= 0:
        raise TrainingDiverged(
            f"the loss became NaN or infinite in pass {p + 1} at step {first_bad} (training "
            f"pattern(s) {steps[s][first_bad].tolist()}); the last good state is the checkpoint "
            f"after pass {p} in {workdirs[s] / 'checkpoints'}. Lower the learning rate or check "
            "the data.")
      row.update({
          "train_loss": float(st["loss_sum"]) / len(steps[s]),
          "train_error_on_the_fly": float(st["errors"]) / (len(steps[s]) * tc.batch_size),
          "train_error": float((train_pred[s] != dataset.train_labels).mean()),
          "test_error": float((test_pred[s] != test_labels).mean()),
          "wall_time_s": round(elapsed, 3),
      })
      if validation_pred is not None:
        row["validation_error"] = float((validation_pred[s] != validation_labels).mean())
      rows[s].append(row)
      write_metrics(workdirs[s] / "metrics.jsonl", rows[s])
    for ckpt, state in zip(checkpoints, per_seed((params, opt_state))):
      ckpt.save(p + 1, state)
    for w, row in zip(workdirs, new_rows):
      logging.info("%s pass %2d/%d  eta=%.0e  loss=%.4f  train %.2f%%  test %.2f%%  (%.0f s)%s",
                   w.name, p + 1, tc.passes, eta, row["train_loss"], 100 * row["train_error"],
                   100 * row["test_error"], elapsed,
                   f"  step sizes {row['step_size_min']:.1e}..{row['step_size_max']:.1e}"
                   if "step_size_min" in row else "")
  for ckpt in checkpoints:
    ckpt.close()

  summaries = []
  all_penalties = per_seed(np.asarray(penalties_of(params, test_images)))
  for c, w, r, ps, test_penalties in zip(configs, workdirs, rows, per_seed(params),
                                         all_penalties):
    test_pred = test_penalties.argmin(axis=1)
    wrong = np.flatnonzero(test_pred != test_labels)
    write_json_atomic(w / "misclassified.json", {
        "test_index": wrong.tolist(), "label": test_labels[wrong].tolist(),
        "predicted": test_pred[wrong].tolist()})
    save_params(w / "params.msgpack", ps)
    summary = {
        "network": c.network, "model": c.model.name, "seed": c.seed, "passes": tc.passes,
        "batch_size": tc.batch_size, "train_size": n, "patterns_per_pass": per_pass,
        "test_error": float(len(wrong) / len(test_labels)), "test_errors": int(len(wrong)),
        "train_error": r[-1]["train_error"] if r else None,
        "wall_time_s": elapsed,
        "images_per_s": size * per_pass * tc.passes / elapsed if elapsed else None,
        **evaluation.rejection_summary(test_penalties, test_labels),
    }
    if len(validation_labels):
      summary["validation_size"] = int(len(validation_labels))
      summary["validation_error"] = r[-1]["validation_error"] if r else None
    if size > 1:
      summary["vmapped_with"] = [x.seed for x in configs]
    write_json_atomic(w / "summary.json", summary)
    summaries.append(summary)
  return summaries


def test_penalties_from_params_file(config, workdir) -> tuple[np.ndarray, np.ndarray]:
  """Test-set penalties and labels of the weights in workdir/params.msgpack alone."""
  dataset = data_lib.load(config.data)
  fns, params = load_trained(config, workdir)
  penalties = make_penalties_fn(fns, config.train.eval_batch_size)(
      params, jnp.asarray(dataset.test_images))
  return np.asarray(penalties), dataset.test_labels


def evaluate_params_file(config, workdir) -> float:
  """Test error of the weights in workdir/params.msgpack alone (no checkpoint, no training)."""
  penalties, labels = test_penalties_from_params_file(config, workdir)
  return float((penalties.argmin(1) != labels).mean())
