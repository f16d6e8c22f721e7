"""Trains one Fig. 9 classifier from a config file into a run directory (resuming if it can).

    python -m experiments.train --config=experiments/configs/lenet5.py --workdir=runs/lenet5 \
        [--config.seed=1] [--config.train.passes=2] [--config.data.train_size=5000]

Every field and the data are checked before anything is written: a bad field or value is one
line naming it (experiments/cli.py), and the corrected command runs in the same --workdir.
"""
import json

from absl import flags
from ml_collections import config_flags

import lenet  # noqa: F401  (XLA flags before jax starts)
from experiments import cli
from lenet import methods
from lenet import paper
from lenet import rundir

_CONFIG = config_flags.DEFINE_config_file("config", None, "Config file (ml_collections).")
_WORKDIR = flags.DEFINE_string("workdir", None, "Run directory.")


def main(argv):
  del argv
  config = _CONFIG.value
  summary = methods.run(config, _WORKDIR.value)
  if rundir.held_out(summary) == "validation":  # a selection run: its test error is not shown
    print(json.dumps({k: v for k, v in summary.items() if not k.startswith("test_")}, indent=2))
    print(f"validation error {100 * summary['validation_error']:.2f}% "
          f"({summary['validation_size']:,} patterns held out)")
    return
  print(json.dumps(summary, indent=2))
  reported = paper.test_error_pct(config.network)
  print(f"test error {100 * summary['test_error']:.2f}% ({summary['test_errors']} of 10,000)"
        + (f"; paper {reported:.2f}%" if reported is not None else ""))


if __name__ == "__main__":
  flags.mark_flags_as_required(["config", "workdir"])
  cli.run(main)
