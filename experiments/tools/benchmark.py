"""Training throughput of a config: images per second of the compiled pass, compile excluded.

    python -m experiments.tools.benchmark --config=experiments/configs/lenet5.py \
        --config.train.batch_size=32 [--images=20000] [--seeds=8]

--checkpoint_saves=N times N pass-boundary checkpoint saves instead (lenet.rundir.Checkpoints,
and orbax's CheckpointManager as earlier versions saved them): `npz_ms=... orbax_ms=...`.

--seeds=S > 1 times S seeds trained together (jax.vmap over the seed axis, as
`experiments.sweep --vmap_seeds`) and reports seed-images per second: S x images / time.

Times one training pass (lax.scan of optimizer steps, data on the device) over --images random
inputs of the model's input shape (throughput does not depend on the pixel values), after a
warm-up call of the same shapes that compiles it. The last line is `img_per_s=N`.
"""
import pathlib
import tempfile
import time

from absl import flags
import jax
import numpy as np
from ml_collections import config_flags

import lenet  # noqa: F401
from experiments import cli
from experiments.tools import timing
from lenet import rundir
from lenet.nn import models
from lenet.optim import optimizers
from lenet.optim import sdlm
from lenet.train import kernels
from lenet.train import multiseed
from lenet.train import orders

_CONFIG = config_flags.DEFINE_config_file("config", None, "Config file.")
_IMAGES = flags.DEFINE_integer("images", 0, "Images per timed pass (0: 10,000 at batch 1, "
                               "60,000 otherwise).")
_REPEATS = flags.DEFINE_integer("repeats", 3, "Timed passes; the median is reported.")
_SEEDS = flags.DEFINE_integer("seeds", 1, "Seeds trained together (vmapped) in the timed pass.")
_EVALUATE = flags.DEFINE_bool("evaluate", False, "Time the per-pass evaluation (penalties of "
                              "--images patterns, kernels.make_penalties_fn) instead of training.")
_CHECKPOINTS = flags.DEFINE_integer(
    "checkpoint_saves", 0, "Time this many pass-boundary checkpoint saves of the config's "
    "(parameters, optimizer state) instead of training: lenet.rundir.Checkpoints (npz) and "
    "orbax's CheckpointManager, which earlier versions used.")


def measure(config, images: int, repeats: int, seeds: int = 1) -> float:
  b = config.train.batch_size
  n = images or (10_000 if b == 1 else 60_000)
  model = models.build(config.model, seed=config.seed)
  fns, params = kernels.ModelFns.split(model)
  keys = jax.random.split(jax.random.PRNGKey(0), 2)
  x = timing.random_inputs(keys[0], (n, *model.input_shape))
  y = jax.random.randint(keys[1], (n,), 0, 10)
  optimizer = optimizers.make(config.optimizer, -(-n // b))
  opt_state = optimizer.init(params)
  if config.optimizer.name == "sdlm":
    h = kernels.make_curvature_fn(fns, kernels.criterion(config),
                                  config.optimizer.output_curvature)(params, x[:500], y[:500])
    opt_state = sdlm.with_curvature(opt_state, h)
  # Seeds vmaps the pass over a leading seed axis when seeds > 1, each seed its own order.
  group = multiseed.Seeds(fns, kernels.criterion(config), optimizer, config, None, seeds)
  state = group.join([(params, opt_state)] * seeds)
  steps = [orders.steps_of(orders.pattern_order(s, n, 0, "fixed"), b) for s in range(seeds)]
  carried = [state]  # each pass trains on from the last (the pass donates its state)

  def one_pass():
    carried[0], _ = group.run_pass(carried[0], steps, x, y)
    return carried[0]
  return sum(s.size for s in steps) / timing.median_seconds(one_pass, repeats)  # seed-images


def measure_evaluation(config, images: int, repeats: int) -> float:
  """Images per second of the jitted evaluation (penalties of every pattern), compile excluded."""
  n = images or 60_000
  model = models.build(config.model, seed=config.seed)
  fns, params = kernels.ModelFns.split(model)
  x = timing.random_inputs(jax.random.PRNGKey(0), (n, *model.input_shape))
  penalties_of = kernels.make_penalties_fn(fns, config.train.eval_batch_size)
  return n / timing.median_seconds(lambda: penalties_of(params, x), repeats)


def measure_checkpoints(config, saves: int) -> dict[str, float]:
  """Milliseconds per save, into fresh directories, of Checkpoints and of orbax (keep 2)."""
  import orbax.checkpoint as ocp  # noqa: PLC0415  (the reference only)
  model = models.build(config.model, seed=config.seed)
  fns, params = kernels.ModelFns.split(model)
  state = (params, optimizers.make(config.optimizer, 1).init(params))
  leaves = {f"{i:04d}": np.asarray(x) for i, x in enumerate(jax.tree.leaves(state))}
  with tempfile.TemporaryDirectory() as tmp:
    ours = rundir.Checkpoints(pathlib.Path(tmp) / "npz")
    t0 = time.perf_counter()
    for p in range(saves):
      ours.save(p + 1, state)
    t1 = time.perf_counter()
    with ocp.CheckpointManager(pathlib.Path(tmp, "orbax").resolve(), options=(
        ocp.CheckpointManagerOptions(max_to_keep=2, create=True))) as manager:
      t2 = time.perf_counter()
      for p in range(saves):
        manager.save(p + 1, args=ocp.args.StandardSave(leaves))
        manager.wait_until_finished()
      t3 = time.perf_counter()
  return {"npz": 1e3 * (t1 - t0) / saves, "orbax": 1e3 * (t3 - t2) / saves}


def main(argv):
  del argv
  config = _CONFIG.value
  if _CHECKPOINTS.value:
    ms = measure_checkpoints(config, _CHECKPOINTS.value)
    print(f"checkpoint saves={_CHECKPOINTS.value} network={config.network} "
          f"npz_ms={ms['npz']:.2f} orbax_ms={ms['orbax']:.2f}")
    return
  if _EVALUATE.value:
    rate = measure_evaluation(config, _IMAGES.value, _REPEATS.value)
    print(f"backend={jax.default_backend()} evaluation eval_batch_size="
          f"{config.train.eval_batch_size}")
    print(f"img_per_s={rate:.0f}")
    return
  rate = measure(config, _IMAGES.value, _REPEATS.value, _SEEDS.value)
  print(f"backend={jax.default_backend()} batch={config.train.batch_size} "
        f"optimizer={config.optimizer.name} seeds={_SEEDS.value}")
  print(f"img_per_s={rate:.0f}")


if __name__ == "__main__":
  flags.mark_flag_as_required("config")
  cli.run(main)
