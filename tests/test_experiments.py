"""The launchers in experiments/: describe, summarize, evaluate, benchmark, on shrunk configs."""
import json
import shutil
import subprocess
import sys

import pytest

from experiments import describe
from experiments import summarize
from experiments.configs import lenet5
from lenet import paper
from lenet import train
from tests.conftest import small_config


def test_describe_json_totals_and_paper_column():
  d = describe.describe(lenet5.get_config())
  assert d["total"] == {"params": 60_000, "connections": 340_908, "macs": 332_824}
  assert d["paper"] == {"params": 60_000, "connections": 340_908, "macs_fig11": 401_000}
  assert [layer["name"] for layer in d["layers"]] == ["C1", "S2", "C3", "S4", "C5", "F6", "RBF"]
  assert "401K" in describe.format_table(d)


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


def test_summarize_seeds(mnist_dir, tmp_path):
  del mnist_dir
  config = small_config()
  config.train.passes = 1
  for seed in (0, 1):
    config.seed = seed
    train.train_and_evaluate(config, tmp_path / f"seed_{seed}")
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
