"""The run directory: the one owner of its layout and of every file a run writes.

    config.json       the resolved config (the run's identity)
    versions.json     software, machine, git commit
    metrics.jsonl     one line per pass
    summary.json      the outcome (a finished run); failure.json instead if the loss diverged
    misclassified.json  the test patterns it gets wrong, with true and predicted labels
    params.msgpack    the final weights (flax msgpack)
    checkpoints/      pass_<n>.npz, the last two pass boundaries (not committed)

A classifier built on networks keeps each of them as a run directory of its own inside it
(`net/`, `net1/`...). Every file is written atomically: a reader, or a killed run, sees the old
or the new file, never half of one.
"""
from __future__ import annotations

import io
import json
import logging as std_logging
import os
import pathlib
import platform
import re
import shutil
import subprocess
import sys
import zipfile

from flax import nnx
from flax import serialization
import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import optax
import orbax.checkpoint as ocp

from lenet import errors
from lenet import evaluation
from lenet.data import idx

CONFIG, VERSIONS, METRICS = "config.json", "versions.json", "metrics.jsonl"
SUMMARY, FAILURE, MISCLASSIFIED = "summary.json", "failure.json", "misclassified.json"
PARAMS, CHECKPOINTS = "params.msgpack", "checkpoints"
RUN_FILES = (CONFIG, VERSIONS, METRICS, SUMMARY, MISCLASSIFIED, PARAMS)  # what adopting copies
# Fields that record where a result was copied from, never what it is: not part of the identity.
PROVENANCE_FIELDS = (("neighbors", "reuse"),)


def held_out(row: dict) -> str:
  """The set a metrics row or summary is judged on: "validation" for a selection run (its test
  error is not for choosing), else "test"."""
  return "validation" if "validation_error" in row else "test"


def write_atomic(path: pathlib.Path, content: str | bytes) -> None:
  tmp = path.with_name(f".{path.name}.tmp")
  if isinstance(content, bytes):
    tmp.write_bytes(content)
  else:
    tmp.write_text(content)
  os.replace(tmp, path)


def write_json_atomic(path: pathlib.Path, obj) -> None:
  write_atomic(path, json.dumps(obj, indent=2, sort_keys=True) + "\n")


def read_json(path: pathlib.Path):
  return json.loads(pathlib.Path(path).read_text())


def git_commit() -> str:
  try:
    out = subprocess.run(["git", "-C", str(idx.REPO_ROOT), "describe", "--always", "--dirty",
                          "--abbrev=40"], capture_output=True, text=True, timeout=10, check=True)
    return out.stdout.strip()
  except (OSError, subprocess.SubprocessError):
    return "unknown"


def cpu_vector_isa() -> str:
  """The widest x86 vector instructions XLA's CPU compiler can use here: "avx512", "avx2" or
  "other". They set the order of its float sums, so runs agree bitwise only per kind of CPU."""
  cpuinfo = pathlib.Path("/proc/cpuinfo")
  found = re.search(r"^flags\s*:(.*)$", cpuinfo.read_text() if cpuinfo.exists() else "", re.M)
  flags = set(found.group(1).split()) if found else set()
  return "avx512" if "avx512f" in flags else "avx2" if "avx2" in flags else "other"


def software_versions() -> dict[str, str]:
  import flax  # pylint: disable=g-import-not-at-top
  return {
      "git_commit": git_commit(),
      "python": sys.version.split()[0], "jax": jax.__version__,
      "jaxlib": jax.lib.__version__ if hasattr(jax.lib, "__version__") else jax.__version__,
      "flax": flax.__version__, "optax": optax.__version__, "numpy": np.__version__,
      "orbax-checkpoint": ocp.__version__,
      "ml_collections": getattr(ml_collections, "__version__", "unknown"),
      "platform": platform.platform(), "processor": platform.processor() or platform.machine(),
      "backend": jax.default_backend(), "devices": str(jax.devices()),
      "cpu_count": str(os.cpu_count()), "cpu_vector_isa": cpu_vector_isa(),
      "xla_flags": os.environ.get("XLA_FLAGS", ""),
      "matmul_precision": str(jax.config.jax_default_matmul_precision),
  }


# Fields added to the configs after runs were committed, with the value that keeps the earlier
# behaviour: a run recorded without one is a run with this value, whatever the current config
# asks (a run made before validation splits existed trained on all 60,000; one made before
# `network` existed was a LeNet-5 trained without distortions).
ADDED_FIELDS = {"network": "lenet5", "method": "network",
                "data": {"validation_size": 0, "validation_fold": 0,
                         "distortion": {"copies": 0, "range_scale": 1.0}},
                "optimizer": {"eta_scale": 1.0, "curvature_update": "every_pass"},
                "train": {"patterns_per_pass": 0}, "boosting": {"patterns": "enlarged_set"},
                "svm": {"virtual": "none", "reduced": 0, "multiclass": "one_vs_one"},
                "pca": {"terms": "products"}}


def with_new_fields(old: dict, current: dict, added: dict | None = None) -> dict:
  """`old` (a run's recorded config) with the fields added to the configs since then filled in:
  from ADDED_FIELDS where it lists them, else from `current` (a field added with the only value
  it then had)."""
  added = ADDED_FIELDS if added is None else added
  merged = dict(old)
  for key, value in current.items():
    if key not in merged:
      merged[key] = (with_new_fields({}, value, added.get(key, {})) if isinstance(value, dict)
                     else added.get(key, value))
    elif isinstance(value, dict) and isinstance(merged[key], dict):
      merged[key] = with_new_fields(merged[key], value, added.get(key, {}))
  return merged


def identity(config_json: dict) -> dict:
  """What makes two runs the same run: the config less its provenance fields."""
  same = json.loads(json.dumps(config_json))
  for section, field in PROVENANCE_FIELDS:
    same.get(section, {}).pop(field, None)
  return same


def same_run(recorded: dict, config) -> bool:
  """Whether a recorded config is `config` (fields added since counted as their defaults)."""
  current = json.loads(config.to_json())
  return identity(with_new_fields(recorded, current)) == identity(current)


class RunDir:
  """One run directory (which need not exist yet)."""

  def __init__(self, path: str | os.PathLike):
    self.path = path.path if isinstance(path, RunDir) else pathlib.Path(path)

  def __truediv__(self, name: str) -> pathlib.Path:
    return self.path / name

  def __repr__(self):
    return str(self.path)

  def sub(self, name: str) -> "RunDir":
    """The run directory of a component network (`net`, `net1`, ...)."""
    return RunDir(self.path / name)

  @property
  def name(self) -> str:
    return self.path.name

  def summary(self) -> dict | None:
    return read_json(self / SUMMARY) if (self / SUMMARY).exists() else None

  def recorded_config(self) -> dict | None:
    return read_json(self / CONFIG) if (self / CONFIG).exists() else None

  def state(self, config=None) -> str:
    """finished, diverged, started or pending; "different config" if `config` is not the run's."""
    recorded = self.recorded_config()
    if recorded is not None and config is not None and not same_run(recorded, config):
      return "different config"
    if (self / SUMMARY).exists():
      return "finished"
    if (self / FAILURE).exists():
      return "diverged"
    return "started" if recorded is not None else "pending"

  def check(self, config) -> None:
    """Refuses a directory that holds a run of another config (writes nothing)."""
    recorded = self.recorded_config()
    if recorded is not None and not same_run(recorded, config):
      raise errors.WorkdirConflict(f"{self.path} holds a run with a different config; use a "
                                   "new --workdir")

  def claim(self, config) -> dict | None:
    """Makes this the directory of `config`; returns its summary if that run has finished."""
    self.check(config)
    if (finished := self.summary()) is not None:
      return finished
    self.path.mkdir(parents=True, exist_ok=True)
    write_json_atomic(self / CONFIG, json.loads(config.to_json()))
    write_json_atomic(self / VERSIONS, software_versions())
    return None

  def adopt(self, source: "RunDir", config) -> None:
    """Copies the finished run `source` of `config` here, so that this directory stands alone."""
    recorded = source.recorded_config()
    if recorded is None or not same_run(recorded, config):
      raise errors.ConfigError(f"neighbors.reuse: {source.path} was not trained with the config "
                               f"of {config.network} with seed {config.seed}; leave it empty to "
                               "train the network here")
    if source.summary() is None:
      raise errors.ConfigError(f"neighbors.reuse: {source.path} has not finished")
    self.path.mkdir(parents=True, exist_ok=True)
    for name in RUN_FILES:
      shutil.copyfile(source / name, self / name)

  def config(self) -> ml_collections.ConfigDict:
    return ml_collections.ConfigDict(read_json(self / CONFIG))

  # -- per pass ---------------------------------------------------------------------------------

  def read_metrics(self, up_to_pass: int | None = None) -> list[dict]:
    if not (self / METRICS).exists():
      return []
    rows = [json.loads(line) for line in (self / METRICS).read_text().splitlines() if line.strip()]
    return [r for r in rows if up_to_pass is None or r["pass"] <= up_to_pass]

  def write_metrics(self, rows: list[dict]) -> None:
    write_atomic(self / METRICS, "".join(json.dumps(r, sort_keys=True) + "\n" for r in rows))

  def checkpoints(self) -> "Checkpoints":
    return Checkpoints(self / CHECKPOINTS)

  # -- the outcome ------------------------------------------------------------------------------

  def save_params(self, params) -> None:
    write_atomic(self / PARAMS, serialization.msgpack_serialize(nnx.to_pure_dict(params)))

  def load_params(self, template):
    pure = serialization.msgpack_restore((self / PARAMS).read_bytes())
    params = jax.tree.map(lambda x: x, template)
    nnx.replace_by_pure_dict(params, pure)
    return params

  def write_outcome(self, penalties: np.ndarray, labels: np.ndarray, fields: dict,
                    held_out: str = "test") -> dict:
    """misclassified.json and summary.json of a classifier's penalties (N, classes) on the set
    it is judged on (`held_out`: "test", or "validation" for a selection run, which then never
    sees the test set), the prediction being the smallest: `fields`, then that set's error and
    rejection (Fig. 10)."""
    pred = penalties.argmin(axis=1)
    wrong = np.flatnonzero(pred != labels)
    write_json_atomic(self / MISCLASSIFIED, {
        f"{held_out}_index": wrong.tolist(), "label": labels[wrong].tolist(),
        "predicted": pred[wrong].tolist()})
    summary = {**fields, f"{held_out}_error": float(len(wrong) / len(labels)),
               f"{held_out}_errors": int(len(wrong)),
               **({"validation_size": len(labels)} if held_out == "validation" else {}),
               **evaluation.rejection_summary(penalties, labels)}
    write_json_atomic(self / SUMMARY, summary)
    return summary

  def record_failure(self, error: Exception) -> None:
    write_json_atomic(self / FAILURE, {"error": type(error).__name__, "message": str(error)})


class _DropOrbaxInfo(std_logging.Filter):
  def filter(self, record):
    return record.levelno >= std_logging.WARNING or "orbax" not in record.pathname


class Checkpoints:
  """(params, optimizer state) after each pass, by passes done: `pass_<n>.npz` holds the state's
  leaves in order, written whole or not at all (write_atomic), the last `keep` kept.

  Plain npz rather than orbax: a LeNet-5 save takes 1.5 ms against orbax's 43-49 ms on this
  project's CPU (results/speed/checkpoints_2026-12-07.txt), which adds up when 100 seeds train
  together: 2,000 saves in 20 passes, about 90 s with orbax.
  Directories of orbax checkpoints, written by earlier versions, are still read.
  """
  _NAME = re.compile(r"pass_(\d+)\.npz")

  def __init__(self, directory: pathlib.Path, keep: int = 2):
    self.directory, self.keep = directory, keep

  def _saved(self) -> tuple[list[int], list[int]]:
    """The passes saved as npz, and as orbax directories (an earlier version's layout: <n>/)."""
    entries = list(self.directory.iterdir()) if self.directory.is_dir() else []
    npz = sorted(int(m.group(1)) for p in entries if (m := self._NAME.fullmatch(p.name)))
    orbax = sorted(int(p.name) for p in entries if p.is_dir() and p.name.isdigit())
    return npz, orbax

  def latest(self) -> int | None:
    npz, orbax = self._saved()
    return (npz or orbax or [None])[-1]

  def save(self, passes_done: int, state) -> None:
    self.directory.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    np.savez(buffer, *[np.asarray(x) for x in jax.tree.leaves(state)])
    write_atomic(self.directory / f"pass_{passes_done}.npz", buffer.getvalue())
    for old in self._saved()[0][:-self.keep]:
      (self.directory / f"pass_{old}.npz").unlink()

  def restore(self, passes_done: int, template):
    leaves, treedef = jax.tree.flatten(template)
    path = self.directory / f"pass_{passes_done}.npz"
    if not path.exists() and passes_done in self._saved()[1]:
      arrays = self._restore_orbax(passes_done, leaves)
    else:
      try:
        with np.load(path) as saved:
          arrays = [saved[f"arr_{i}"] for i in range(len(saved.files))]
      except (OSError, ValueError, zipfile.BadZipFile) as e:
        raise errors.WorkdirConflict(f"cannot read the checkpoint {path}: {e}; delete it to "
                                     "resume from the one before, or the run to start over") from e
    if [a.shape for a in arrays] != [np.shape(x) for x in leaves]:
      raise errors.WorkdirConflict(f"the checkpoint {path} holds {len(arrays)} arrays that are not "
                                   f"the shapes of the run's {len(leaves)}: another model's state")
    return jax.tree.unflatten(treedef, [jnp.asarray(a) for a in arrays])

  def _restore_orbax(self, passes_done: int, leaves) -> list[np.ndarray]:
    for handler in std_logging.getLogger().handlers + std_logging.getLogger("absl").handlers:
      if not any(isinstance(f, _DropOrbaxInfo) for f in handler.filters):
        handler.addFilter(_DropOrbaxInfo())
    abstract = {f"{i:04d}": np.asarray(x) for i, x in enumerate(leaves)}
    with ocp.CheckpointManager(self.directory.resolve()) as manager:
      restored = manager.restore(passes_done, args=ocp.args.StandardRestore(abstract))
    return [np.asarray(restored[f"{i:04d}"]) for i in range(len(leaves))]

  def close(self):
    """Nothing to wait for: each save is complete when it returns."""
