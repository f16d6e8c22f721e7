"""The launchers in experiments/: describe, summarize, evaluate, benchmark, on shrunk configs."""
import importlib
import json
import shutil
import subprocess
import sys

import pytest

from experiments import describe
from experiments import report
from experiments import summarize
from experiments.configs import lenet5
from lenet import paper
from lenet import train
from tests.conftest import small_config


def test_describe_json_totals_and_paper_column():
  d = describe.describe(lenet5.get_config())
  assert d["total"] == {"params": 60_000, "connections": 340_908, "macs": 332_824}
  assert d["paper"] == {"params": 60_000, "connections": 340_908, "macs_fig11": 401_000,
                        "memory_fig12": 60_000}
  assert [layer["name"] for layer in d["layers"]] == ["C1", "S2", "C3", "S4", "C5", "F6", "RBF"]
  assert "401K" in describe.format_table(d) and "401,000" in describe.format_table(d)


@pytest.mark.parametrize("network,macs", [("lenet1", 94_592), ("lenet4", 262_472),
                                          ("lenet5_dist", 332_824), ("boosted_lenet4", 459_326),
                                          ("lenet4_knn", 7_461_272), ("lenet4_local", 9_107_605)])
def test_describe_covers_every_network(network, macs):
  module = importlib.import_module(f"experiments.configs.{network}")
  d = describe.describe(module.get_config())
  assert d["classifier"]["macs"] == macs
  assert "macs_fig11" in d["paper"] and "Fig. 12" in describe.format_table(d)


def test_describe_command_line_json():
  out = subprocess.run([sys.executable, "-m", "experiments.describe",
                        "--config=experiments/configs/lenet5.py", "--format=json"],
                       capture_output=True, text=True, check=True)
  assert json.loads(out.stdout)["total"]["params"] == 60_000


def test_unknown_config_field_is_rejected_by_the_launcher(tmp_path):
  out = subprocess.run([sys.executable, "-m", "experiments.train",
                        "--config=experiments/configs/lenet5.py", f"--workdir={tmp_path}",
                        "--config.optimizer.momentum=0.9"], capture_output=True, text=True)
  assert out.returncode != 0 and "momentum" in out.stderr


def test_paper_numbers_come_from_the_data_file():
  assert paper.test_error_pct("lenet5") == 0.95
  assert paper.fig5()[0] == (1, 4.89, 2.67)


def test_summarize_seeds_and_report(mnist_dir, tmp_path):
  del mnist_dir
  config = small_config()
  config.train.passes = 1
  for seed in (0, 1):
    config.seed = seed
    train.train_and_evaluate(config, tmp_path / "lenet5" / f"seed_{seed}")
  _check_summarize(tmp_path / "lenet5")
  # the report regenerates the same bytes from the run directories alone
  text = report.report(tmp_path)
  assert text == report.report(tmp_path)
  mean = json.loads((tmp_path / "lenet5" / "summary.json").read_text())["test_error_pct"]["mean"]
  assert f"| LeNet-5 | 0.95 | {mean:.2f} +- " in text and "| 2 |" in text
  assert "| LeNet-5 | 60,000 | 340,908 | 333K | 401K |" in text
  # ablation rows: in the sweep's order, the change read off the configs, against the baseline
  for name, field, value in (("batch_size=32", "train.batch_size", 32),
                             ("loss.j=10", "loss.j", 10.0)):
    changed = small_config()
    changed.train.passes = 1
    section, key = field.split(".")
    changed[section][key] = value
    train.train_and_evaluate(changed, tmp_path / "ablations" / name / "seed_0")
  rows = [line for line in report.report(tmp_path).splitlines() if line.startswith("| `")]
  assert [row.split(" | ")[1] for row in rows] == ["`loss.j=10.0`", "`train.batch_size=32`"]
  j10 = 100 * json.loads((tmp_path / "ablations" / "loss.j=10" / "seed_0" / "summary.json")
                         .read_text())["test_error"]
  assert rows[0].startswith(f"| `loss.j=10` | `loss.j=10.0` | {j10:.2f} (one run) | {j10:.2f} "
                            f"| 1 | {mean:.2f} +- ") and f"| {j10 - mean:+.2f} |" in rows[0]
  # the top-level README's block is replaced, the rest kept
  readme = tmp_path / "README.md"
  readme.write_text(f"intro\n{report.BEGIN}\nold table\n{report.END}\nrest\n")
  report.update_readme(readme, tmp_path)
  new = readme.read_text()
  assert new.startswith("intro\n") and new.endswith(f"{report.END}\nrest\n")
  assert "old table" not in new and f"]({tmp_path.as_posix()}/lenet5/)" in new
  # figures from the run directories, then listed by the report
  subprocess.run([sys.executable, "-m", "experiments.figures", f"--results={tmp_path}"],
                 check=True, capture_output=True)
  for name in ("rbf_codes.png", "misclassified.png", "feature_maps.png"):
    assert (tmp_path / "figures" / name).stat().st_size > 5_000
  assert "![The RBF output codes" in report.report(tmp_path)


def _check_summarize(tmp_path):
  shutil.rmtree(tmp_path / "seed_1" / "checkpoints")
  s = summarize.summarize(tmp_path)
  assert s["seeds"] == [0, 1] and s["same_config_except_seed"]
  errors = [json.loads((tmp_path / f"seed_{k}" / "summary.json").read_text())["test_error"] * 100
            for k in (0, 1)]
  assert s["test_error_pct"]["mean"] == pytest.approx(sum(errors) / 2)
  assert s["paper_test_error_pct"] == 0.95
  summarize.plot(s, tmp_path / "error_per_pass.png")
  assert (tmp_path / "error_per_pass.png").stat().st_size > 10_000
  assert "| paper (Fig. 9) | 0.95 |" in summarize.readme(s)
  out = subprocess.run([sys.executable, "-m", "experiments.evaluate",
                        f"--workdir={tmp_path / 'seed_0'}"], capture_output=True, text=True,
                       check=True)
  assert f"test error {errors[0]:.2f}%" in out.stdout
  train.write_json_atomic(tmp_path / "summary.json", {k: v for k, v in s.items() if k[0] != "_"})


@pytest.mark.parametrize("extra", [["--seeds=2"], ["--evaluate"]])
def test_benchmark_command_line_prints_a_rate(extra):
  out = subprocess.run([sys.executable, "-m", "experiments.benchmark",
                        "--config=experiments/configs/lenet5.py", "--images=64", "--repeats=1",
                        *extra], capture_output=True, text=True, check=True)
  header, rate = out.stdout.splitlines()[-2:]
  assert ("seeds=2" in header) if extra == ["--seeds=2"] else ("evaluation" in header)
  assert rate.startswith("img_per_s=") and int(rate.split("=")[1]) > 0
