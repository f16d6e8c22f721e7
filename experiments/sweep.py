"""Runs a named set of (config, overrides, seed) runs, each into its own run directory.

    python -m experiments.sweep --sweep=paper [--seeds=5] [--results=results] \
        [--num_shards=N --shard_index=I] [--only=NAME ...] [--dry_run]
    python -m experiments.report     # then regenerate results/README.md

Sweeps:
  paper       every network of Fig. 9 that the repository implements -> results/<network>/seed_K
  ablations   one design choice at a time from the paper's recipe -> results/ablations/<name>/seed_K
  trainsize   Fig. 6: LeNet-5 on 15,000 and 30,000 patterns, passes of n or of 60,000
              patterns -> results/trainsize/<n>[,patterns_per_pass=60000]/seed_K
              (60,000: the lenet5 runs of `paper`)
  smoke       LeNet-5 and LeNet-1 on 300 patterns, one pass -> results/smoke/<network>/seed_K

Resumable: a finished run (its summary.json) is skipped, an unfinished one resumes from its last
pass checkpoint, so a killed sweep loses at most the pass in progress; every results file is
written atomically. A run whose loss diverges gets failure.json instead of summary.json (the
report lists it) and is not retried; a run stopped by any other error is left for now, the sweep
goes on, and it exits with an error naming those runs, which resuming retries.

With --vmap_seeds the seeds of one configuration train together (lenet/train.py, train_seeds);
the run directories are the same. --num_shards/--shard_index give shard I every N-th run (a
cluster job array); the shards write disjoint directories, and `experiments.report` merges them.
"""
from __future__ import annotations

import dataclasses
import importlib
import json
import pathlib
import time
from typing import Any

from absl import app
from absl import flags
from absl import logging
import jax

import lenet  # noqa: F401  (XLA flags before jax starts)
from lenet import paper
from lenet import pipeline
from lenet import train

@dataclasses.dataclass(frozen=True)
class Run:
  config: str                      # module in experiments/configs
  overrides: tuple[tuple[str, Any], ...]
  seed: int
  workdir: str                     # relative to the results root

  def build_config(self, extra=()):
    c = importlib.import_module(f"experiments.configs.{self.config}").get_config()
    for field, value in (*self.overrides, *extra):
      _set(c, field, value)
    c.seed = self.seed
    return c


def _set(config, dotted: str, value) -> None:
  *path, last = dotted.split(".")
  node = config
  for key in path:
    node = node[key]
  if last not in node:  # ml_collections would raise too; say which field
    raise KeyError(f"unknown config field {dotted!r}")
  current = node[last]
  if isinstance(value, str) and not isinstance(current, str):  # from the command line
    value = value.lower() in ("1", "true") if isinstance(current, bool) else type(current)(value)
  node[last] = value



# One change from the paper's recipe (configs/lenet5.py) each: name -> (config, overrides).
# The paper's unknowns first, then its design choices against modern alternatives.
ABLATIONS = {
    "loss.j=0.1": ("lenet5", (("loss.j", 0.1),)),
    "loss.j=10": ("lenet5", (("loss.j", 10.0),)),
    "rbf_polarity=ink_negative": ("lenet5", (("model.rbf_polarity", "ink_negative"),)),
    "bias_init=uniform": ("lenet5", (("model.bias_init", "uniform"),)),
    "output_curvature=loss": ("lenet5", (("optimizer.output_curvature", "loss"),)),
    "distortion=half": ("lenet5_dist", (("data.distortion.translate", 1.0),
                                        ("data.distortion.scale", 0.05),
                                        ("data.distortion.squeeze", 0.075),
                                        ("data.distortion.shear", 0.15))),
    "distortion=double": ("lenet5_dist", (("data.distortion.translate", 4.0),
                                          ("data.distortion.scale", 0.2),
                                          ("data.distortion.squeeze", 0.3),
                                          ("data.distortion.shear", 0.6))),
    "c3_table=full": ("lenet5", (("model.c3_table", "full"),)),
    "output=softmax": ("lenet5", (("model.output", "softmax"), ("loss.name", "cross_entropy"),
                                  ("optimizer.output_curvature", "loss"))),
    "activation=tanh": ("lenet5", (("model.activation", "tanh"),)),
    "activation=relu": ("lenet5", (("model.activation", "relu"),)),
    "pooling=average": ("lenet5", (("model.pooling", "average"),)),
    "pooling=max": ("lenet5", (("model.pooling", "max"),)),
    # The optimizer alone changes; the paper's eta schedule stays. SGD is then SDLM with every
    # h_kk = 0 and mu = 1. (SGD at a constant 0.01 saturated in pass 1: 91% test error, seed 0.)
    "optimizer=sgd": ("lenet5", (("optimizer.name", "sgd"),)),
    "optimizer=adam": ("lenet5", (("optimizer.name", "adam"),)),
    "batch_size=32": ("lenet5", (("train.batch_size", 32),)),
    "batch_size=256": ("lenet5", (("train.batch_size", 256),)),
    # Two changes, one question: minibatches with eta scaled by the batch size (the linear
    # scaling rule), so that a pass moves the weights about as far as 60,000 single steps.
    "batch_size=32,eta_scale=32": ("lenet5", (("train.batch_size", 32),
                                              ("optimizer.eta_scale", 32.0))),
    "batch_size=256,eta_scale=256": ("lenet5", (("train.batch_size", 256),
                                                ("optimizer.eta_scale", 256.0))),
    # our two deviations and the SDLM details they touch
    "mu=0.02": ("lenet5", (("optimizer.mu", 0.02),)),
    "mu=0.1": ("lenet5", (("optimizer.mu", 0.1),)),
    "mu=1.0": ("lenet5", (("optimizer.mu", 1.0),)),
    "mu=0.02,curvature_update=first_pass": ("lenet5", (("optimizer.mu", 0.02),
                                                       ("optimizer.curvature_update",
                                                        "first_pass"))),
    "weight_init=fan_in": ("lenet5", (("model.weight_init", "fan_in"),)),
    "weight_init=sqrt_fan_in": ("lenet5", (("model.weight_init", "sqrt_fan_in"),)),
    "order=reshuffle": ("lenet5", (("train.order", "reshuffle"),)),
}

# Fig. 6, LeNet-5 on the first n patterns: name -> overrides. Its 60,000 point is the paper
# sweep's lenet5 runs. The paper does not say whether a pass over a smaller set made n updates
# (our default) or as many as at 60,000; the `patterns_per_pass=60000` runs test the second.
TRAINSIZE = {
    "15000": (("data.train_size", 15_000),),
    "30000": (("data.train_size", 30_000),),
    "15000,patterns_per_pass=60000": (("data.train_size", 15_000),
                                      ("train.patterns_per_pass", 60_000)),
    "30000,patterns_per_pass=60000": (("data.train_size", 30_000),
                                      ("train.patterns_per_pass", 60_000)),
}
# The tutorial versions of LeNet-5 and LeNet-1 (configs/tutorial_*.py), beside the faithful rows.
TUTORIAL = ("tutorial_lenet5", "tutorial_lenet1")
# Choices made on the validation split (data.validation_size = 10,000 held out of the 60,000):
# name -> (config, overrides); each run trains on the other 50,000 and records validation_error.
SELECTION = {
    f"tutorial_lenet5/learning_rate={lr}": ("tutorial_lenet5", (("data.validation_size", 10_000),
                                                                ("optimizer.learning_rate", lr)))
    for lr in (0.01, 0.03, 0.1, 0.3)
}
# A check of the machinery in about a minute: two networks, 300 patterns, one pass.
SMOKE = (("lenet5", "lenet1"), (("data.train_size", 300), ("train.passes", 1)))
DEFAULT_SEEDS = {"paper": 5, "ablations": 3, "trainsize": 3, "smoke": 2, "tutorial": 5,
                 "selection": 2}
# Whether --vmap_seeds=auto vmaps, per backend. CPU: measured no faster on 2 cores (README,
# Speed); GPU and TPU: not measured yet, vmapped on the expectation that batch-1 steps leave
# them idle.
VMAP_SEEDS_DEFAULT = {"cpu": False, "gpu": True, "tpu": True}


def runs_of(sweep: str, seeds: int = 0) -> list[Run]:
  """The runs of a named sweep, in a fixed order (shards and resumption rely on it)."""
  if sweep not in DEFAULT_SEEDS:
    raise ValueError(f"unknown --sweep={sweep!r}; choose from {sorted(DEFAULT_SEEDS)}")
  seeds = seeds or DEFAULT_SEEDS[sweep]
  runs = []
  for seed in range(seeds):  # seed-major: a partial sweep has every configuration's first seeds
    if sweep == "paper":
      runs += [Run(n, (), seed, f"{n}/seed_{seed}") for n in paper.NETWORKS]
    elif sweep == "smoke":
      runs += [Run(n, SMOKE[1], seed, f"smoke/{n}/seed_{seed}") for n in SMOKE[0]]
    elif sweep == "tutorial":
      runs += [Run(n, (), seed, f"{n}/seed_{seed}") for n in TUTORIAL]
    elif sweep == "selection":
      runs += [Run(config, overrides, seed, f"selection/{name}/seed_{seed}")
               for name, (config, overrides) in SELECTION.items()]
    elif sweep == "ablations":
      runs += [Run(config, overrides, seed, f"ablations/{name}/seed_{seed}")
               for name, (config, overrides) in ABLATIONS.items()]
    else:
      runs += [Run("lenet5", overrides, seed, f"trainsize/{name}/seed_{seed}")
               for name, overrides in TRAINSIZE.items()]
  return runs


def shard(runs: list[Run], num_shards: int, shard_index: int) -> list[Run]:
  if not 0 <= shard_index < num_shards:
    raise ValueError(f"--shard_index={shard_index} is outside 0..{num_shards - 1}")
  return runs[shard_index::num_shards]


FAILURE_FILE = "failure.json"  # a diverged run: the error, instead of summary.json


def state(root: pathlib.Path, run: Run) -> str:
  d = root / run.workdir
  if (d / "summary.json").exists():
    return "finished"
  if (d / FAILURE_FILE).exists():
    return "diverged"
  return "started" if (d / "config.json").exists() else "pending"


def _reusing_network(config, root: pathlib.Path):
  """K-NN and Local adopt the finished network run of the same seed in this results root
  (results/<network>/seed_K, from the same sweep) instead of training it again."""
  if config.get("method") in ("knn", "local") and not config.neighbors.reuse:
    source = root / config.neighbors.network / f"seed_{config.seed}"
    if (source / "summary.json").exists():
      config.neighbors.reuse = str(source)
  return config


def groups_of(runs: list[Run], vmap: bool) -> list[list[Run]]:
  """Runs that train together: all seeds of one (config, overrides) when vmapping single
  networks, else one run per group. Groups keep the order of their first run."""
  if not vmap:
    return [[r] for r in runs]
  groups: dict[tuple, list[Run]] = {}
  for r in runs:
    method = r.build_config().get("method", "network")
    key = (r.config, r.overrides) if method == "network" else (r.workdir,)
    groups.setdefault(key, []).append(r)
  return list(groups.values())


class SweepIncomplete(RuntimeError):
  """Some runs stopped with an error other than divergence; they are retried on resumption."""


def _record_failure(workdir: pathlib.Path, error: Exception) -> None:
  train.write_json_atomic(workdir / FAILURE_FILE, {"error": type(error).__name__,
                                                   "message": str(error)})


def _train(group: list[Run], root: pathlib.Path, extra_overrides) -> list[dict]:
  """Trains a group; a diverged run gets a failure record (a result: the report shows it).
  A vmapped group that diverges is retried run by run, so each seed gets its own outcome."""
  configs = [_reusing_network(run.build_config(extra_overrides), root) for run in group]
  try:
    if len(group) > 1:
      return train.train_seeds(configs[0], [c.seed for c in configs],
                               [root / r.workdir for r in group], vmap=True)
    return [pipeline.run(configs[0], root / group[0].workdir)]
  except train.TrainingDiverged as e:
    if len(group) > 1:
      return [s for run in group for s in _train([run], root, extra_overrides)]
    logging.warning("%s diverged: %s", group[0].workdir, e)
    _record_failure(root / group[0].workdir, e)
    return []


def configuration_name(run: Run) -> str:
  """The name a run shares with the other seeds of its configuration: its directory's parent
  (`lenet5`, `loss.j=10`, `15000`)."""
  return pathlib.PurePosixPath(run.workdir).parent.name


def select(runs: list[Run], only) -> list[Run]:
  """The runs of the configurations named in `only` (all of them if it is empty)."""
  names = {configuration_name(r) for r in runs}
  if unknown := set(only) - names:
    raise ValueError(f"unknown --only {sorted(unknown)}; this sweep has {sorted(names)}")
  return [r for r in runs if not only or configuration_name(r) in only]


def run_sweep(sweep: str, root: pathlib.Path, seeds: int = 0, num_shards: int = 1,
              shard_index: int = 0, extra_overrides=(), dry_run: bool = False,
              vmap: bool = False, only=()) -> list[dict]:
  """Runs (or resumes) this shard's runs of the sweep; returns the finished runs' summaries.

  Diverged runs are recorded (FAILURE_FILE) and not retried. Any other error is logged and the
  sweep goes on with the next run; at the end SweepIncomplete names the runs it left unfinished,
  which resuming the sweep retries.
  """
  mine = shard(select(runs_of(sweep, seeds), only), num_shards, shard_index)
  summaries, errors = [], []
  for group in groups_of(mine, vmap):
    states = [state(root, run) for run in group]
    for run, status in zip(group, states):
      logging.info("%s: %s", run.workdir, status)
      if dry_run:
        print(f"{status:9s} {run.workdir}")
    if dry_run:
      continue
    if all(status in ("finished", "diverged") for status in states):
      summaries += [json.loads((root / r.workdir / "summary.json").read_text())
                    for r, status in zip(group, states) if status == "finished"]
      continue
    t0 = time.perf_counter()
    try:
      done = _train(group, root, extra_overrides)
    except Exception as e:  # noqa: BLE001  (the other runs of the sweep still run)
      logging.exception("%s stopped with an error; the sweep goes on", group[0].workdir)
      errors.append(f"{', '.join(r.workdir for r in group)}: {type(e).__name__}: {e}")
      continue
    for summary in done:
      logging.info("%s seed %d: test error %.2f%% (%.0f s for the group)", group[0].workdir,
                   summary["seed"], 100 * summary["test_error"], time.perf_counter() - t0)
    summaries += done
  if errors:
    raise SweepIncomplete(f"{len(errors)} run group(s) stopped with an error (resume the sweep "
                          "to retry them):\n" + "\n".join(errors))
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
  flags.DEFINE_string("sweep", None, "Name of the sweep: paper, ablations, trainsize, smoke.")
  flags.DEFINE_integer("seeds", 0, "Seeds per configuration (0: the sweep's default).")
  flags.DEFINE_string("results", "results", "Root directory of the run directories.")
  flags.DEFINE_integer("num_shards", 1, "Split the sweep into this many shards.")
  flags.DEFINE_integer("shard_index", 0, "Which shard this process runs.")
  flags.DEFINE_bool("dry_run", False, "List the runs and their state; train nothing.")
  flags.DEFINE_multi_string("only", [], "Run only this configuration of the sweep (repeatable), "
                            "e.g. --only=loss.j=10 --seeds=5 adds seeds 3-4 to one ablation.")
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
  app.run(main)
