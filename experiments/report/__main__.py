"""Regenerates every report file from the run directories (experiments/report/__init__.py).

    python -m experiments.report [--results=results] [--readme=README.md]
"""
import pathlib

from absl import flags

import lenet  # noqa: F401  (XLA flags before jax starts)
from experiments import cli
from experiments import report

_RESULTS = flags.DEFINE_string("results", "results", "Directory of <network>/seed_* runs.")
_README = flags.DEFINE_string("readme", "README.md", "Top-level README whose results block to "
                              "update ('' to leave it).")


def main(argv):
  del argv
  for path in report.write_all(pathlib.Path(_RESULTS.value),
                               pathlib.Path(_README.value) if _README.value else None):
    print(f"wrote {path}")


if __name__ == "__main__":
  cli.run(main)
