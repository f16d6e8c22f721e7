"""Reading the run directories of a results root: runs, their outcomes, mean and spread."""
from __future__ import annotations

import json
import pathlib

import numpy as np

from lenet import rundir


def _load(results: pathlib.Path, network: str, outcome: str) -> list[dict]:
  """The runs results/<network>/seed_* whose `outcome` file ("summary" or "failure") exists, each
  with that file, its config and versions, under the outcome's name."""
  runs = []
  for run in sorted((results / network).glob("seed_*")):
    if outcome == "failure" and (run / rundir.SUMMARY).exists():
      continue  # finished after all (a rerun): not a failure
    if (run / f"{outcome}.json").exists():
      runs.append({"dir": run.relative_to(results).as_posix(), "path": run,
                   outcome: rundir.read_json(run / f"{outcome}.json"),
                   "config": rundir.read_json(run / rundir.CONFIG),
                   "versions": rundir.read_json(run / rundir.VERSIONS)})
  return runs


def load_runs(results: pathlib.Path, network: str) -> list[dict]:
  return _load(results, network, "summary")


def load_diverged(results: pathlib.Path, network: str) -> list[dict]:
  """Runs that stopped because the loss diverged (experiments/sweep.py, failure.json)."""
  return _load(results, network, pathlib.Path(rundir.FAILURE).stem)


def mean_std(values) -> tuple[float, float | None]:
  """Mean and sample standard deviation; None for the spread of a single value."""
  v = np.asarray(values, float)
  return float(v.mean()), float(v.std(ddof=1)) if len(v) > 1 else None


def pm(mean: float, std: float | None, fmt: str = ".2f") -> str:
  return f"{mean:{fmt}} +- {std:{fmt}}" if std is not None else f"{mean:{fmt}} (one run)"


def spread(mean: float, std: float | None, deterministic: bool, fmt: str = ".2f") -> str:
  """pm, or the one run of a deterministic configuration (nothing random), which says so."""
  return f"{mean:{fmt}} (deterministic)" if deterministic else pm(mean, std, fmt)


def seed_seconds(summary: dict) -> float:
  """A run's wall time as if on its own: a reduced SVM that took its machine from an earlier
  seed in the same process (lenet/methods/svm.py) is charged that machine's fit."""
  return summary["wall_time_s"] + (summary["machine_fit_s"] if summary.get("machine_reused")
                                   else 0.0)


def commits(runs: list[dict]) -> list[str]:
  """The short commits the runs were made at, sorted."""
  return sorted({r["versions"].get("git_commit", "unknown")[:12] for r in runs})


def runs_of_config(results: pathlib.Path, directories, config) -> tuple[str, list[dict]]:
  """Of `directories` (under results), the one whose finished runs' config is nearest to
  `config` (ml_collections): the fewest fields that differ, seed aside, the first on a tie; its
  runs. The caller shows what differs. ("", []) if none has runs."""
  current = json.loads(config.to_json())
  target = leaves(rundir.identity(current))
  best = ("", [], None)
  for directory in directories:
    runs = load_runs(results, directory)
    if not runs:
      continue
    recorded = leaves(rundir.identity(rundir.with_new_fields(runs[0]["config"], current)))
    differ = sum(recorded.get(k) != v for k, v in target.items() if k != "seed")
    if best[2] is None or differ < best[2]:
      best = (directory, runs, differ)
  return best[0], best[1]


def leaves(tree: dict, prefix: str = "") -> dict:
  """A nested dict flattened to dotted keys."""
  out = {}
  for key, value in tree.items():
    out.update(leaves(value, f"{prefix}{key}.") if isinstance(value, dict)
               else {f"{prefix}{key}": value})
  return out
