"""lenet/data/dataset.py: the data set of a run, its validation split, the tfds source."""
import subprocess
import sys

import numpy as np
import pytest

from lenet.data import dataset
from lenet.data import idx
from tests.conftest import small_config


def test_validation_split_is_fixed_disjoint_and_in_file_order():
  kept, held = dataset.validation_split(100, 20)
  assert len(kept) == 80 and len(held) == 20 and not set(kept) & set(held)
  assert sorted(np.concatenate([kept, held]).tolist()) == list(range(100))
  assert (np.diff(kept) > 0).all() and (np.diff(held) > 0).all()
  again = dataset.validation_split(100, 20)
  assert np.array_equal(again[1], held)  # the same for every run
  assert len(dataset.validation_split(100, 0)[1]) == 0
  with pytest.raises(ValueError, match="data.validation_size"):
    dataset.validation_split(100, 100)


def test_validation_folds_are_disjoint_blocks_and_fold_0_is_the_split():
  folds = [dataset.validation_split(100, 20, k)[1] for k in range(5)]
  np.testing.assert_array_equal(folds[0], dataset.validation_split(100, 20)[1])
  assert sorted(np.concatenate(folds).tolist()) == list(range(100))  # each pattern once
  kept, held = dataset.validation_split(100, 20, 3)
  assert not set(kept) & set(held) and len(kept) == 80
  with pytest.raises(ValueError, match="data.validation_fold=5 is outside 0..4"):
    dataset.validation_split(100, 20, 5)


def test_load_holds_out_the_validation_split(mnist_dir):
  del mnist_dir
  c = small_config(data__validation_size=10_000, data__train_size=0).data
  d = dataset.load(c)
  assert (len(d.train_labels), len(d.validation_labels), len(d.test_labels)) == (
      50_000, 10_000, 10_000)
  raw = idx.read_idx_dir(idx.data_dir())
  kept, held = dataset.validation_split(60_000, 10_000)
  np.testing.assert_array_equal(d.validation_labels, raw["train_labels"][held])
  np.testing.assert_array_equal(d.train_labels, raw["train_labels"][kept])
  c.train_size = 1000  # the first 1,000 of the 50,000 kept
  np.testing.assert_array_equal(dataset.load(c).train_labels, raw["train_labels"][kept[:1000]])
  c.validation_size = 0  # no split: the file's first 1,000
  np.testing.assert_array_equal(dataset.load(c).train_labels, raw["train_labels"][:1000])


def test_tfds_is_imported_only_on_its_path():
  code = ("import sys, lenet.data.dataset, lenet.methods, lenet.train.fit; "
          "assert 'tensorflow_datasets' not in sys.modules; print('ok')")
  out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
  assert out.stdout.strip() == "ok"


def test_tfds_source_without_prepared_data_says_what_to_do(tmp_path):
  cfg = small_config(data__source="tfds", data__tfds_dir=str(tmp_path))
  with pytest.raises(idx.DataError, match="tfds build mnist"):
    dataset.load(cfg.data)
