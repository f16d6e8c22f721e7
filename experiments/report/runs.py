"""Reading the run directories of a results root: runs, their outcomes, mean and spread."""
from __future__ import annotations

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


def commits(runs: list[dict]) -> list[str]:
  """The short commits the runs were made at, sorted."""
  return sorted({r["versions"].get("git_commit", "unknown")[:12] for r in runs})


def runs_of_config(results: pathlib.Path, directories, config) -> tuple[str, list[dict]]:
  """The first of `directories` (under results) whose finished runs were all made with `config`
  (ml_collections; any seed), and its runs; ("", []) if none."""
  for directory in directories:
    runs = load_runs(results, directory)
    if runs and all(_made_with(r["config"], config) for r in runs):
      return directory, runs
  return "", []


def _made_with(recorded: dict, config) -> bool:
  config = config.copy_and_resolve_references()
  config.seed = recorded.get("seed", 0)
  return rundir.same_run(recorded, config)
