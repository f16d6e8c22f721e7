"""Recomputes a run's test error from its params.msgpack alone (no training, no checkpoint).

    python -m experiments.tools.evaluate --workdir=results/lenet5/seed_0

The network is rebuilt from the run's own config.json (lenet.load_run).
"""
from absl import flags

import lenet
from experiments import cli

_WORKDIR = flags.DEFINE_string("workdir", None, "Run directory with config.json and params.msgpack.")
_DATA_DIR = flags.DEFINE_string("data_dir", "", "Override data.dir of the run's config.")


def main(argv):
  del argv
  net = lenet.load_run(_WORKDIR.value)
  images, labels = lenet.read_mnist("test", _DATA_DIR.value or net.config.data.dir)
  wrong = int((net.classify(images) != labels).sum())
  summary = lenet.rundir.RunDir(_WORKDIR.value).summary()
  print(f"test error {100 * wrong / len(labels):.2f}% ({wrong} of {len(labels):,})"
        + (f"; the run recorded {100 * summary['test_error']:.2f}%" if summary else ""))


if __name__ == "__main__":
  flags.mark_flag_as_required("workdir")
  cli.run(main)
