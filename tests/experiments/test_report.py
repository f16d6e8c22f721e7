"""experiments/report: the one reporting path, on tiny runs and on the committed results."""
import json
import pathlib
import shutil
import subprocess
import sys

import pytest

from experiments import report
from experiments.configs import lenet1
from experiments.report import runs as runs_lib
from experiments.report import sections
from lenet import methods
from lenet import rundir
from tests.conftest import small_config

REPO = pathlib.Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_committed_results_regenerate_byte_for_byte(tmp_path, monkeypatch):
  """Every file the report writes (results/README.md, each row's page, summary.json and plot,
  and README.md's table) is what is committed, from the run directories alone."""
  results = tmp_path / "results"
  shutil.copytree(REPO / "results", results,
                  ignore=shutil.ignore_patterns("params.msgpack", "checkpoints"))
  readme = tmp_path / "README.md"
  shutil.copyfile(REPO / "README.md", readme)
  before = {p: p.read_bytes() for p in results.rglob("*") if p.is_file()}
  monkeypatch.chdir(tmp_path)  # as `make report` runs it: results/ relative to the repository
  report.write_all(pathlib.Path("results"), pathlib.Path("README.md"))
  changed = [str(p.relative_to(tmp_path)) for p, b in before.items() if p.read_bytes() != b]
  assert not changed, f"regenerate with `make report`: {changed}"
  assert readme.read_bytes() == (REPO / "README.md").read_bytes()


def test_report_of_tiny_runs(mnist_dir, tmp_path):
  del mnist_dir
  config = small_config(train__passes=1)
  for seed in (0, 1):
    config.seed = seed
    methods.run(config, tmp_path / "lenet5" / f"seed_{seed}")
  one = lenet1.get_config()
  one.data.train_size, one.train.passes = 300, 1
  methods.run(one, tmp_path / "lenet1" / "seed_0")
  readme = tmp_path / "TOP.md"  # the top-level README (results/README.md is the report's own)
  readme.write_text(f"intro\n{report.BEGIN}\nold table\n{report.END}\nrest\n")
  report.write_all(tmp_path, readme)
  page = json.loads((tmp_path / "lenet5" / "summary.json").read_text())
  errors = [100 * rundir.read_json(tmp_path / "lenet5" / f"seed_{s}" / "summary.json")[
      "test_error"] for s in (0, 1)]
  assert page["seeds"] == [0, 1] and page["test_error_pct"]["mean"] == sum(errors) / 2
  assert (tmp_path / "lenet5" / "error_per_pass.png").stat().st_size > 10_000
  # one run: no spread anywhere
  assert rundir.read_json(tmp_path / "lenet1" / "summary.json")["test_error_pct"]["std"] is None
  assert "(one run)" in report.report(tmp_path).split("| [16x16] LeNet-1 |")[1].split("\n")[0]
  assert "+-" not in (tmp_path / "lenet1" / "README.md").read_text().split("mean +- std")[1][:40]
  text = readme.read_text()
  assert f"| LeNet-5 | 0.95 | {sum(errors) / 2:.2f} +- " in report.report(tmp_path)
  assert "| LeNet-5 | 60,000 | 340,908 | 333K | 401K |" in report.report(tmp_path)
  assert text.startswith("intro\n") and text.endswith(f"{report.END}\nrest\n")
  assert "old table" not in text and f"]({tmp_path.as_posix()}/lenet5/)" in text
  # another process writes the same bytes
  first = (tmp_path / "README.md").read_bytes(), (tmp_path / "lenet5" / "README.md").read_bytes()
  subprocess.run([sys.executable, "-m", "experiments.report", f"--results={tmp_path}",
                  "--readme="], check=True, capture_output=True, cwd=REPO)
  assert (tmp_path / "README.md").read_bytes() == first[0]
  assert (tmp_path / "lenet5" / "README.md").read_bytes() == first[1]
  # ablation rows: in the sweep's order, the change read off the configs, against the baseline
  for name, field, value in (("batch_size=32", "train.batch_size", 32),
                             ("loss.j=10", "loss.j", 10.0)):
    changed = small_config(train__passes=1)
    section, key = field.split(".")
    changed[section][key] = value
    methods.run(changed, tmp_path / "ablations" / name / "seed_0")
  rows = [line for line in sections.ablations_section(tmp_path) if line.startswith("| `")]
  assert [row.split(" | ")[1] for row in rows] == ["`loss.j=10.0`", "`train.batch_size=32`"]
  j10 = 100 * rundir.read_json(tmp_path / "ablations/loss.j=10/seed_0/summary.json")["test_error"]
  mean = sum(errors) / 2
  assert rows[0].startswith(f"| `loss.j=10` | `loss.j=10.0` | {j10:.2f} (one run) | {j10:.2f} "
                            f"| 1 | {mean:.2f} +- ") and f"| {j10 - mean:+.2f} |" in rows[0]


def test_the_fewest_departures_rule_on_made_up_candidates():
  from experiments.report import selection
  def cand(name, departures, errors):
    return {"name": name, "departures": ["x"] * departures, "errors": errors, "diverged": 0}
  saturated = cand("paper", 0, [90.0, 90.0])     # no spread: not counted in it
  one = cand("one", 1, [1.05, 1.15])              # 0.05 above the lowest, spread 0.07
  two = cand("two", 2, [1.00, 1.10])
  far = cand("far", 1, [2.00, 2.10])
  cands = [saturated, one, two, far]
  assert selection.seed_spread(cands) == pytest.approx(0.1 / 2 ** 0.5)
  assert selection.choose("lenet5", cands) is one
  one["errors"] = [1.10, 1.20]                    # now 0.10 above: outside one spread
  assert selection.choose("lenet5", cands) is two
  assert selection.choose("tutorial_lenet5", cands) is two  # rule "lowest"
  two["diverged"] = 1                             # a diverged candidate is never chosen
  assert selection.choose("lenet5", cands) is one


def test_the_first_within_noise_rule_on_made_up_candidates():
  """One deterministic run's error p on n validation patterns is known to sqrt(p (1 - p) / n):
  0.0995% at 1% on 10,000. The first listed within it of the lowest is chosen."""
  from experiments.report import selection
  def cand(name, error):
    return {"name": name, "errors": [error], "diverged": 0, "validation_size": 10_000}
  first, second, third = cand("first", 1.09), cand("second", 1.20), cand("third", 1.00)
  assert selection.sampling_noise(third) == pytest.approx(0.0995, abs=1e-4)
  assert selection.choose("vsvm_poly9_field", [first, second, third]) is first
  first["errors"] = [1.10]                        # 0.10 above the lowest: outside the noise
  assert selection.choose("vsvm_poly9_field", [first, second, third]) is third
  third["diverged"] = 1                           # a diverged candidate is never chosen
  assert selection.choose("vsvm_poly9_field", [first, second, third]) is first


def test_the_ablations_table_says_deterministic_for_a_run_with_nothing_random():
  """One machine of V-SVM poly 9 runs once and says so; its [dist] copies are drawn from the
  seed and get a spread."""
  results = pathlib.Path(__file__).resolve().parents[2] / "results"
  rows = {line.split("|")[1].strip(): line for line in sections.ablations_section(results)
          if line.startswith("| `")}
  one = rows["`vsvm_poly9,multiclass=one_vs_one,virtual=none`"]
  distorted = rows["`vsvm_poly9,multiclass=one_vs_one,virtual=distort`"]
  assert one.count("(deterministic)") == 3 and "one run" not in one  # test, baseline, training
  assert " +- " in distorted.split("|")[3] and "(deterministic)" in distorted.split("|")[6]


def test_a_choice_revised_by_a_later_question_is_stated_on_its_other_fields():
  """svm_poly9 chose scale, offset and C for one machine on 10,000 patterns; vsvm_poly9_kernel
  chose scale and C again for both machines on 50,000. The config states the first's offset and
  the second's scale and C."""
  from experiments import sweeps
  from experiments.report import selection
  q = sweeps.QUESTIONS["svm_poly9"]
  assert q.revised_fields == {"svm.scale", "svm.C"}
  results = pathlib.Path(__file__).resolve().parents[2] / "results"
  chosen = selection.choose("svm_poly9", selection.candidates(results, "svm_poly9"))
  assert chosen["default"] and selection._states("svm_poly9", chosen).startswith("yes, but")
  config = sweeps.Run("vsvm_poly9", (), 0, "").build_config()
  assert dict(chosen["overrides"])["svm.offset"] == config.svm.offset  # the field still checked
  assert dict(chosen["overrides"])["svm.scale"] != config.svm.scale    # revised, not checked


def test_every_config_states_the_choice_its_committed_selection_runs_made():
  from experiments import sweeps
  from experiments.report import selection
  results = pathlib.Path(__file__).resolve().parents[2] / "results"
  asked = 0
  for key in sweeps.QUESTIONS:
    cands = selection.candidates(results, key)
    if all(c["errors"] or c["diverged"] for c in cands):  # every candidate has run
      asked += 1
      assert selection.choose(key, cands)["default"], key
  assert asked >= 2


def test_a_seed_that_reused_its_svm_is_charged_the_machines_fit():
  fitted = {"wall_time_s": 700.0, "machine_fit_s": 300.0, "machine_reused": False}
  assert runs_lib.seed_seconds(fitted) == 700.0
  assert runs_lib.seed_seconds({**fitted, "wall_time_s": 400.0, "machine_reused": True}) == 700.0
  assert runs_lib.seed_seconds({"wall_time_s": 50.0}) == 50.0
