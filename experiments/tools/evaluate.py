"""Recomputes a run's test error from its params.msgpack alone (no training, no checkpoint).

    python -m experiments.tools.evaluate --workdir=results/lenet5/seed_0

The network is rebuilt from the run's own config.json (lenet.load_run) and evaluated on the
test set of the run's own data config (source, directory, checksums, input format).
"""
from absl import flags
import jax.numpy as jnp
import numpy as np

import lenet
from experiments import cli
from lenet import rundir
from lenet.data import dataset as dataset_lib
from lenet.train import kernels

_WORKDIR = flags.DEFINE_string("workdir", None, "Run directory: config.json, params.msgpack.")
_DATA_DIR = flags.DEFINE_string("data_dir", "", "Override data.dir of the run's config.")


def main(argv):
  del argv
  net = lenet.load_run(_WORKDIR.value)
  config = net.config
  if _DATA_DIR.value:
    config.data.dir = _DATA_DIR.value
  test = dataset_lib.load(config.data)
  penalties = kernels.make_penalties_fn(net.fns, config.train.eval_batch_size)(
      net.params, jnp.asarray(test.test_images))
  wrong = int((np.asarray(penalties).argmin(1) != test.test_labels).sum())
  summary = rundir.RunDir(_WORKDIR.value).summary()
  print(f"test error {100 * wrong / len(test.test_labels):.2f}% ({wrong} of "
        f"{len(test.test_labels):,})"
        + (f"; the run recorded {100 * summary['test_error']:.2f}%" if summary else ""))


if __name__ == "__main__":
  flags.mark_flag_as_required("workdir")
  cli.run(main)
