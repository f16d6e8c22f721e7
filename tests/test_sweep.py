"""experiments/sweep.py: the named sweeps, shards, and a tiny sweep killed, resumed and reported."""
import json
import os
import pathlib
import re
import signal
import subprocess
import sys
import time

import pytest

from experiments import report
from experiments import sweep
from lenet import paper
from lenet import train


def test_paper_sweep_has_every_network_five_times():
  runs = sweep.runs_of("paper")
  assert sorted({r.config for r in runs}) == sorted(paper.NETWORKS)
  assert len(runs) == 5 * len(paper.NETWORKS)
  assert len({r.workdir for r in runs}) == len(runs)


@pytest.mark.parametrize("name", ["ablations", "trainsize"])
def test_every_run_of_a_sweep_builds_a_valid_config(name):
  for run in sweep.runs_of(name, seeds=1):
    config = run.build_config()
    train.validate(config)
    assert config.seed == 0


def _leaves(d, prefix=""):
  out = {}
  for k, v in d.items():
    out.update(_leaves(v, f"{prefix}{k}.") if isinstance(v, dict) else {f"{prefix}{k}": v})
  return out


def test_ablations_change_only_their_fields_from_the_recipe():
  for name, (config_name, overrides) in sweep.ABLATIONS.items():
    base = _leaves(sweep.Run(config_name, (), 0, "").build_config().to_dict())
    changed = _leaves(sweep.Run(config_name, overrides, 0, "").build_config().to_dict())
    differ = {k for k in base if base[k] != changed[k]}
    assert differ == {field for field, _ in overrides}, name


def test_knn_and_local_adopt_the_finished_network_of_their_seed(tmp_path):
  knn = sweep.Run("lenet4_knn", (), 2, "lenet4_knn/seed_2")
  assert sweep._reusing_network(knn.build_config(), tmp_path).neighbors.reuse == ""
  source = tmp_path / "lenet4" / "seed_2"
  source.mkdir(parents=True)
  (source / "summary.json").write_text("{}")
  assert sweep._reusing_network(knn.build_config(), tmp_path).neighbors.reuse == str(source)
  lenet4 = sweep.Run("lenet4", (), 2, "lenet4/seed_2").build_config()
  assert "neighbors" not in sweep._reusing_network(lenet4, tmp_path)


def test_where_a_network_was_adopted_from_is_not_part_of_a_runs_identity(tmp_path):
  recorded = sweep.Run("lenet4_knn", (("neighbors.reuse", "results/lenet4/seed_0"),), 0, "")
  train.claim_workdir(recorded.build_config(), tmp_path)
  train.claim_workdir(sweep.Run("lenet4_knn", (), 0, "").build_config(), tmp_path)
  with pytest.raises(ValueError, match="different config"):
    train.claim_workdir(sweep.Run("lenet4_knn", (("neighbors.k", 5),), 0, "").build_config(),
                        tmp_path)


def test_shards_partition_the_sweep():
  runs = sweep.runs_of("ablations")
  parts = [sweep.shard(runs, 4, i) for i in range(4)]
  assert sorted(r.workdir for p in parts for r in p) == sorted(r.workdir for r in runs)
  with pytest.raises(ValueError, match="shard_index"):
    sweep.shard(runs, 4, 4)


def test_unknown_sweep_and_field():
  with pytest.raises(ValueError, match="--sweep"):
    sweep.runs_of("everything")
  with pytest.raises(KeyError, match="model.widht"):
    sweep.Run("lenet5", (("model.widht", 3),), 0, "").build_config()


def test_tiny_sweep_killed_resumed_and_reported(mnist_dir, tmp_path):
  del mnist_dir
  cmd = [sys.executable, "-m", "experiments.sweep", "--sweep=smoke", f"--results={tmp_path}"]
  first = tmp_path / "smoke" / "lenet5" / "seed_0" / "summary.json"
  proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
  try:
    deadline = time.time() + 300
    while not first.exists() and proc.poll() is None and time.time() < deadline:
      time.sleep(0.2)
    assert first.exists(), "the first run did not finish"
    os.kill(proc.pid, signal.SIGKILL)  # midway: three runs to go
  finally:
    proc.wait()
  states = [sweep.state(tmp_path, r) for r in sweep.runs_of("smoke")]
  assert states[0] == "finished" and states[-1] != "finished"
  finished_at = first.stat().st_mtime_ns
  subprocess.run(cmd, check=True, capture_output=True)
  assert [sweep.state(tmp_path, r) for r in sweep.runs_of("smoke")] == ["finished"] * 4
  assert first.stat().st_mtime_ns == finished_at  # not redone
  text = report.report(tmp_path / "smoke")
  assert text == report.report(tmp_path / "smoke")
  errors = [100 * json.loads((tmp_path / "smoke" / "lenet1" / f"seed_{s}" / "summary.json")
                             .read_text())["test_error"] for s in (0, 1)]
  assert f"| [16x16] LeNet-1 | 1.7 | {sum(errors) / 2:.2f} +- " in text
  assert "| LeNet-5 | 0.95 |" in text


def test_readme_links_only_to_ablations_of_the_sweep():
  readme = (pathlib.Path(__file__).parents[1] / "README.md").read_text()
  linked = set(re.findall(r"\]\(results/ablations/([^/)]+)/\)", readme))
  assert linked and linked <= set(sweep.ABLATIONS), linked - set(sweep.ABLATIONS)
