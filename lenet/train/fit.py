"""The paper's training procedure (Section III-C), one compiled pass at a time.

A pass is a `lax.scan` over the training patterns in a constant random order, the data resident
on the device, one pattern per update by default (minibatches are a config option). With SDLM the
curvature h_kk is re-estimated on 500 patterns before each pass and held fixed during it
(Appendix C). Training, test (and validation) error are measured after every pass, and a
checkpoint is written at every pass boundary, so that a re-run into the same directory resumes
and ends with the same parameters.
"""
from __future__ import annotations

import time

from absl import logging
import jax
import jax.numpy as jnp

from lenet import rundir
from lenet.data.training_set import TrainingSet
from lenet.nn import models
from lenet.optim import optimizers
from lenet.optim import sdlm
from lenet.train import kernels
from lenet.train import multiseed
from lenet.train import orders


class TrainingDiverged(RuntimeError):
  """The loss became NaN or infinite."""


def fit(configs, runs, dataset, subset=None) -> list[dict]:
  """Trains the claimed, unfinished `runs` of `configs` (one config, one seed each) together,
  resuming from their last checkpoint (the same for all); returns their summaries.

  subset: positions in the enlarged training set (lenet/data/training_set.py) to train on
  instead of all of it (boosting's filtered sets).
  """
  config = configs[0]
  tc, oc = config.train, config.optimizer
  tset = TrainingSet.build(dataset.train_images, dataset.train_labels, config.data.distortion,
                           config.seed, subset)
  per_pass = tc.patterns_per_pass or dataset.num_train
  splits = [kernels.ModelFns.split(models.build(c.model, seed=c.seed)) for c in configs]
  optimizer = optimizers.make(oc, -(-per_pass // tc.batch_size))
  seeds = multiseed.Seeds(splits[0][0], kernels.criterion(config), optimizer, config, tset.fetch,
                          len(configs))
  checkpoints = [run.checkpoints() for run in runs]
  start = checkpoints[0].latest() or 0
  state = seeds.join([(params, optimizer.init(params)) for _, params in splits])
  if start:
    state = seeds.join([c.restore(start, s) for c, s in zip(checkpoints, seeds.split(state))])
    logging.info("Resuming %s after pass %d.", ", ".join(map(str, runs)), start)
  rows = [run.read_metrics(start) for run in runs]
  eval_sets = _evaluation_sets(dataset, tset)
  elapsed = rows[0][-1]["wall_time_s"] if rows[0] else 0.0

  for p in range(start, tc.passes):
    t0 = time.perf_counter()
    eta = optimizers.pass_learning_rate(oc, p)
    new_rows = [{"pass": p + 1, "learning_rate": eta} for _ in configs]
    if optimizers.refreshes_curvature(oc, p):  # Appendix C: h_kk before the pass, kept during it
      state = _refresh_curvature(seeds, state, tset, configs, runs, p, new_rows)
    steps = [orders.steps_of(tset.positions(orders.pass_patterns(
        c.seed, tset.size, per_pass, p, tc.order)), tc.batch_size) for c in configs]
    state, stats = seeds.run_pass(state, steps, tset.images, tset.labels)
    errors = _errors(seeds, state[0], eval_sets)
    elapsed += time.perf_counter() - t0
    for s, (run, row) in enumerate(zip(runs, new_rows)):
      _stop_if_diverged(stats[s], steps[s], p, run)
      row.update(_pass_row(stats[s], steps[s], tc.batch_size, {k: v[s] for k, v in errors.items()},
                           elapsed))
      rows[s].append(row)
      run.write_metrics(rows[s])
    for ckpt, s in zip(checkpoints, seeds.split(state)):
      ckpt.save(p + 1, s)
    for run, row in zip(runs, new_rows):
      _log_pass(run, row, tc.passes, elapsed)
  for ckpt in checkpoints:
    ckpt.close()
  return _finish(configs, runs, rows, seeds, state[0], dataset, eval_sets, per_pass, elapsed)


def _refresh_curvature(seeds, state, tset, configs, runs, p: int, rows):
  """h_kk of every seed on its 500 patterns of the set being trained on (distorted copies and
  filtered sets included), written into the optimizer state; the step sizes go into `rows`."""
  params, opt_state = state
  samples = [tset.positions(orders.curvature_sample(c.seed, tset.size, p,
                                                    c.optimizer.curvature_samples))
             for c in configs]
  h = seeds.curvature(params, [tset.patterns(s) for s in samples],
                      [tset.labels_of(s) for s in samples])
  oc = configs[0].optimizer
  for s, (hs, row) in enumerate(zip(seeds.split(h), rows)):
    if not all(bool(jnp.all(jnp.isfinite(v))) for v in jax.tree.leaves(hs)):
      raise TrainingDiverged(
          f"the curvature estimated before pass {p + 1} of {runs[s]} is NaN or infinite "
          f"(training patterns {samples[s].tolist()[:10]}...); check the data.")
    row["step_size_min"], row["step_size_max"] = optimizers.step_size_range(
        hs, optimizers.pass_learning_rate(oc, p), oc.mu)
  return params, sdlm.with_curvature(opt_state, h)


def _evaluation_sets(dataset, tset) -> dict:
  """The sets measured after each pass, on the device: the training originals and the held-out
  set (test, or validation for a selection run, which then never measures the test set)."""
  images, labels = dataset.held_out_set()
  return {"train_error": (tset.images, dataset.train_labels),
          f"{dataset.held_out}_error": (jnp.asarray(images), labels)}


def _errors(seeds, params, eval_sets) -> dict[str, list[float]]:
  """Per set, each seed's error rate."""
  return {name: [float((pred != labels).mean()) for pred in seeds.predictions(params, images)]
          for name, (images, labels) in eval_sets.items()}


def _stop_if_diverged(stats, steps, p: int, run) -> None:
  first_bad = int(stats["first_bad"])
  if first_bad >= 0:
    raise TrainingDiverged(
        f"the loss became NaN or infinite in pass {p + 1} at step {first_bad} (training "
        f"pattern(s) {steps[first_bad].tolist()}); the last good state is the checkpoint "
        f"after pass {p} in {run / 'checkpoints'}. Lower the learning rate or check the data.")


def _pass_row(stats, steps, batch_size: int, errors: dict, elapsed: float) -> dict:
  return {"train_loss": float(stats["loss_sum"]) / len(steps),
          "train_error_on_the_fly": float(stats["errors"]) / (len(steps) * batch_size),
          **errors, "wall_time_s": round(elapsed, 3)}


def _log_pass(run, row, passes: int, elapsed: float) -> None:
  held_out = rundir.held_out(row)
  logging.info("%s pass %2d/%d  eta=%.0e  loss=%.4f  train %.2f%%  %s %.2f%%  (%.0f s)%s",
               run.name, row["pass"], passes, row["learning_rate"], row["train_loss"],
               100 * row["train_error"], held_out, 100 * row[f"{held_out}_error"], elapsed,
               f"  step sizes {row['step_size_min']:.1e}..{row['step_size_max']:.1e}"
               if "step_size_min" in row else "")


def _finish(configs, runs, rows, seeds, params, dataset, eval_sets, per_pass: int,
            elapsed: float):
  """Each run's weights and outcome (lenet/rundir.py); returns the summaries."""
  summaries = []
  held = dataset.held_out
  images, labels = eval_sets[f"{held}_error"]
  for c, run, r, ps, penalties in zip(configs, runs, rows, seeds.split(params),
                                      seeds.penalties(params, images)):
    tc = c.train
    fields = {
        "network": c.network, "model": c.model.name, "seed": c.seed, "passes": tc.passes,
        "batch_size": tc.batch_size, "train_size": dataset.num_train,
        "patterns_per_pass": per_pass, "train_error": r[-1]["train_error"] if r else None,
        "wall_time_s": elapsed,
        "images_per_s": seeds.size * per_pass * tc.passes / elapsed if elapsed else None,
    }
    if seeds.size > 1:
      fields["vmapped_with"] = [x.seed for x in configs]
    run.save_params(ps)
    summaries.append(run.write_outcome(penalties, labels, fields, held))
  return summaries
