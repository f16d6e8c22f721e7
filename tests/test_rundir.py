"""lenet/rundir.py: a run's identity, claiming a directory, the outcome files."""
import json
import pathlib

import jax
import numpy as np
import pytest

from experiments.configs import lenet5
from lenet import errors
from lenet import evaluation
from lenet import rundir


def test_a_field_added_later_counts_as_its_default():
  config = lenet5.get_config()
  recorded = json.loads(config.to_json())
  del recorded["data"]["validation_size"]
  assert rundir.same_run(recorded, config)
  recorded["loss"]["j"] = 2.0
  assert not rundir.same_run(recorded, config)
  recorded = json.loads(config.to_json())
  recorded["train"]["no_such_field"] = 1  # a field the configs never had
  assert not rundir.same_run(recorded, config)


def test_a_run_recorded_before_a_field_is_not_a_run_with_another_value():
  """A run made before validation splits existed trained on all 60,000: it is not the run of a
  config that holds 10,000 out (a K-NN selection once adopted such a network)."""
  config = lenet5.get_config()
  recorded = json.loads(config.to_json())
  del recorded["data"]["validation_size"], recorded["data"]["distortion"]
  assert rundir.same_run(recorded, config)
  config.data.validation_size = 10_000
  assert not rundir.same_run(recorded, config)
  config.data.validation_size = 0
  config.data.distortion.range_scale = 2.0
  assert not rundir.same_run(recorded, config)
  # the first runs were recorded before `network` existed: LeNet-5 without distortions
  config = lenet5.get_config()
  recorded = json.loads(config.to_json())
  del recorded["network"], recorded["data"]["distortion"]
  assert rundir.same_run(recorded, config)
  config.network, config.data.distortion.copies = "lenet5_dist", 9
  assert not rundir.same_run(recorded, config)


def test_an_svm_recorded_before_the_virtual_and_reduced_fields_had_neither():
  """SVM poly 4 ran before svm.virtual, svm.reduced and svm.multiclass existed: one machine, all
  its vectors, one-vs-one. The report reads its cost and determinism from the config so
  completed."""
  from experiments.configs import rssvm_poly5, svm_poly4
  from experiments.report import tables
  from lenet import methods
  one_vs_one = svm_poly4.get_config()
  one_vs_one.svm.multiclass = "one_vs_one"
  recorded = json.loads(one_vs_one.to_json())
  del recorded["svm"]["virtual"], recorded["svm"]["reduced"], recorded["svm"]["multiclass"]
  assert rundir.same_run(recorded, one_vs_one)
  assert not rundir.same_run(recorded, svm_poly4.get_config())
  assert not rundir.same_run(recorded, rssvm_poly5.get_config())
  recorded["network"] = "rssvm_poly5"
  config = tables.recorded_config("rssvm_poly5", recorded)
  assert config.svm.reduced == 0 and methods.deterministic(config)
  assert methods.cost(config, {"support_vectors": 100})["macs"] == 100 * (400 + 9)


def test_claim_refuses_another_config_and_writes_nothing(tmp_path):
  run = rundir.RunDir(tmp_path / "run")
  assert run.state() == "pending" and run.claim(lenet5.get_config()) is None
  assert run.state(lenet5.get_config()) == "started"
  before = (run / rundir.CONFIG).read_bytes()
  other = lenet5.get_config()
  other.optimizer.mu = 0.02
  with pytest.raises(errors.WorkdirConflict, match="different config"):
    run.claim(other)
  assert (run / rundir.CONFIG).read_bytes() == before
  assert run.state(other) == "different config"


def test_the_outcome_of_penalties(tmp_path):
  run = rundir.RunDir(tmp_path)
  penalties = np.array([[0.0, 1.0], [2.0, 0.5], [0.1, 0.0], [0.0, 3.0]])
  labels = np.array([0, 1, 0, 0])
  summary = run.write_outcome(penalties, labels, {"seed": 3})
  assert json.loads((tmp_path / rundir.MISCLASSIFIED).read_text()) == {
      "test_index": [2], "label": [0], "predicted": [1]}
  assert summary == {"seed": 3, "test_error": 0.25, "test_errors": 1,
                     **evaluation.rejection_summary(penalties, labels)}
  assert run.summary() == summary and run.state() == "finished"


def test_versions_name_the_cpus_vector_instructions():
  """Bitwise results hold per kind of CPU (tests/train/test_fit.py): each run records its kind,
  read off /proc/cpuinfo's flags."""
  isa = rundir.software_versions()["cpu_vector_isa"]
  assert isa in ("avx512", "avx2", "other")
  cpuinfo = pathlib.Path("/proc/cpuinfo")
  flags = cpuinfo.read_text() if cpuinfo.exists() else ""
  assert (isa == "avx512") == (" avx512f" in flags)


def _state(seed: int):
  rng = np.random.RandomState(seed)
  return {"w": rng.randn(3, 4).astype(np.float32), "opt": (rng.randn(4).astype(np.float32),
                                                          np.int32(seed))}


def test_checkpoints_keep_the_last_two_passes_and_restore_them_exactly(tmp_path):
  ckpt = rundir.Checkpoints(tmp_path / "checkpoints")
  assert ckpt.latest() is None
  for p in (1, 2, 3):
    ckpt.save(p, _state(p))
  assert sorted(f.name for f in (tmp_path / "checkpoints").iterdir()) == [
      "pass_2.npz", "pass_3.npz"]
  assert ckpt.latest() == 3
  restored = ckpt.restore(2, _state(0))
  for a, b in zip(jax.tree.leaves(restored), jax.tree.leaves(_state(2))):
    np.testing.assert_array_equal(a, b)
  with pytest.raises(errors.WorkdirConflict, match="not the shapes of the run's"):
    ckpt.restore(3, {"w": np.zeros((2, 2), np.float32)})
  (tmp_path / "checkpoints" / "pass_3.npz").write_bytes(b"half a file")
  with pytest.raises(errors.WorkdirConflict, match="cannot read the checkpoint .*pass_3.npz"):
    ckpt.restore(3, _state(0))


def test_checkpoints_of_earlier_versions_orbax_are_still_read(tmp_path):
  import orbax.checkpoint as ocp  # pylint: disable=g-import-not-at-top
  leaves = {f"{i:04d}": np.asarray(x) for i, x in enumerate(jax.tree.leaves(_state(5)))}
  with ocp.CheckpointManager((tmp_path / "checkpoints").resolve()) as manager:
    manager.save(4, args=ocp.args.StandardSave(leaves))
  ckpt = rundir.Checkpoints(tmp_path / "checkpoints")
  assert ckpt.latest() == 4
  for a, b in zip(jax.tree.leaves(ckpt.restore(4, _state(0))), jax.tree.leaves(_state(5))):
    np.testing.assert_array_equal(a, b)
  ckpt.save(5, _state(6))  # a resumed run goes on in the new layout
  assert ckpt.latest() == 5
