"""lenet/methods/boosting.py: Drucker et al.'s filters, the committee, and a tiny end-to-end run."""
import json

import jax
import numpy as np
import pytest

from experiments.configs import boosted_lenet4
from lenet import evaluation
from lenet import methods
from lenet.data import dataset
from lenet.methods import boosting
from lenet.methods import network
from lenet.train import kernels


def test_filter_gives_half_wrong_half_right():
  rng = np.random.default_rng(0)
  right = rng.random(5000) > 0.03  # net 1 wrong on about 3%
  chosen, stats = boosting.filtered_set(jax.random.PRNGKey(0), right, 2000)
  assert len(chosen) == 2000 and stats["wrong_available"] == (~right).sum()
  share_wrong = (~right[chosen]).mean()
  assert abs(share_wrong - 0.5) < 0.05 and share_wrong == stats["wrong_taken"] / 2000
  # the wrong ones are taken in turn before any repeats (supply of ~150 for ~1000 draws wraps)
  wrong_taken = chosen[~right[chosen]]
  assert len(set(wrong_taken[:stats["wrong_available"]])) == stats["wrong_available"]


def test_filter_needs_both_kinds():
  with pytest.raises(ValueError, match="right on all or none"):
    boosting.filtered_set(jax.random.PRNGKey(0), np.ones(10, bool), 10)


def test_net3_sees_only_disagreements():
  pred1 = np.array([0, 1, 2, 3, 4, 5])
  pred2 = np.array([0, 2, 2, 1, 4, 0])
  chosen, stats = boosting.disagreement_set(jax.random.PRNGKey(1), pred1, pred2, 7)
  assert set(chosen) == {1, 3, 5} and stats["disagreements_available"] == 3
  assert len(chosen) == 7


def test_new_patterns_filter_half_wrong_from_positions_no_net_trained_on(monkeypatch):
  """boosting.patterns="new": net 2's set from position `start` on (past the enlarged set), half
  wrong for net 1, each taken once in stream order; net 3's from where net 2's scan ended."""
  monkeypatch.setattr(boosting, "SCAN_CHUNK", 1000)  # many chunks, a progress line every 10
  monkeypatch.setattr(boosting, "SCAN_LOG_EVERY", 10_000)
  rng = np.random.default_rng(0)
  wrong_at = rng.random(200_000) < 0.03  # net 1 wrong on about 3% of the new stream
  net1_wrong = lambda pos: wrong_at[pos - 1000]  # noqa: E731
  chosen, stats, end = boosting.new_filtered_set(jax.random.PRNGKey(0), net1_wrong, 1000, 2000,
                                                 limit=190_000)
  assert len(chosen) == len(set(chosen)) == 2000 and chosen.min() >= 1000 and chosen.max() < end
  assert (net1_wrong(chosen)).sum() == stats["wrong_taken"] and abs(stats["wrong_taken"] - 1000) < 80
  # the wrong ones are exactly the first wrong_taken wrong positions of the stream
  first_wrong = 1000 + np.flatnonzero(wrong_at)[:stats["wrong_taken"]]
  np.testing.assert_array_equal(np.sort(chosen[net1_wrong(chosen)]), first_wrong)
  assert end == max(chosen) + 1 and stats["new_examined"] == end - 1000
  disagree_at = rng.random(400_000) < 0.05
  set3, stats3 = boosting.new_disagreement_set(lambda pos: disagree_at[pos], end, 500, 390_000)
  assert len(set3) == 500 and set3.min() >= end and disagree_at[set3].all()
  assert stats3["new_from"] == end
  with pytest.raises(ValueError, match="new_patterns_limit"):
    boosting.new_filtered_set(jax.random.PRNGKey(0), net1_wrong, 1000, 2000, limit=10_000)


def test_gate_threshold_gives_the_cost_on_the_training_set():
  rng = np.random.default_rng(1)
  train_penalties = rng.normal(size=(4000, 10))
  t = boosting.gate_threshold(train_penalties, 1.75)
  result = boosting.committee([train_penalties] * 3, t)
  assert result["gated_cost"] == pytest.approx(1.75, abs=0.001)
  with pytest.raises(ValueError, match="gate_cost"):
    boosting.gate_threshold(train_penalties, 3.5)


def test_committee_adds_the_outputs_and_gates_on_net1():
  p1 = np.array([[0.0, 5.0], [1.0, 1.1]])   # confident, then not
  p2 = np.array([[9.0, 0.0], [3.0, 0.0]])
  p3 = np.array([[9.0, 0.0], [3.0, 0.0]])
  result = boosting.committee([p1, p2, p3], threshold=1.0)
  assert result["pred"].tolist() == [1, 1]
  assert result["gated_pred"].tolist() == [0, 1]  # pattern 0: net 1 alone
  assert result["gated_cost"] == 2.0
  np.testing.assert_allclose(evaluation.margins(result["total"]), [13.0, 5.9])


def test_tiny_boosted_run_end_to_end_and_resume(mnist_dir, tmp_path):
  del mnist_dir
  c = boosted_lenet4.get_config()
  c.data.train_size = 300
  c.data.distortion.copies = 2
  c.train.passes = 1
  c.boosting.patterns = "enlarged_set"  # the ablation; the default is the next test's
  summary = methods.run(c, tmp_path)
  for k in (1, 2, 3):
    net = json.loads((tmp_path / f"net{k}" / "summary.json").read_text())
    assert net["seed"] == 1000 * (k - 1)
    assert json.loads((tmp_path / f"net{k}" / "config.json").read_text())["data"]["distortion"][
        "seed"] == 0  # one enlarged set for the committee
  # the committee's prediction is the smallest sum of the three nets' penalties
  test = dataset.load(c.data)
  total = 0
  for k in (1, 2, 3):
    nc = boosting.net_config(c, k)
    fns, params = network.load(nc, tmp_path / f"net{k}")
    total = total + np.asarray(kernels.make_penalties_fn(fns, 1000)(params, test.test_images))
  wrong = np.flatnonzero(total.argmin(1) != test.test_labels)
  assert json.loads((tmp_path / "misclassified.json").read_text())["test_index"] == wrong.tolist()
  assert 1.0 <= summary["gated_cost_nets"] <= 3.0
  assert summary["net2_set"]["wrong_taken"] > 100
  assert len(summary["net_test_errors"]) == 3
  assert methods.run(c, tmp_path) == summary  # finished: read back, not retrained


def test_tiny_boosted_run_on_new_patterns(mnist_dir, tmp_path):
  """Nets 2 and 3 train on positions past the enlarged set that net 1 trained on."""
  del mnist_dir
  c = boosted_lenet4.get_config()
  c.data.train_size, c.data.distortion.copies, c.train.passes = 300, 2, 1
  assert c.boosting.patterns == "new"  # the paper's reading is the default
  summary = methods.run(c, tmp_path)
  s2, s3 = summary["net2_set"], summary["net3_set"]
  assert s2["new_from"] == 900 and s3["new_from"] == 900 + s2["new_examined"]
  assert 100 < s2["wrong_taken"] < 200 and len(summary["net_test_errors"]) == 3
