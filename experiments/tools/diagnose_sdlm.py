"""Per-layer saturation and SDLM curvature of a run at a pass boundary, from its checkpoint.

    python -m experiments.tools.diagnose_sdlm --workdir=DIR --after_pass=1

For each layer: the share of pre-activations with |a| > 3 on 2,000 training patterns (where the
scaled tanh is flat), and the minimum and median h_kk over its parameters, estimated on the
500 patterns that would precede the next pass, with the step size eta/(mu+h) they imply. This is
how the README's explanation of the mu deviation was found. The run directory must still hold the
checkpoint (the last two are kept).
"""

from absl import flags
import jax.numpy as jnp
import numpy as np

import lenet  # noqa: F401
from experiments import cli
from lenet import rundir
from lenet.data import dataset as dataset_lib
from lenet.nn import models
from lenet.optim import optimizers
from lenet.train import kernels
from lenet.train import orders

_WORKDIR = flags.DEFINE_string("workdir", None, "Run directory.")
_AFTER_PASS = flags.DEFINE_integer("after_pass", 1, "Checkpoint to inspect (0: initialization).")


def saturation(model, x, threshold: float = 3.0) -> list[float]:
  _, pre, _ = model.trace(x)
  return [float(jnp.mean(jnp.abs(a) > threshold)) for a in pre]


def main(argv):
  del argv
  run = rundir.RunDir(_WORKDIR.value)
  config = run.config()
  dataset = dataset_lib.load(config.data)
  images, labels = jnp.asarray(dataset.train_images), jnp.asarray(dataset.train_labels)
  fns, params = kernels.ModelFns.split(models.build(config.model, seed=config.seed))
  p = _AFTER_PASS.value
  if p:
    optimizer = optimizers.make(config.optimizer, 1)
    checkpoints = run.checkpoints()
    params, _ = checkpoints.restore(p, (params, optimizer.init(params)))
    checkpoints.close()
  sample = orders.curvature_sample(config.seed, dataset.num_train, p,
                                   config.optimizer.curvature_samples)
  h = kernels.make_curvature_fn(fns, kernels.criterion(config),
                                config.optimizer.output_curvature)(params, images[sample],
                                                                   labels[sample])
  model = fns.model(params)
  shares = saturation(model, images[:2000])
  eta = optimizers.pass_learning_rate(config.optimizer, p)
  mu = config.optimizer.mu
  print(f"after pass {p}: eta={eta:g} mu={mu:g}")
  print(f"{'layer':6s} {'|a|>3':>7s} {'param':12s} {'min h':>9s} {'median h':>9s} {'max step':>9s}")
  for i, layer in enumerate(model.layers):
    for name, v in sorted(h["layers"][i].items()):
      values = np.asarray(v[...]).ravel()
      values = values[values > 0]  # masked kernel entries are not parameters
      if not values.size:  # saturated everywhere: every h_kk is 0, every step eta/mu
        print(f"{layer.name:6s} {100 * shares[i]:6.1f}% {name:12s} {'all 0':>9s} {'all 0':>9s} "
              f"{eta / mu:9.1e}")
        continue
      print(f"{layer.name:6s} {100 * shares[i]:6.1f}% {name:12s} {values.min():9.1e} "
            f"{np.median(values):9.1e} {eta / (mu + values.min()):9.1e}")


if __name__ == "__main__":
  flags.mark_flag_as_required("workdir")
  cli.run(main)
