"""Runs a named sweep (experiments/sweeps.py) of (config, overrides, seed) runs, each into its
own run directory, then `python -m experiments.report` regenerates the tables.

    python -m experiments.sweep --sweep=paper [--seeds=5] [--results=results] \
        [--num_shards=N --shard_index=I] [--only=NAME ...] [--dry_run]

Resumable: a finished run (its summary.json) is skipped, an unfinished one resumes from its last
pass checkpoint, so a killed sweep loses at most the pass in progress; every results file is
written atomically. A run whose loss diverges gets failure.json instead of summary.json (the
report lists it) and is not retried; a run stopped by any other error is left for now, the sweep
goes on, and it exits with an error naming those runs, which resuming retries. --dry_run lists
every run and its state (a directory holding another config shows as "different config").

With --vmap_seeds the seeds of one configuration train together (lenet/train/multiseed.py);
the run directories are the same. --num_shards/--shard_index give shard I every N-th run (a
cluster job array); the shards write disjoint directories, and `experiments.report` merges them.
K-NN and Local adopt the finished network run of their seed in the same results root.
"""
from __future__ import annotations

import pathlib
import time

from absl import flags
from absl import logging
import jax

import lenet  # noqa: F401  (XLA flags before jax starts)
from experiments import cli
from experiments import sweeps
from lenet import errors
from lenet import methods
from lenet import rundir
from lenet.methods import neighbors
from lenet.methods import network
from lenet.train import fit

# Whether --vmap_seeds=auto vmaps, per backend. CPU: measured no faster on 2 cores (README,
# Speed); GPU and TPU: not measured yet, vmapped on the expectation that batch-1 steps leave
# them idle.
VMAP_SEEDS_DEFAULT = {"cpu": False, "gpu": True, "tpu": True}


def shard(runs: list[sweeps.Run], num_shards: int, shard_index: int) -> list[sweeps.Run]:
  if not 0 <= shard_index < num_shards:
    raise errors.ConfigError(f"--shard_index={shard_index} is outside 0..{num_shards - 1}")
  return runs[shard_index::num_shards]


def state(root: pathlib.Path, run: sweeps.Run, extra_overrides=()) -> str:
  """finished, diverged, started, pending, or "different config" (its directory holds a run of
  another config, which resuming would refuse)."""
  return rundir.RunDir(root / run.workdir).state(run.build_config(extra_overrides))


def _reusing_network(config, root: pathlib.Path):
  """K-NN and Local adopt the finished network run of the same seed and config in this results
  root instead of training it again: Fig. 9's (results/<network>/seed_K, from the same sweep),
  or for a selection run the candidate of the network's own question that has its config
  (results/selection/<network>/<candidate>/seed_K)."""
  if config.get("method") in ("knn", "local") and not config.neighbors.reuse:
    net, seed = neighbors.net_config(config), f"seed_{config.seed}"
    name = config.neighbors.network
    for source in (root / name / seed, *sorted((root / "selection" / name).glob(f"*/{seed}"))):
      if rundir.RunDir(source).state(net) == "finished":
        config.neighbors.reuse = str(source)
        break
  return config


def groups_of(runs: list[sweeps.Run], vmap: bool) -> list[list[sweeps.Run]]:
  """Runs that train together: all seeds of one (config, overrides) when vmapping single
  networks, else one run per group. Groups keep the order of their first run."""
  if not vmap:
    return [[r] for r in runs]
  groups: dict[tuple, list[sweeps.Run]] = {}
  for r in runs:
    single = methods.of(r.build_config()) is network
    key = (r.config, r.overrides) if single else (r.workdir,)
    groups.setdefault(key, []).append(r)
  return list(groups.values())


class SweepIncomplete(RuntimeError):
  """Some runs stopped with an error other than divergence; they are retried on resumption."""


def _train(group: list[sweeps.Run], root: pathlib.Path, extra_overrides) -> list[dict]:
  """Trains a group; a diverged run gets a failure record (a result: the report shows it).
  A vmapped group that diverges is retried run by run, so each seed gets its own outcome."""
  configs = [_reusing_network(run.build_config(extra_overrides), root) for run in group]
  try:
    if len(group) > 1:
      return network.run_seeds(configs[0], [c.seed for c in configs],
                               [root / r.workdir for r in group], vmap=True)
    return [methods.run(configs[0], root / group[0].workdir)]
  except fit.TrainingDiverged as e:
    if len(group) > 1:
      return [s for run in group for s in _train([run], root, extra_overrides)]
    logging.warning("%s diverged: %s", group[0].workdir, e)
    rundir.RunDir(root / group[0].workdir).record_failure(e)
    return []


def select(runs: list[sweeps.Run], only) -> list[sweeps.Run]:
  """The runs of the configurations named in `only` (all of them if it is empty)."""
  names = {sweeps.configuration_name(r) for r in runs}
  if unknown := set(only) - names:
    raise errors.ConfigError(f"unknown --only {sorted(unknown)}; this sweep has {sorted(names)}")
  return [r for r in runs if not only or sweeps.configuration_name(r) in only]


def run_sweep(sweep: str, root: pathlib.Path, seeds: int = 0, num_shards: int = 1,
              shard_index: int = 0, extra_overrides=(), dry_run: bool = False,
              vmap: bool = False, only=()) -> list[dict]:
  """Runs (or resumes) this shard's runs of the sweep; returns the finished runs' summaries.

  Diverged runs are recorded (failure.json) and not retried. Any other error is logged and the
  sweep goes on with the next run; at the end SweepIncomplete names the runs it left unfinished,
  which resuming the sweep retries.
  """
  mine = shard(select(sweeps.runs_of(sweep, seeds), only), num_shards, shard_index)
  for run in mine:  # every config is checked before anything runs
    methods.check(run.build_config(extra_overrides))
  summaries, stopped = [], []
  for group in groups_of(mine, vmap):
    states = [state(root, run, extra_overrides) for run in group]
    for run, status in zip(group, states):
      logging.info("%s: %s", run.workdir, status)
      if dry_run:
        print(f"{status:9s} {run.workdir}")
    if dry_run:
      continue
    if all(status in ("finished", "diverged") for status in states):
      summaries += [rundir.RunDir(root / r.workdir).summary()
                    for r, status in zip(group, states) if status == "finished"]
      continue
    t0 = time.perf_counter()
    try:
      done = _train(group, root, extra_overrides)
    except Exception as e:  # noqa: BLE001  (the other runs of the sweep still run)
      logging.exception("%s stopped with an error; the sweep goes on", group[0].workdir)
      stopped.append(f"{', '.join(r.workdir for r in group)}: {type(e).__name__}: {e}")
      continue
    workdirs = {r.seed: r.workdir for r in group}
    for summary in done:
      held_out = rundir.held_out(summary)
      logging.info("%s: %s error %.2f%% (%.0f s for the group)", workdirs[summary["seed"]],
                   held_out, 100 * summary[f"{held_out}_error"], time.perf_counter() - t0)
    summaries += done
  if stopped:
    raise SweepIncomplete(f"{len(stopped)} run group(s) stopped with an error (resume the sweep "
                          "to retry them):\n" + "\n".join(stopped))
  return summaries


def main(argv):
  del argv
  f = flags.FLAGS
  extra = tuple(tuple(o.split("=", 1)) for o in f.override)
  vmap = (VMAP_SEEDS_DEFAULT.get(jax.default_backend(), False) if f.vmap_seeds == "auto"
          else f.vmap_seeds == "true")
  run_sweep(f.sweep, pathlib.Path(f.results), f.seeds, f.num_shards, f.shard_index, extra,
            f.dry_run, vmap, f.only)


def define_flags():
  """Flags are defined only when run as a program, so tests can import this module beside
  other launchers that also have a --results flag."""
  flags.DEFINE_string("sweep", None, "Name of the sweep (experiments/sweeps.py): "
                     + ", ".join(sweeps.SWEEPS) + ".")
  flags.DEFINE_integer("seeds", 0, "Seeds per configuration (0: each configuration's own count "
                       "or the sweep's default).")
  flags.DEFINE_string("results", "results", "Root directory of the run directories.")
  flags.DEFINE_integer("num_shards", 1, "Split the sweep into this many shards.")
  flags.DEFINE_integer("shard_index", 0, "Which shard this process runs.")
  flags.DEFINE_bool("dry_run", False, "List the runs and their state; train nothing.")
  flags.DEFINE_multi_string("only", [], "Run only this configuration of the sweep (repeatable), "
                            "e.g. --only=loss.j=10 --only=order=reshuffle.")
  flags.DEFINE_enum(
      "vmap_seeds", "auto", ["auto", "true", "false"],
      "Train the seeds of one configuration together in one compiled computation (jax.vmap, the "
      "seed axis sharded across local devices). auto: the faster way measured per backend "
      "(VMAP_SEEDS_DEFAULT).")
  flags.DEFINE_multi_string(
      "override", [], "FIELD=VALUE applied to every run of the sweep (e.g. data.train_size=500 "
      "train.passes=1 for a quick check); changes the configs, so use another --results.")


if __name__ == "__main__":
  define_flags()
  flags.mark_flag_as_required("sweep")
  cli.run(main)
