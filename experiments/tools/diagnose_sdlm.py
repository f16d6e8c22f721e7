"""Per-layer saturation and SDLM curvature of a run at a pass boundary, from its checkpoint.

    python -m experiments.tools.diagnose_sdlm --workdir=DIR --after_pass=1 \
        [--json=steps.json] [--histogram=steps.png]

For each layer: the share of pre-activations with |a| > 3 on 2,000 training patterns (where the
scaled tanh is flat), and the minimum and median h_kk over its parameters, estimated on the
500 patterns that would precede the next pass, with the step size eta/(mu+h) they imply. This is
how the README's explanation of the mu deviation was found. --json writes the step sizes'
quantiles per layer and their median over every parameter (results/sdlm: the rate that plain
SGD is given to match SDLM); --histogram one histogram of log10 step size per layer. The run
directory must still hold the checkpoint (the last two are kept).
"""
import json
import pathlib

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
_JSON = flags.DEFINE_string("json", "", "Also write the step sizes' quantiles here.")
_HISTOGRAM = flags.DEFINE_string("histogram", "", "Also write per-layer histograms here (PNG).")


def saturation(model, x, threshold: float = 3.0) -> list[float]:
  _, pre, _ = model.trace(x)
  return [float(jnp.mean(jnp.abs(a) > threshold)) for a in pre]


def curvature_at(run: rundir.RunDir, p: int):
  """(model, h, shares, eta, mu): the weights after pass p (0: initialization), h_kk on the 500
  patterns that precede pass p + 1, each layer's saturated share on 2,000 training patterns."""
  config = run.config()
  dataset = dataset_lib.load(config.data)
  images, labels = jnp.asarray(dataset.train_images), jnp.asarray(dataset.train_labels)
  fns, params = kernels.ModelFns.split(models.build(config.model, seed=config.seed))
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
  return (model, h, saturation(model, images[:2000]),
          optimizers.pass_learning_rate(config.optimizer, p), config.optimizer.mu)


def main(argv):
  del argv
  p = _AFTER_PASS.value
  model, h, shares, eta, mu = curvature_at(rundir.RunDir(_WORKDIR.value), p)
  print(f"after pass {p}: eta={eta:g} mu={mu:g}")
  print(f"{'layer':6s} {'|a|>3':>7s} {'param':12s} {'min h':>9s} {'median h':>9s} {'max step':>9s}")
  steps = {}
  for i, layer in enumerate(model.layers):
    for name, v in sorted(h["layers"][i].items()):
      values = np.asarray(v[...]).ravel()
      values = values[values > 0]  # masked kernel entries are not parameters
      steps.setdefault(layer.name, []).append(eta / (mu + values))
      if not values.size:  # saturated everywhere: every h_kk is 0, every step eta/mu
        print(f"{layer.name:6s} {100 * shares[i]:6.1f}% {name:12s} {'all 0':>9s} {'all 0':>9s} "
              f"{eta / mu:9.1e}")
        continue
      print(f"{layer.name:6s} {100 * shares[i]:6.1f}% {name:12s} {values.min():9.1e} "
            f"{np.median(values):9.1e} {eta / (mu + values.min()):9.1e}")
  steps = {layer: np.concatenate(v) for layer, v in steps.items()}
  if _JSON.value:
    write_quantiles(pathlib.Path(_JSON.value), steps, eta, mu, p)
  if _HISTOGRAM.value:
    histogram(pathlib.Path(_HISTOGRAM.value), steps, eta, mu, p)


def write_quantiles(path: pathlib.Path, steps: dict, eta: float, mu: float, p: int) -> None:
  """Per layer and over every parameter: the step sizes' 5/50/95% quantiles, and the median
  over eta (the factor that gives SGD SDLM's median step)."""
  everything = np.concatenate(list(steps.values()))
  q = lambda x: dict(zip(("q05", "median", "q95"),  # noqa: E731
                         (float(v) for v in np.quantile(x, [0.05, 0.5, 0.95]))))
  path.write_text(json.dumps({
      "after_pass": p, "eta": eta, "mu": mu, "eta_over_mu": eta / mu,
      "median_step_over_eta": float(np.median(everything) / eta),
      "all": q(everything), "layers": {k: q(v) for k, v in steps.items()}},
      indent=2, sort_keys=True) + "\n")


def histogram(path: pathlib.Path, steps: dict, eta: float, mu: float, p: int) -> None:
  import matplotlib  # pylint: disable=g-import-not-at-top
  matplotlib.use("Agg")
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  fig, axes = plt.subplots(1, len(steps), figsize=(2.2 * len(steps), 2.4), sharex=True)
  bins = np.linspace(np.log10(eta / mu) - 4, np.log10(eta / mu) + 0.5, 46)
  for ax, (layer, v) in zip(axes, steps.items()):
    ax.hist(np.log10(v), bins=bins, color="tab:blue")
    ax.axvline(np.log10(eta / mu), color="tab:red", ls="--", lw=1)
    ax.set_title(f"{layer} ({len(v):,})", fontsize=9)
    ax.set_yticks([])
  axes[0].set_xlabel("log10 step eta/(mu+h)")
  fig.suptitle(f"SDLM step sizes after pass {p}, mu = {mu:g} (red: eta/mu)", fontsize=10)
  fig.tight_layout()
  fig.savefig(path, dpi=100, metadata={"Software": None})
  plt.close(fig)


if __name__ == "__main__":
  flags.mark_flag_as_required("workdir")
  cli.run(main)
