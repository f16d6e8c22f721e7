"""experiments/report: the one reporting path, on tiny runs and on the committed results."""
import json
import pathlib
import shutil
import subprocess
import sys

import pytest

from experiments import report
from experiments.configs import lenet1
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
