"""Recomputes a run's test error from its params.msgpack alone (no training, no checkpoint).

    python -m experiments.evaluate --workdir=results/lenet5/seed_0 [--add_rejection]

The model is rebuilt from the run's own config.json. --add_rejection writes the Fig. 10 measure
(lenet/evaluation.py) into a summary.json that predates it (runs of a single network).
"""
import json
import pathlib

from absl import app
from absl import flags
import ml_collections

import lenet  # noqa: F401
from lenet import evaluation
from lenet import train

_WORKDIR = flags.DEFINE_string("workdir", None, "Run directory with config.json and params.msgpack.")
_DATA_DIR = flags.DEFINE_string("data_dir", "", "Override data.dir of the run's config.")
_ADD_REJECTION = flags.DEFINE_bool("add_rejection", False,
                                   "Add the rejection measure to summary.json if it lacks it.")


def main(argv):
  del argv
  workdir = pathlib.Path(_WORKDIR.value)
  config = ml_collections.ConfigDict(json.loads((workdir / "config.json").read_text()))
  if _DATA_DIR.value:
    config.data.dir = _DATA_DIR.value
  penalties, labels = train.test_penalties_from_params_file(config, workdir)
  error = float((penalties.argmin(1) != labels).mean())
  if _ADD_REJECTION.value:
    summary = json.loads((workdir / "summary.json").read_text())
    if summary["test_error"] != error:
      raise ValueError(f"{workdir}: params.msgpack gives {error}, summary.json says "
                       f"{summary['test_error']}; not updating")
    summary.update(evaluation.rejection_summary(penalties, labels))
    train.write_json_atomic(workdir / "summary.json", summary)
  recorded = json.loads((workdir / "summary.json").read_text())["test_error"] \
      if (workdir / "summary.json").exists() else None
  print(f"test error {100 * error:.2f}% ({round(error * 10000)} of 10,000)"
        + (f"; the run recorded {100 * recorded:.2f}%" if recorded is not None else ""))


if __name__ == "__main__":
  flags.mark_flag_as_required("workdir")
  app.run(main)
