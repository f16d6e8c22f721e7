"""One network trained by the paper's recipe (lenet/train/fit.py): LeNet-1, LeNet-4, LeNet-5,
[dist] LeNet-5, their ablations and the tutorial versions differ only in config fields."""
from __future__ import annotations

from absl import logging

from lenet import errors
from lenet import rundir
from lenet.data import dataset as dataset_lib
from lenet.data import distortions
from lenet.data import preprocess
from lenet.nn import counts
from lenet.nn import losses
from lenet.nn import models
from lenet.optim import optimizers
from lenet.train import fit
from lenet.train import kernels
from lenet.train import multiseed
from lenet.train import orders


def check(config) -> None:
  """Every field a network run reads, checked before anything is loaded or written."""
  models.build(config.model, seed=0)
  losses.get(config.loss.name)
  optimizers.check(config.optimizer, config.model.output)
  tc, dc = config.train, config.data
  if tc.order not in orders.ORDERS:
    raise ValueError(f"unknown train.order={tc.order!r}; choose from {orders.ORDERS}")
  for field in ("passes", "batch_size", "eval_batch_size"):
    if tc[field] < 1:
      raise ValueError(f"train.{field} must be at least 1, got {tc[field]}")
  if tc.patterns_per_pass < 0:
    raise ValueError("train.patterns_per_pass must be 0 (the training set's size) or positive, "
                     f"got {tc.patterns_per_pass}")
  dataset_lib.check(dc)
  side = preprocess.SIDE.get(dc.input_format, 28)
  if (shape := models.build(config.model, seed=0).input_shape)[0] != side:
    raise ValueError(f"model {config.model.name} takes {shape[0]}x{shape[1]} images; "
                     f"data.input_format={dc.input_format!r} makes {side}x{side}")
  distortions.check(dc.distortion)


def run(config, run_dir: rundir.RunDir, dataset=None, subset=None) -> dict:
  """Trains (or resumes) the network of `config` into `run_dir`; returns its summary."""
  return run_seeds(config, [config.seed], [run_dir], dataset, subset)[0]


def run_seeds(config, seeds, run_dirs, dataset=None, subset=None, vmap: bool = False):
  """`run` for several seeds of one config, each into its own run directory.

  vmap=False: one after another. vmap=True: the unfinished seeds train together in one compiled
  computation (lenet/train/multiseed.py); each run directory ends up with the same files
  (summary.json records `vmapped_with`). Every config and directory is checked, and the data
  loaded, before anything is written.
  """
  configs = []
  for seed in seeds:
    c = config.copy_and_resolve_references()
    c.seed = seed
    with errors.config_checks():
      check(c)
    configs.append(c)
  runs = [rundir.RunDir(r) for r in run_dirs]
  for c, r in zip(configs, runs):
    r.check(c)
  summaries = [r.summary() for r in runs]
  todo = [i for i, s in enumerate(summaries) if s is None]
  for i in set(range(len(runs))) - set(todo):
    logging.info("%s has finished; not training again.", runs[i])
  if not todo:
    return summaries
  dataset = dataset or dataset_lib.load(config.data)
  for i in todo:
    runs[i].claim(configs[i])
  for group in _groups(todo, runs, vmap and multiseed.can_vmap(config)):
    done = fit.fit([configs[i] for i in group], [runs[i] for i in group], dataset, subset)
    for i, summary in zip(group, done):
      summaries[i] = summary
  return summaries


def _groups(todo: list[int], runs, vmap: bool) -> list[list[int]]:
  """Runs that train together: all of them with vmap, unless their checkpoints stopped at
  different passes (then, and without vmap, one by one)."""
  if not vmap or len(todo) < 2:
    return [[i] for i in todo]
  starts = set()
  for i in todo:
    ckpt = runs[i].checkpoints()
    starts.add(ckpt.latest() or 0)
    ckpt.close()
  return [todo] if len(starts) == 1 else [[i] for i in todo]


def load(config, run_dir) -> tuple[kernels.ModelFns, object]:
  """The model of `config` and the trained weights in the run directory."""
  fns, template = kernels.ModelFns.split(models.build(config.model, seed=config.seed))
  return fns, rundir.RunDir(run_dir).load_params(template)


def cost(config) -> dict:
  """Parameters, connections, multiply-accumulates (lenet/nn/counts.py); memory = parameters."""
  total = counts.totals(counts.layer_costs(models.build(config.model, seed=0)))
  return {**total, "memory": total["params"]}
