"""The tools in experiments/tools (describe, evaluate, benchmark, step_profile, figures) and
the launchers' one-line errors."""
import importlib
import json
import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from experiments.configs import lenet5
from experiments.tools import describe
from experiments.tools import step_profile
from lenet import methods
from lenet import paper
from lenet.nn import models
from lenet.optim import sdlm
from lenet.train import kernels
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


@pytest.mark.slow
def test_describe_command_line_json():
  out = subprocess.run([sys.executable, "-m", "experiments.tools.describe",
                        "--config=experiments/configs/lenet5.py", "--format=json"],
                       capture_output=True, text=True, check=True)
  assert json.loads(out.stdout)["total"]["params"] == 60_000


@pytest.mark.slow
@pytest.mark.parametrize("flag, says", [
    ("--config.optimizer.momentum=0.9", "unknown config field --config.optimizer.momentum"),
    ("--config.model.pooling=median", "unknown model.pooling='median'; choose from"),
    ("--config.train.passes=two", "--config.train.passes=two"),
    ("--config.data.train_size=70000", "data.train_size=70000 is outside 1..60000")])
def test_a_bad_field_or_value_is_one_line_and_writes_nothing(flag, says, tmp_path):
  out = subprocess.run([sys.executable, "-m", "experiments.train",
                        "--config=experiments/configs/lenet5.py", f"--workdir={tmp_path}/run",
                        flag], capture_output=True, text=True)
  errors = [line for line in out.stderr.splitlines() if line.startswith("error: ")]
  assert out.returncode != 0 and len(errors) == 1 and says in errors[0], out.stderr[-2000:]
  assert "Traceback" not in out.stderr and not (tmp_path / "run").exists()


def test_paper_numbers_come_from_the_data_file():
  assert paper.test_error_pct("lenet5") == 0.95
  assert paper.fig5()[0] == (1, 4.89, 2.67)


def test_evaluate_and_figures_from_a_run_directory(mnist_dir, tmp_path):
  del mnist_dir
  config = small_config(train__passes=1)
  summary = methods.run(config, tmp_path / "lenet5" / "seed_0")
  out = subprocess.run([sys.executable, "-m", "experiments.tools.evaluate",
                        f"--workdir={tmp_path / 'lenet5' / 'seed_0'}"], capture_output=True,
                       text=True, check=True)
  assert out.stdout.startswith(f"test error {100 * summary['test_error']:.2f}% "
                               f"({summary['test_errors']} of 10,000)")
  subprocess.run([sys.executable, "-m", "experiments.tools.figures", f"--results={tmp_path}"],
                 check=True, capture_output=True)
  for name in ("rbf_codes.png", "misclassified.png", "feature_maps.png"):
    assert (tmp_path / "figures" / name).stat().st_size > 5_000


@pytest.mark.slow
@pytest.mark.parametrize("extra", [["--seeds=2"], ["--evaluate"]])
def test_benchmark_command_line_prints_a_rate(extra):
  out = subprocess.run([sys.executable, "-m", "experiments.tools.benchmark",
                        "--config=experiments/configs/lenet5.py", "--images=64", "--repeats=1",
                        *extra], capture_output=True, text=True, check=True)
  header, rate = out.stdout.splitlines()[-2:]
  assert ("seeds=2" in header) if extra == ["--seeds=2"] else ("evaluation" in header)
  assert rate.startswith("img_per_s=") and int(rate.split("=")[1]) > 0


def test_benchmark_times_checkpoint_saves_both_ways():
  out = subprocess.run([sys.executable, "-m", "experiments.tools.benchmark",
                        "--config=experiments/configs/lenet1.py", "--checkpoint_saves=3"],
                       capture_output=True, text=True, check=True).stdout.splitlines()[-1]
  fields = dict(f.split("=") for f in out.split()[1:])
  assert fields["saves"] == "3" and fields["network"] == "lenet1"
  assert float(fields["npz_ms"]) > 0 and float(fields["orbax_ms"]) > 0


def test_step_profile_stages_take_the_steps_they_name():
  """One step of the '+backward' stage is SGD and of '+SDLM' is Eq. 21 with the stage's fixed
  h_kk = 0.01, against the gradient computed directly; 'forward' is the criterion."""
  c = importlib.import_module("experiments.configs.mlp300").get_config()
  c.model.hidden, c.model.input_side = (5,), 4
  params, timed = step_profile.stages(c, 1)
  fn, (_, x, y) = timed["forward"]
  fns = kernels.ModelFns.split(models.build(c.model, seed=c.seed))[0]
  loss = lambda p: jnp.mean(kernels.criterion(c)(fns.penalties(p, x[0]), y[0]))
  assert jnp.allclose(fn(params, x, y), loss(params))
  g = jax.grad(loss)(params)
  eta, mu = sdlm.PAPER_ETA[0], c.optimizer.mu
  for stage, step in (("+backward", eta), ("+SDLM", eta / (mu + 0.01))):
    fn, args = timed[stage]
    got = fn(*args)
    got = got[0] if stage == "+SDLM" else got  # (params, optimizer state)
    want = jax.tree.map(lambda w, gw: w - step * gw, params, g)
    for a, b in zip(jax.tree.leaves(got), jax.tree.leaves(want)):
      np.testing.assert_allclose(a, b, atol=1e-7)
  fn, args = timed["pass"]  # the runs' pass takes the same step, twice from the same start
  for _ in range(2):
    for a, b in zip(jax.tree.leaves(fn(*args)[0]), jax.tree.leaves(want)):
      np.testing.assert_allclose(a, b, atol=1e-7)
  c.optimizer.name = "sgd"
  with pytest.raises(ValueError, match="optimizer.name"):
    step_profile.stages(c, 1)


HLO_WITH_A_LOOP = """HloModule m

%fused (x: f32[4]) -> f32[4] {
  %x = f32[4]{0} parameter(0)
  ROOT %n = f32[4]{0} negate(%x)
}

%body.1 (p: (s32[], f32[4])) -> (s32[], f32[4]) {
  %p = (s32[], f32[4]{0}) parameter(0)
  %i = s32[] get-tuple-element(%p), index=0
  %x = f32[4]{0} get-tuple-element(%p), index=1
  %f = f32[4]{0} fusion(%x), kind=kLoop, calls=%fused
  %c = f32[4]{0} custom-call(%f), custom_call_target="cublas"
  %b = f32[2,2]{1,0} bitcast(%c)
  %d = f32[4]{0} copy(%c)
  ROOT %t = (s32[], f32[4]{0}) tuple(%i, %d)
}

ENTRY %main (a: f32[4]) -> f32[4] {
  %a = f32[4]{0} parameter(0)
  %z = s32[] constant(0)
  %t0 = (s32[], f32[4]{0}) tuple(%z, %a)
  %w = (s32[], f32[4]{0}) while(%t0), condition=%cond.2, body=%body.1
  ROOT %r = f32[4]{0} get-tuple-element(%w), index=1
}
"""


def test_ops_per_step_counts_the_work_in_the_loop_body():
  assert step_profile.ops_per_step(HLO_WITH_A_LOOP) == 3  # fusion, custom-call, copy
  with pytest.raises(ValueError, match="no while loop"):
    step_profile.ops_per_step(HLO_WITH_A_LOOP.replace("while(", "call("))
  c = importlib.import_module("experiments.configs.mlp300").get_config()
  c.model.hidden, c.model.input_side = (5,), 4
  _, timed = step_profile.stages(c, 3)
  fn, args = timed["pass"]
  ops = step_profile.ops_per_step(jax.jit(fn).lower(*args).compile().as_text())
  assert 5 <= ops <= 200  # two layers' forward, backward and update: some fusions, not hundreds


def _write_run(path, config: dict, test_errors: list[float], train_errors: list[float]):
  path.mkdir(parents=True)
  (path / "config.json").write_text(json.dumps(config))
  rows = [{"pass": p + 1, "test_error": t, "train_error": r, "wall_time_s": 10.0 * (p + 1)}
          for p, (t, r) in enumerate(zip(test_errors, train_errors))]
  (path / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_compare_runs_counts_the_patterns_each_pass_differs_by(tmp_path):
  from experiments.tools import compare_runs
  from lenet import rundir
  committed = json.loads((rundir.idx.REPO_ROOT / "results/lenet5/seed_0/config.json").read_text())
  other = json.loads(json.dumps(committed))
  other["seed"] = 7
  _write_run(tmp_path / "a", committed, [0.0222, 0.0175, 0.0121], [0.0234, 0.0174, 0.0110])
  _write_run(tmp_path / "b", committed, [0.0225, 0.0175], [0.0234, 0.0170])
  _write_run(tmp_path / "c", other, [0.0222], [0.0234])
  lines, worst = compare_runs.compare(rundir.RunDir(tmp_path / "a"), rundir.RunDir(tmp_path / "b"))
  assert worst == {"held_out": 3, "train": 24, "passes": 2}  # 0.0003 of 10,000; 0.0004 of 60,000
  assert len(lines) == 3 and "-3" in lines[1] and "+24" in lines[2]
  assert compare_runs.set_sizes(committed) == (60_000, 10_000)
  assert compare_runs.set_sizes({"data": {"train_size": 2_000, "validation_size": 10_000}}) == (
      2_000, 10_000)  # data.train_size counts the patterns trained on (lenet.data.dataset)
  assert compare_runs.set_sizes({"data": {"train_size": 0, "validation_size": 10_000}}) == (
      50_000, 10_000)
  assert compare_runs.differing_fields(committed, committed) == []
  assert compare_runs.differing_fields(other, committed) == ["seed"]
  out = subprocess.run([sys.executable, "-m", "experiments.tools.compare_runs",
                        f"--run={tmp_path / 'c'}", f"--reference={tmp_path / 'a'}"],
                       capture_output=True, text=True, check=True).stdout
  assert out.splitlines()[0] == "# the configs differ in: seed"
  assert out.splitlines()[-1] == "max_held_out_diff=0 max_train_diff=0 passes=1"
  missing = subprocess.run([sys.executable, "-m", "experiments.tools.compare_runs",
                            f"--run={tmp_path / 'none'}", f"--reference={tmp_path / 'a'}"],
                           capture_output=True, text=True, check=False)
  assert missing.returncode == 1 and missing.stderr.count("\n") == 1
  assert "has no metrics.jsonl" in missing.stderr
