"""lenet/train (fit, kernels, orders, multiseed) through lenet.methods on real MNIST: learning,
resume, the NaN stop, vmapped and sharded seeds, evaluation from the weights file."""
import importlib
import json
import pathlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import lenet
from lenet import methods
from lenet import rundir
from lenet.data import dataset as dataset_lib
from lenet.methods import network
from lenet.nn import models
from lenet.optim import optimizers
from lenet.train import fit
from lenet.train import kernels
from lenet.train import orders
from tests.conftest import small_config


@pytest.fixture(scope="module")
def short_run(mnist_dir, tmp_path_factory):
  """Two passes over 1,000 real training patterns with the paper's recipe."""
  del mnist_dir
  workdir = tmp_path_factory.mktemp("run")
  return workdir, methods.run(small_config(), workdir)


def test_training_lowers_the_error(short_run):
  workdir, summary = short_run
  rows = [json.loads(l) for l in (workdir / "metrics.jsonl").read_text().splitlines()]
  assert [r["pass"] for r in rows] == [1, 2]
  assert summary["test_error"] < 0.25  # chance is 0.9
  assert rows[1]["train_loss"] < rows[0]["train_loss"]
  for key in ("test_error", "train_error", "train_loss", "learning_rate", "wall_time_s",
              "step_size_min", "step_size_max"):
    assert key in rows[0]
  assert rows[0]["learning_rate"] == 5e-4


def test_run_directory_contents(short_run):
  workdir, summary = short_run
  for name in ("config.json", "versions.json", "metrics.jsonl", "summary.json",
               "misclassified.json", "params.msgpack"):
    assert (workdir / name).exists(), name
  wrong = json.loads((workdir / "misclassified.json").read_text())
  assert len(wrong["test_index"]) == summary["test_errors"]
  assert json.loads((workdir / "versions.json").read_text())["jax"] == jax.__version__


def test_evaluate_from_the_weights_file_alone(short_run):
  """The public surface: a run directory and MNIST's test set give the run's test error."""
  workdir, summary = short_run
  net = lenet.load_run(workdir)
  images, labels = lenet.read_mnist("test")
  assert float((net.classify(images) != labels).mean()) == summary["test_error"]
  assert net.penalties(images[:3]).shape == (3, 10)


def test_same_seed_same_numbers(short_run, tmp_path):
  workdir, summary = short_run
  again = methods.run(small_config(), tmp_path)
  assert again["test_errors"] == summary["test_errors"]
  assert (tmp_path / "params.msgpack").read_bytes() == (workdir / "params.msgpack").read_bytes()


def test_resume_after_interruption_gives_the_same_parameters(short_run, tmp_path, monkeypatch):
  workdir, _ = short_run
  original_save = rundir.Checkpoints.save

  def save_then_die(self, passes_done, state):
    original_save(self, passes_done, state)
    raise KeyboardInterrupt("killed after pass 1")

  monkeypatch.setattr(rundir.Checkpoints, "save", save_then_die)
  with pytest.raises(KeyboardInterrupt):
    methods.run(small_config(), tmp_path)
  monkeypatch.setattr(rundir.Checkpoints, "save", original_save)
  assert not (tmp_path / "params.msgpack").exists()
  methods.run(small_config(), tmp_path)  # resumes after pass 1
  assert (tmp_path / "params.msgpack").read_bytes() == (workdir / "params.msgpack").read_bytes()
  rows = [json.loads(l) for l in (tmp_path / "metrics.jsonl").read_text().splitlines()]
  assert [r["pass"] for r in rows] == [1, 2]


def test_nan_stops_the_run_naming_pass_and_pattern(mnist_dir, tmp_path, monkeypatch):
  del mnist_dir
  real_load = dataset_lib.load

  def load_with_a_nan(cfg):
    d = real_load(cfg)
    d.train_images[17, 5, 5, 0] = np.nan
    return d

  monkeypatch.setattr(dataset_lib, "load", load_with_a_nan)
  with pytest.raises(fit.TrainingDiverged,
                     match=r"pass 1 at step \d+ \(training pattern\(s\) \[17\]\)"):
    methods.run(small_config(), tmp_path)
  assert not (tmp_path / "params.msgpack").exists()


def test_a_different_config_in_the_same_workdir_is_refused(short_run):
  workdir, _ = short_run
  with pytest.raises(ValueError, match="different config"):
    methods.run(small_config(loss__j=2.0), workdir)


def test_the_corrected_command_runs_in_the_workdir_of_a_refused_one(mnist_dir, tmp_path):
  del mnist_dir
  with pytest.raises(ValueError, match="model.pooling"):
    methods.run(_tiny(model__pooling="median"), tmp_path)
  assert methods.run(_tiny(), tmp_path)["passes"] == 1


@pytest.mark.parametrize("override, field", [
    (dict(optimizer__name="lbfgs"), "optimizer.name"),
    (dict(optimizer__schedule="cosine"), "optimizer.schedule"),
    (dict(optimizer__output_curvature="exact"), "optimizer.output_curvature"),
    (dict(train__order="sorted"), "train.order"),
    (dict(loss__name="hinge"), "loss.name"),
    (dict(train__batch_size=0), "train.batch_size"),
    (dict(train__patterns_per_pass=-1), "train.patterns_per_pass"),
    (dict(optimizer__eta_scale=0.0), "optimizer.eta_scale"),
    (dict(model__pooling="median"), "model.pooling"),
    (dict(data__input_format="pad30"), "data.input_format"),
    (dict(data__validation_size=-5), "data.validation_size")])
def test_unknown_values_are_rejected_before_anything_is_written(override, field, tmp_path):
  with pytest.raises(methods.errors.ConfigError, match=field):
    methods.run(small_config(**override), tmp_path / "run")
  assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("name", ["sdlm", "sgd"])
def test_eta_scale_multiplies_every_update(name):
  cfg = small_config(optimizer__name=name)
  params = {"w": jnp.ones(3)}
  grads = {"w": jnp.array([0.1, -0.2, 0.3])}
  updates = []
  for scale in (1.0, 32.0):
    cfg.optimizer.eta_scale = scale
    optimizer = optimizers.make(cfg.optimizer, steps_per_pass=4)
    state = optimizer.init(params)
    for _ in range(9):  # into the third pass of the paper's schedule (eta 2e-4)
      update, state = optimizer.update(grads, state, params)
    updates.append(update["w"])
    assert optimizers.pass_learning_rate(cfg.optimizer, 2) == pytest.approx(scale * 2e-4)
  np.testing.assert_allclose(updates[1], 32 * updates[0], rtol=1e-6)
  assert float(jnp.abs(updates[0]).max()) > 0


def test_minibatch_steps_wrap_around():
  steps = orders.steps_of(np.arange(10), 4)
  assert steps.tolist() == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 0, 1]]


@pytest.mark.slow
@pytest.mark.parametrize("network", ["lenet5", "lenet1"])
def test_layer_by_layer_evaluation_equals_the_model(network):
  """make_penalties_fn evaluates each layer in its own chunked loop (LAYER_CHUNK); 250 patterns
  in chunks of 120 exercise the padding of both loops."""
  cfg = importlib.import_module(f"experiments.configs.{network}").get_config()
  model = models.build(cfg.model, seed=0)
  fns, params = kernels.ModelFns.split(model)
  x = jax.random.uniform(jax.random.PRNGKey(1), (250, *model.input_shape), minval=-0.1,
                         maxval=1.175)
  staged = kernels.make_penalties_fn(fns, 120)(params, x)
  subset = kernels.make_penalties_fn(fns, 120)(params, x, jnp.arange(7, 20))
  np.testing.assert_allclose(staged, model(x), rtol=1e-5, atol=1e-4)
  np.testing.assert_array_equal(subset, staged[7:20])


@pytest.mark.slow
def test_chunked_gradients_give_the_same_update():
  cfg = small_config(optimizer__name="sgd", optimizer__schedule="constant",
                     optimizer__learning_rate=0.01)
  fns, params = kernels.ModelFns.split(models.build(cfg.model, seed=0))
  optimizer = optimizers.make(cfg.optimizer, 1)
  x = jax.random.uniform(jax.random.PRNGKey(0), (8, 32, 32, 1), minval=-0.1, maxval=1.175)
  y = jnp.arange(8) % 10
  steps = jnp.arange(8).reshape(2, 4)
  results = []
  for chunk in (0, 2):
    p = jax.tree.map(jnp.array, params)
    p, _, stats = kernels.make_pass_fn(fns, kernels.criterion(cfg), optimizer, chunk)(
        p, optimizer.init(p), steps, x, y)
    results.append((p, float(stats["loss_sum"])))
  for a, b in zip(jax.tree.leaves(results[0][0]), jax.tree.leaves(results[1][0])):
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)  # float32 rounding of a reordered sum
  assert results[0][1] == pytest.approx(results[1][1], rel=1e-6)


def test_a_run_recorded_before_a_field_existed_counts_as_its_default(short_run, tmp_path):
  workdir, summary = short_run
  old = tmp_path / "old"
  old.mkdir()
  recorded = json.loads((workdir / "config.json").read_text())
  del recorded["data"]["distortion"], recorded["network"]
  (old / "config.json").write_text(json.dumps(recorded))
  (old / "summary.json").write_text(json.dumps(summary))
  assert methods.run(small_config(), old) == summary  # finished: not retrained
  recorded["train"]["no_such_field"] = 1
  (old / "config.json").write_text(json.dumps(recorded))
  with pytest.raises(ValueError, match="different config"):
    methods.run(small_config(), old)


def _tiny(passes=1, **overrides):
  c = small_config(train__passes=passes, **overrides)
  c.data.train_size = 300
  return c


def test_a_long_pass_continues_the_fixed_order(mnist_dir, tmp_path):
  """train.patterns_per_pass = 3n makes one pass the same updates as three passes of n (fixed
  order, constant eta, h_kk estimated once): Fig. 6's small sets at the 60,000-set's updates."""
  del mnist_dir
  def config(passes, per_pass):
    c = _tiny(passes)
    c.optimizer.schedule, c.optimizer.curvature_update = "constant", "first_pass"
    c.train.patterns_per_pass = per_pass
    return c
  long = methods.run(config(1, 900), tmp_path / "long")
  short = methods.run(config(3, 0), tmp_path / "short")
  assert (long["patterns_per_pass"], short["patterns_per_pass"]) == (900, 300)
  assert long["test_error"] == short["test_error"]
  trained = [network.load(config(1, 0), tmp_path / d)[1] for d in ("long", "short")]
  for a, b in zip(*map(jax.tree.leaves, trained)):
    np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_vmapped_seeds_equal_sequential_runs(mnist_dir, tmp_path):
  del mnist_dir
  seq = network.run_seeds(_tiny(), [0, 1], [tmp_path / "s0", tmp_path / "s1"], vmap=False)
  vm = network.run_seeds(_tiny(), [0, 1], [tmp_path / "v0", tmp_path / "v1"], vmap=True)
  assert vm[0]["vmapped_with"] == [0, 1] and "vmapped_with" not in seq[0]
  for s in (0, 1):
    assert (tmp_path / f"v{s}" / "params.msgpack").read_bytes() == (
        tmp_path / f"s{s}" / "params.msgpack").read_bytes()
    assert [json.loads(l)["train_loss"] for l in (tmp_path / f"v{s}" / "metrics.jsonl")
            .read_text().splitlines()] == [json.loads(l)["train_loss"] for l in (
                tmp_path / f"s{s}" / "metrics.jsonl").read_text().splitlines()]
  # the two seeds train differently, so that the equalities above compare different runs
  assert (tmp_path / "s0" / "params.msgpack").read_bytes() != (
      tmp_path / "s1" / "params.msgpack").read_bytes()


def test_vmapped_seeds_resume_and_skip_finished(mnist_dir, tmp_path):
  """Seed 0 finished alone; seeds 0-2 together then train only 1 and 2, as a group."""
  del mnist_dir
  first = methods.run(_tiny(), tmp_path / "0")
  out = network.run_seeds(_tiny(), [0, 1, 2], [tmp_path / str(s) for s in range(3)], vmap=True)
  assert out[0] == first and out[1]["vmapped_with"] == [1, 2]


SHARDED = """
import json, pathlib, sys
import jax
assert len(jax.devices()) == 2, jax.devices()
from lenet.methods import network
from tests.train.test_fit import _tiny
root = pathlib.Path(sys.argv[1])
network.run_seeds(_tiny(), [0, 1], [root / "v0", root / "v1"], vmap=True)
"""


def test_seed_axis_sharded_across_two_devices(mnist_dir, tmp_path):
  """Two host devices: the vmapped seeds are split between them and give the same weights, up to
  float rounding."""
  del mnist_dir
  import os, subprocess, sys  # pylint: disable=g-import-not-at-top,multiple-imports
  env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=2 "
             "--xla_cpu_experimental_ynn_fusion_type=", PYTHONPATH=str(rundir.idx.REPO_ROOT))
  subprocess.run([sys.executable, "-c", SHARDED, str(tmp_path)], env=env, check=True,
                 capture_output=True)
  network.run_seeds(_tiny(), [0], [tmp_path / "s0"])
  # The partitioned program rounds differently in the last bits; 300 updates keep that small.
  from flax import serialization  # pylint: disable=g-import-not-at-top
  load = lambda d: jax.tree.leaves(serialization.msgpack_restore(  # noqa: E731
      (tmp_path / d / "params.msgpack").read_bytes()))
  for a, b in zip(load("v0"), load("s0")):
    np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-5)


@pytest.mark.slow
def test_lenet5_pass_1_is_the_committed_runs(mnist_dir, tmp_path):
  """The paper's recipe, seed 0, all 60,000 patterns: pass 1 gives exactly the numbers of the
  committed run (results/lenet5/seed_0, made on an AVX-512 CPU by the code before the library
  was reshaped), or on an AVX2 CPU those of the same code there (lenet5_pass1_references.json:
  the same start and step sizes, then float sums in another order)."""
  del mnist_dir
  isa = rundir.cpu_vector_isa()
  references = json.loads((pathlib.Path(__file__).parent / "lenet5_pass1_references.json")
                          .read_text())
  if isa == "avx512":
    reference = rundir.RunDir(rundir.idx.REPO_ROOT / "results/lenet5/seed_0").read_metrics(1)[0]
    del reference["wall_time_s"]
  elif isa in references:
    reference = references[isa]
  else:
    pytest.skip(f"no pass-1 reference for this CPU ({isa})")
  from experiments.configs import lenet5  # pylint: disable=g-import-not-at-top
  config = lenet5.get_config()
  config.train.passes = 1
  methods.run(config, tmp_path)
  ours = rundir.RunDir(tmp_path).read_metrics()[0]
  del ours["wall_time_s"]
  assert ours == reference
