"""lenet/data.py and lenet/fetch.py: IDX parsing, verification, errors, preprocessing."""
import gzip
import shutil
import subprocess
import sys

import numpy as np
import pytest

from lenet import data
from lenet import fetch


def write_idx(path, array, magic=None):
  array = np.asarray(array, np.uint8)
  magic = magic if magic is not None else (0x00000800 | array.ndim)
  header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
  path.write_bytes(header + array.tobytes())
  return path


def write_set(directory, n_train=6, n_test=4, gz=False):
  rng = np.random.default_rng(0)
  arrays = {"train_images": rng.integers(0, 256, (n_train, 28, 28)),
            "train_labels": rng.integers(0, 10, n_train),
            "test_images": rng.integers(0, 256, (n_test, 28, 28)),
            "test_labels": rng.integers(0, 10, n_test)}
  for role, name in data.IDX_FILES.items():
    p = write_idx(directory / name, arrays[role])
    if gz:
      with open(p, "rb") as f, gzip.open(f"{p}.gz", "wb") as g:
        g.write(f.read())
      p.unlink()
  return arrays


@pytest.mark.parametrize("gz", [False, True])
def test_reads_any_idx_directory(tmp_path, gz):
  arrays = write_set(tmp_path, gz=gz)
  got = data.read_idx_dir(tmp_path, checksums="")
  for role, a in arrays.items():
    np.testing.assert_array_equal(got[role], a)


def test_unknown_checksums_are_reported(tmp_path, caplog):
  write_set(tmp_path)
  data.read_idx_dir(tmp_path, checksums="")
  assert "No known SHA-256" in caplog.text and "train-images-idx3-ubyte" in caplog.text


def test_sha256sums_file_is_checked(tmp_path):
  write_set(tmp_path)
  (tmp_path / "SHA256SUMS").write_text(f"{'0' * 64}  t10k-labels-idx1-ubyte\n")
  with pytest.raises(data.ChecksumError, match="t10k-labels-idx1-ubyte"):
    data.read_idx_dir(tmp_path, checksums="")


def test_missing_file_names_it_and_how_to_fetch(tmp_path):
  write_set(tmp_path)
  (tmp_path / "t10k-images-idx3-ubyte").unlink()
  with pytest.raises(data.DataError, match=r"t10k-images-idx3-ubyte.*make data"):
    data.read_idx_dir(tmp_path, checksums="")


def test_truncated_file(tmp_path):
  p = write_idx(tmp_path / "x", np.zeros((3, 28, 28)))
  p.write_bytes(p.read_bytes()[:-10])
  with pytest.raises(data.DataError, match="truncated"):
    data.read_idx(p)


def test_truncated_gzip(tmp_path):
  p = write_idx(tmp_path / "x", np.zeros((3, 28, 28)))
  raw = gzip.compress(p.read_bytes())
  (tmp_path / "x.gz").write_bytes(raw[: len(raw) // 2])
  with pytest.raises(data.DataError, match="cannot read"):
    data.read_idx(tmp_path / "x.gz")


def test_wrong_magic_number(tmp_path):
  p = write_idx(tmp_path / "x", np.zeros((3, 28, 28)), magic=0x00000D03)  # float data
  with pytest.raises(data.DataError, match="magic number 0x00000d03"):
    data.read_idx(p)


def test_image_and_label_counts_disagree(tmp_path):
  write_set(tmp_path)
  write_idx(tmp_path / "train-labels-idx1-ubyte", np.zeros(5))
  with pytest.raises(data.DataError, match="6 train images but 5 train labels"):
    data.read_idx_dir(tmp_path, checksums="")


def test_checksum_mismatch_names_the_file(tmp_path):
  write_set(tmp_path)  # right names, wrong content: MNIST's digests must reject them
  with pytest.raises(data.ChecksumError, match="train-images-idx3-ubyte"):
    data.read_idx_dir(tmp_path, checksums="mnist")


def test_unknown_source_and_format_are_rejected():
  with pytest.raises(ValueError, match="data.input_format"):
    data.preprocess(np.zeros((1, 28, 28), np.uint8), "pad30")


def test_paper_normalization_and_padding():
  img = np.zeros((1, 28, 28), np.uint8)
  img[0, 0, 0] = 255
  x = data.preprocess(img, "pad32")
  assert x.shape == (1, 32, 32, 1) and x.dtype == np.float32
  assert x[0, 2, 2, 0] == pytest.approx(1.175)  # ink, shifted by the 2-pixel border
  assert x[0, 0, 0, 0] == pytest.approx(-0.1) and x[0, 31, 31, 0] == pytest.approx(-0.1)
  assert (x == np.float32(-0.1)).sum() == 32 * 32 - 1


def test_lenet1_input_is_16x16_centred_in_28x28():
  img = np.zeros((1, 28, 28), np.uint8)
  img[0, 4:24, 4:24] = 255  # MNIST's 20x20 digit box, centred
  x = data.preprocess(img, "center16in28")[0, ..., 0]
  assert x.shape == (28, 28)
  ink = np.argwhere(x > 1.0)
  assert ink.min(0).tolist() == [6, 6] and ink.max(0).tolist() == [21, 21]
  assert (x > -0.1).sum() == 16 * 16  # exactly 16x16, nothing smeared outside
  # area averaging keeps the ink: 400 full pixels become 256
  raw = data.rescale(np.full((1, 28, 28), 100, np.uint8), 0.8)
  assert raw[0, 3:25, 3:25].min() == 100 and raw[0, 0, 0] == 0


def test_real_mnist_matches_its_known_statistics(mnist_dir):
  raw = data.read_idx_dir(mnist_dir)  # verifies SHA-256
  assert np.bincount(raw["train_labels"]).tolist() == [
      5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
  assert raw["test_images"].shape == (10000, 28, 28)
  x = raw["train_images"] / 255.0
  assert x.mean() == pytest.approx(0.1307, abs=1e-4) and x.std() == pytest.approx(0.3081, abs=1e-4)


def test_fetch_from_directory_verifies_and_installs(mnist_dir, tmp_path):
  target = tmp_path / "mnist"
  fetch.fetch(target, source_dir=str(mnist_dir))
  assert sorted(p.name for p in target.iterdir()) == sorted(data.IDX_FILES.values())
  assert fetch.fetch(target) == target  # already there: nothing to do


def test_fetch_rejects_a_corrupt_source_file(mnist_dir, tmp_path):
  src = tmp_path / "src"
  src.mkdir()
  for name in data.IDX_FILES.values():
    shutil.copy(mnist_dir / name, src / name)
  with open(src / "t10k-labels-idx1-ubyte", "r+b") as f:
    f.seek(100)
    f.write(b"\x07")
  with pytest.raises(data.ChecksumError, match="t10k-labels-idx1-ubyte"):
    fetch.fetch(tmp_path / "target", source_dir=str(src))
  assert not (tmp_path / "target" / "t10k-labels-idx1-ubyte").exists()


def test_tfds_is_imported_only_on_its_path():
  code = ("import sys, lenet.data, lenet.train; "
          "assert 'tensorflow_datasets' not in sys.modules; print('ok')")
  out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
  assert out.stdout.strip() == "ok"


def test_tfds_source_without_prepared_data_says_what_to_do(tmp_path):
  from tests.conftest import small_config  # pylint: disable=g-import-not-at-top
  cfg = small_config(data__source="tfds", data__tfds_dir=str(tmp_path))
  with pytest.raises(data.DataError, match="tfds build mnist"):
    data.load(cfg.data)
