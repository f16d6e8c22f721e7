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
from experiments import sweeps
from experiments.report import sections
from lenet import errors
from lenet import methods
from lenet import paper
from lenet import rundir
from lenet.methods import neighbors
from lenet.train import fit

REPO = pathlib.Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["paper", "tutorial", "selection", "sdlm", "ablations"])
def test_dry_run_lists_every_committed_run_as_finished(name, capsys):
  sweep.run_sweep(name, REPO / "results", dry_run=True)
  states = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
  assert states and set(states) == {"finished"}, states


def test_dry_run_shows_a_directory_of_another_config(tmp_path, capsys):
  run = sweeps.runs_of("smoke")[0]
  rundir.RunDir(tmp_path / run.workdir).claim(run.build_config((("loss.j", 2.0),)))
  sweep.run_sweep("smoke", tmp_path, dry_run=True)
  assert capsys.readouterr().out.splitlines()[0] == f"different config {run.workdir}"


def test_paper_sweep_has_every_row_five_times_or_once_if_deterministic():
  runs = sweeps.runs_of("paper")
  assert sorted({r.config for r in runs}) == sorted(paper.NETWORKS)
  once = {n for n in paper.NETWORKS if methods.deterministic(sweeps.Run(n, (), 0, "")
                                                             .build_config())}
  assert once == {"linear", "linear_deslant", "pairwise", "pca_quadratic", "knn_euclidean",
                  "knn_euclidean_deslant", "tangent", "svm_poly4", "vsvm_poly9"}
  for n in paper.NETWORKS:
    seeds = [r.seed for r in runs if r.config == n]
    assert seeds == ([0] if n in once else [0, 1, 2, 3, 4]), n
  assert len({r.workdir for r in runs}) == len(runs)


@pytest.mark.parametrize("name", ["ablations", "trainsize"])
def test_every_run_of_a_sweep_builds_a_valid_config(name):
  for run in sweeps.runs_of(name, seeds=1):
    config = run.build_config()
    methods.check(config)
    assert config.seed == 0


def test_ablations_change_only_their_fields_from_their_baseline():
  for name, ablation in sweeps.ABLATIONS.items():
    base = sections._leaves(sweeps.Run(ablation.config, ablation.base, 0, "").build_config()
                            .to_dict())
    changed = sections._leaves(sweeps.Run(ablation.config, ablation.overrides, 0, "")
                               .build_config().to_dict())
    differ = {k for k in base if base[k] != changed[k]}
    assert differ == {field for field, _ in ablation.change}, name


def test_the_previous_default_is_one_ablation_and_today_s_is_lenet5():
  """An ablation run on a previous default (LeNet-5's init, V-SVM's and RS-SVM's one-vs-one
  machines) has that default as an ablation of its own: the baseline the report compares it
  with."""
  previous = sweeps.ABLATIONS["weight_init=efficient_backprop"]
  assert previous.base == () and previous.change == sweeps.PREVIOUS_LENET5
  singles = {(a.config, a.change) for a in sweeps.ABLATIONS.values() if a.base == ()}
  assert all(a.base == () or (a.config, a.base) in singles for a in sweeps.ABLATIONS.values())
  assert {a.base for a in sweeps.ABLATIONS.values()} == {
      (), sweeps.PREVIOUS_LENET5, (("svm.multiclass", "one_vs_one"),),
      (("svm.multiclass", "one_vs_one"), ("svm.reduced", 1460))}


def test_knn_and_local_adopt_the_finished_network_of_their_seed(tmp_path):
  knn = sweeps.Run("lenet4_knn", (), 2, "lenet4_knn/seed_2")
  assert sweep._reusing_network(knn.build_config(), tmp_path).neighbors.reuse == ""
  source = tmp_path / "lenet4" / "seed_2"
  source.mkdir(parents=True)
  (source / "summary.json").write_text("{}")
  assert sweep._reusing_network(knn.build_config(), tmp_path).neighbors.reuse == str(source)
  lenet4 = sweeps.Run("lenet4", (), 2, "lenet4/seed_2").build_config()
  assert "neighbors" not in sweep._reusing_network(lenet4, tmp_path)


def test_a_knn_selection_adopts_the_network_candidate_with_its_config(tmp_path):
  """Of LeNet-4's selection candidates (and Fig. 9's LeNet-4, trained on all 60,000), a K-NN
  selection run adopts the one whose config is its network's."""
  knn = sweeps.Run(*sweeps.SELECTION["lenet4_knn/k=3"], 1, "").build_config()
  for directory, (config, overrides) in [
      ("lenet4", ("lenet4", ())), *((f"selection/{name}", sweeps.SELECTION[name])
                                    for name in sweeps.SELECTION if name.startswith("lenet4/"))]:
    run = rundir.RunDir(tmp_path / directory / "seed_1")
    run.claim(sweeps.Run(config, overrides, 1, "").build_config())
    (run.path / "summary.json").write_text("{}")
  source = pathlib.Path(sweep._reusing_network(knn, tmp_path).neighbors.reuse)
  assert rundir.RunDir(source).state(neighbors.net_config(knn)) == "finished"
  assert source.parent.parent.name == "lenet4" and source.parent.name.startswith("weight_init=")


def test_sgd_is_given_the_median_step_that_sdlm_took():
  """sweeps.SGD_MATCHING_SDLM holds, to 3 digits, the committed outputs of scripts/sdlm_steps.sh."""
  for mu, scale in sweeps.SGD_MATCHING_SDLM.items():
    steps = json.loads((REPO / "results" / "sdlm" / f"mu={mu}.after_pass_1.json").read_text())
    assert steps["mu"] == mu and scale == float(f"{steps['median_step_over_eta']:.3g}")


def test_where_a_network_was_adopted_from_is_not_part_of_a_runs_identity(tmp_path):
  recorded = sweeps.Run("lenet4_knn", (("neighbors.reuse", "results/lenet4/seed_0"),), 0, "")
  run = rundir.RunDir(tmp_path)
  run.claim(recorded.build_config())
  run.claim(sweeps.Run("lenet4_knn", (), 0, "").build_config())
  with pytest.raises(errors.WorkdirConflict, match="different config"):
    run.claim(sweeps.Run("lenet4_knn", (("neighbors.k", 5),), 0, "").build_config())


def test_shards_partition_the_sweep():
  runs = sweeps.runs_of("ablations")
  parts = [sweep.shard(runs, 4, i) for i in range(4)]
  assert sorted(r.workdir for p in parts for r in p) == sorted(r.workdir for r in runs)
  with pytest.raises(errors.ConfigError, match="shard_index"):
    sweep.shard(runs, 4, 4)


def test_unknown_sweep_and_field():
  with pytest.raises(errors.ConfigError, match="--sweep"):
    sweeps.runs_of("everything")
  with pytest.raises(errors.ConfigError, match="model.widht"):
    sweeps.Run("lenet5", (("model.widht", 3),), 0, "").build_config()


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
  states = [sweep.state(tmp_path, r) for r in sweeps.runs_of("smoke")]
  assert states[0] == "finished" and states[-1] != "finished"
  finished_at = first.stat().st_mtime_ns
  subprocess.run(cmd, check=True, capture_output=True)
  assert [sweep.state(tmp_path, r) for r in sweeps.runs_of("smoke")] == ["finished"] * 4
  assert first.stat().st_mtime_ns == finished_at  # not redone
  text = report.report(tmp_path / "smoke")
  errors = [100 * json.loads((tmp_path / "smoke" / "lenet1" / f"seed_{s}" / "summary.json")
                             .read_text())["test_error"] for s in (0, 1)]
  assert f"| [16x16] LeNet-1 | 1.7 | {sum(errors) / 2:.2f} +- " in text
  assert "| LeNet-5 | 0.95 |" in text


def test_readme_links_only_to_ablations_of_the_sweep():
  readme = (REPO / "README.md").read_text()
  linked = set(re.findall(r"\]\(results/ablations/([^/)]+)/\)", readme))
  assert linked and linked <= set(sweeps.ABLATIONS), linked - set(sweeps.ABLATIONS)


def test_a_diverged_run_is_recorded_and_an_error_does_not_stop_the_sweep(tmp_path, monkeypatch):
  calls = []

  def fake_run(config, workdir):  # stands in for training; writes what a run would
    calls.append(workdir.relative_to(tmp_path).as_posix())
    rundir.RunDir(workdir).claim(config)
    if config.network == "lenet5" and config.seed == 0:
      raise fit.TrainingDiverged("the loss became NaN in pass 3")
    if config.network == "lenet1" and config.seed == 0 and len(calls) < 5:
      raise OSError("disk full")
    summary = {"network": config.network, "seed": config.seed, "test_error": 0.01,
               "train_error": 0.005}
    rundir.write_json_atomic(workdir / "summary.json", summary)
    return summary

  monkeypatch.setattr(sweep.methods, "run", fake_run)
  with pytest.raises(sweep.SweepIncomplete, match="smoke/lenet1/seed_0: OSError: disk full"):
    sweep.run_sweep("smoke", tmp_path)
  assert calls == ["smoke/lenet5/seed_0", "smoke/lenet1/seed_0", "smoke/lenet5/seed_1",
                   "smoke/lenet1/seed_1"]  # went on after both
  states = [sweep.state(tmp_path, r) for r in sweeps.runs_of("smoke")]
  assert states == ["diverged", "started", "finished", "finished"]
  failure = json.loads((tmp_path / "smoke/lenet5/seed_0" / rundir.FAILURE).read_text())
  assert failure == {"error": "TrainingDiverged", "message": "the loss became NaN in pass 3"}
  # resuming retries only the run that stopped with an error
  assert len(sweep.run_sweep("smoke", tmp_path)) == 3
  assert calls[4:] == ["smoke/lenet1/seed_0"]


def write(directory, config, summary=None, failure=None):
  """A run directory as training leaves it, with made-up outcomes."""
  directory.mkdir(parents=True)
  rundir.write_json_atomic(directory / "config.json", json.loads(config.to_json()))
  rundir.write_json_atomic(directory / "versions.json", {"git_commit": "abc"})
  if summary:
    rundir.write_json_atomic(directory / "summary.json", summary)
  if failure:
    rundir.write_json_atomic(directory / rundir.FAILURE, failure)


def test_the_report_lists_diverged_ablation_runs(tmp_path):
  summary = {"test_error": 0.01, "train_error": 0.004, "seed": 0}
  recipe = sweeps.Run("lenet5", (), 0, "").build_config()  # their baseline, today's default
  adam = sweeps.Run("lenet5", sweeps.ABLATIONS["optimizer=adam"].overrides, 0, "").build_config()
  relu = sweeps.Run("lenet5", sweeps.ABLATIONS["activation=relu"].overrides, 0, "").build_config()
  with recipe.unlocked():  # a baseline recorded before this field existed: it has its default
    del recipe.train["grad_chunk"]
  baseline = "lenet5"
  write(tmp_path / baseline / "seed_0", recipe, summary)
  nan = {"error": "TrainingDiverged", "message": "NaN"}
  write(tmp_path / "ablations" / "optimizer=adam" / "seed_0", adam, failure=nan)
  write(tmp_path / "ablations" / "activation=relu" / "seed_0", relu, failure=nan)
  relu.seed = 1
  write(tmp_path / "ablations" / "activation=relu" / "seed_1", relu, summary)
  rows = [line for line in sections.ablations_section(tmp_path) if line.startswith("| `")]
  assert rows[0].startswith("| `activation=relu` | `model.activation=relu` | "
                            "1.00 (one run); diverged in 1 of 2 | diverged, 1.00 | 2 | "
                            f"1.00 (one run) ([{baseline}/]({baseline}/)) | +0.00 | "
                            "0.40 (one run) |")
  assert rows[1].startswith("| `optimizer=adam` | `optimizer.name=adam` | diverged in 1 of 1 | "
                            f"diverged | 1 | 1.00 (one run) ([{baseline}/]({baseline}/)) | - | "
                            "- |")


def test_the_fig6_table_orders_by_size_then_updates_per_pass(tmp_path):
  for run in sweeps.runs_of("trainsize", seeds=1):
    config = run.build_config()
    n, per_pass = config.data.train_size, config.train.patterns_per_pass or config.data.train_size
    write(tmp_path / run.workdir, config, {"test_error": n / 1e6, "train_error": per_pass / 1e7,
                                           "train_size": n, "patterns_per_pass": per_pass})
  recipe = sweeps.Run("lenet5", sweeps.TRAINSIZE_BASE, 0, "").build_config()  # their recipe
  write(tmp_path / "lenet5/seed_0", recipe, {"test_error": 0.01, "train_error": 0.004,
                                             "train_size": 60_000})
  rows = [line for line in sections.trainsize_section(tmp_path) if line[:3].strip("| ").isdigit()]
  assert [row.split(" | ")[:2] for row in rows] == [
      ["| 15,000", "15,000"], ["| 15,000", "60,000"], ["| 30,000", "30,000"],
      ["| 30,000", "60,000"], ["| 60,000", "60,000"]]
  assert rows[1] == ("| 15,000 | 60,000 | 1.68 | 1.50 (one run) | 0.05 | 0.60 (one run) | 1 | "
                     "[trainsize/15000,patterns_per_pass=60000/]"
                     "(trainsize/15000,patterns_per_pass=60000/) |")


def test_only_selects_configurations_before_sharding():
  runs = sweep.select(sweeps.runs_of("ablations", seeds=5), ["loss.j=10", "order=reshuffle"])
  assert [r.workdir for r in runs[:2]] == ["ablations/loss.j=10/seed_0",
                                           "ablations/order=reshuffle/seed_0"]
  assert len(runs) == 10 and len(sweep.shard(runs, 2, 1)) == 5
  assert sweep.select(runs, []) == runs
  with pytest.raises(errors.ConfigError, match="unknown --only.*'loss.j=3'"):
    sweep.select(runs, ["loss.j=3"])


def test_a_questions_fixed_overrides_are_run_but_not_named():
  name = "tangent/input_format=window16,smoothing=0.5,sides=two"
  config, overrides = sweeps.SELECTION[name]
  assert ("tangent.keep", 100) in overrides and "keep" not in name
  assert sweeps.Run(config, overrides, 0, "").build_config().tangent.keep == 100
