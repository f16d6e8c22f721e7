"""Recomputes a run's test error from its params.msgpack alone (no training, no checkpoint).

    python -m experiments.evaluate --workdir=results/lenet5/seed_0

The model is rebuilt from the run's own config.json.
"""
import json
import pathlib

from absl import app
from absl import flags
import ml_collections

import lenet  # noqa: F401
from lenet import train

_WORKDIR = flags.DEFINE_string("workdir", None, "Run directory with config.json and params.msgpack.")
_DATA_DIR = flags.DEFINE_string("data_dir", "", "Override data.dir of the run's config.")


def main(argv):
  del argv
  workdir = pathlib.Path(_WORKDIR.value)
  config = ml_collections.ConfigDict(json.loads((workdir / "config.json").read_text()))
  if _DATA_DIR.value:
    config.data.dir = _DATA_DIR.value
  error = train.evaluate_params_file(config, workdir)
  recorded = json.loads((workdir / "summary.json").read_text())["test_error"] \
      if (workdir / "summary.json").exists() else None
  print(f"test error {100 * error:.2f}% ({round(error * 10000)} of 10,000)"
        + (f"; the run recorded {100 * recorded:.2f}%" if recorded is not None else ""))


if __name__ == "__main__":
  flags.mark_flag_as_required("workdir")
  app.run(main)
