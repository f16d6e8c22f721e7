"""Where the time of a batch-1 training step goes: the step taken apart, stage by stage.

    python -m experiments.tools.step_profile --config=experiments/configs/mlp300.py

Times four compiled `lax.scan`s of --steps single-pattern steps over random inputs (compile
excluded, the median of --repeats), each adding one stage to the one before:

  forward    the penalties and the criterion (Eq. 9), summed so that nothing is dropped
  +backward  the gradient, applied as plain SGD (w <- w - eta g)
  +SDLM      the paper's update instead, eta / (mu + h_kk) per parameter (Eq. 21)
  pass       the training pass the runs use (lenet/train/kernels.make_pass_fn): the pattern and
             label looked up by index, the error count and the divergence check added

One line per stage: microseconds per step and the difference from the stage before; then the
pass's ops per step (the instructions that do work in its compiled loop body: about the kernels a
step launches on a GPU, where launches, not arithmetic, bound a batch-1 step); then the
parameters' size, so that the bytes each step must move can be set beside its time.
"""
import re

from absl import flags
import jax
import jax.numpy as jnp
from ml_collections import config_flags
import optax

import lenet  # noqa: F401
from experiments import cli
from experiments.tools import timing
from lenet.nn import models
from lenet.optim import optimizers
from lenet.optim import sdlm
from lenet.train import kernels
from lenet.train import orders


def define_flags():
  """The command line's flags (defined here, not on import, so tests can import the module)."""
  config_flags.DEFINE_config_file("config", None, "Config file.")
  flags.DEFINE_integer("steps", 10_000, "Single-pattern steps per timed scan.")
  flags.DEFINE_integer("repeats", 5, "Timed scans per stage; the median is reported.")


def stages(config, n: int):
  """(the parameters, name -> (jitted function, its arguments)), in the module docstring's order
  of stages. SDLM configs only: the "+SDLM" stage is the config's optimizer."""
  if config.optimizer.name != "sdlm":
    raise ValueError(f"step_profile times SDLM's step; optimizer.name={config.optimizer.name!r}")
  model = models.build(config.model, seed=config.seed)
  fns, params = kernels.ModelFns.split(model)
  loss_fn = kernels.criterion(config)
  keys = jax.random.split(jax.random.PRNGKey(0), 2)
  x = timing.random_inputs(keys[0], (n, 1, *model.input_shape))
  y = jax.random.randint(keys[1], (n, 1), 0, 10)
  objective = lambda p, xi, yi: jnp.mean(loss_fn(fns.penalties(p, xi), yi))
  optimizer = optimizers.make(config.optimizer, n)
  h = jax.tree.map(lambda p: jnp.full_like(p, 0.01), params)  # any fixed curvature will do
  opt_state = sdlm.with_curvature(optimizer.init(params), h)
  eta = sdlm.PAPER_ETA[0]

  @jax.jit
  def forward(p, x, y):
    def step(carry, xy):  # the barrier keeps work on the parameters inside the loop, as it is
      p, s = jax.lax.optimization_barrier(carry)  # when they change every step
      return (p, s + objective(p, *xy)), None
    return jax.lax.scan(step, (p, jnp.float32(0)), (x, y))[0][1]

  @jax.jit
  def backward_sgd(p, x, y):
    def step(p, xy):
      g = jax.grad(objective)(p, *xy)
      return jax.tree.map(lambda w, gw: w - eta * gw, p, g), None
    return jax.lax.scan(step, p, (x, y))[0]

  @jax.jit
  def backward_sdlm(p, state, x, y):
    def step(carry, xy):
      p, state = carry
      updates, state = optimizer.update(jax.grad(objective)(p, *xy), state, p)
      return (optax.apply_updates(p, updates), state), None
    return jax.lax.scan(step, (p, state), (x, y))[0]

  run_pass = kernels.make_pass_fn(fns, loss_fn, optimizer)
  steps = orders.steps_of(orders.pattern_order(0, n, 0, "fixed"), 1)
  images, labels = x[:, 0], y[:, 0]
  copy = lambda t: jax.tree.map(jnp.copy, t)  # run_pass donates its parameters and state
  return params, {
      "forward": (forward, (params, x, y)),
      "+backward": (backward_sgd, (params, x, y)),
      "+SDLM": (backward_sdlm, (params, opt_state, x, y)),
      "pass": (lambda *a: run_pass(*copy(a[:2]), *a[2:]),
               (params, opt_state, steps, images, labels)),
  }


# Instructions of compiled HLO that move no data and launch nothing.
_FREE_OPS = {"parameter", "get-tuple-element", "tuple", "constant", "bitcast",
             "opt-barrier", "after-all", "partition-id", "replica-id"}
_INSTRUCTION = re.compile(r"^\s*(?:ROOT\s+)?%?[\w.\-]+ = .*? ([a-z][\w\-]*)\(")
_COMPUTATION = re.compile(r"^(?:ENTRY\s+)?%?([\w.\-]+)\s.*\{\s*$")
_WHILE_BODY = re.compile(r"\swhile\(.*\bbody=%?([\w.\-]+)")


def ops_per_step(hlo_text: str) -> int:
  """The instructions that do work (fusions, library calls, copies, loops...) in the body of the
  compiled training loop (the largest while body): roughly the kernels each step launches on a
  GPU, where each costs a launch whatever its size."""
  bodies, ops, current = set(), {}, None
  for line in hlo_text.splitlines():
    if (m := _COMPUTATION.match(line)) and not line.startswith(" "):
      current = m.group(1)
      ops[current] = 0
    elif current and (m := _INSTRUCTION.match(line)):
      ops[current] += m.group(1) not in _FREE_OPS
      if b := _WHILE_BODY.search(line):
        bodies.add(b.group(1))
  if not bodies:
    raise ValueError("the compiled HLO has no while loop")
  return max(ops.get(b, 0) for b in bodies)


def main(argv):
  del argv
  config, n = flags.FLAGS.config, flags.FLAGS.steps
  params, timed = stages(config, n)
  before = 0.0
  for name, (fn, args) in timed.items():
    us = 1e6 * timing.median_seconds(lambda: fn(*args), flags.FLAGS.repeats) / n
    print(f"{config.network} {name:10s} us_per_step={us:7.2f}  added={us - before:+7.2f}")
    before = us
  fn, args = timed["pass"]
  hlo = jax.jit(fn).lower(*args).compile().as_text()
  print(f"{config.network} pass      ops_per_step={ops_per_step(hlo)} (the compiled loop body's "
        "fusions, library calls and copies: about the kernels a step launches)")
  count = sum(p.size for p in jax.tree.leaves(params))
  print(f"{config.network} params={count} bytes={4 * count} backend={jax.default_backend()} "
        f"devices={jax.device_count()}")


if __name__ == "__main__":
  define_flags()
  flags.mark_flag_as_required("config")
  cli.run(main)
