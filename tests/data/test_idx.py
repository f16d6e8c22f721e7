"""lenet/data/idx.py and fetch.py: IDX parsing, verification, errors, fetching."""
import gzip
import shutil

import numpy as np
import pytest

from lenet.data import fetch
from lenet.data import idx


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
  for role, name in idx.IDX_FILES.items():
    p = write_idx(directory / name, arrays[role])
    if gz:
      with open(p, "rb") as f, gzip.open(f"{p}.gz", "wb") as g:
        g.write(f.read())
      p.unlink()
  return arrays


@pytest.mark.parametrize("gz", [False, True])
def test_reads_any_idx_directory(tmp_path, gz):
  arrays = write_set(tmp_path, gz=gz)
  got = idx.read_idx_dir(tmp_path, checksums="")
  for role, a in arrays.items():
    np.testing.assert_array_equal(got[role], a)


def test_unknown_checksums_are_reported(tmp_path, caplog):
  write_set(tmp_path)
  idx.read_idx_dir(tmp_path, checksums="")
  assert "No known SHA-256" in caplog.text and "train-images-idx3-ubyte" in caplog.text


def test_sha256sums_file_is_checked(tmp_path):
  write_set(tmp_path)
  (tmp_path / "SHA256SUMS").write_text(f"{'0' * 64}  t10k-labels-idx1-ubyte\n")
  with pytest.raises(idx.ChecksumError, match="t10k-labels-idx1-ubyte"):
    idx.read_idx_dir(tmp_path, checksums="")


def test_missing_file_names_it_and_how_to_fetch(tmp_path):
  write_set(tmp_path)
  (tmp_path / "t10k-images-idx3-ubyte").unlink()
  with pytest.raises(idx.DataError, match=r"t10k-images-idx3-ubyte.*make data"):
    idx.read_idx_dir(tmp_path, checksums="")


def test_truncated_file(tmp_path):
  p = write_idx(tmp_path / "x", np.zeros((3, 28, 28)))
  p.write_bytes(p.read_bytes()[:-10])
  with pytest.raises(idx.DataError, match="truncated"):
    idx.read_idx(p)


def test_truncated_gzip(tmp_path):
  p = write_idx(tmp_path / "x", np.zeros((3, 28, 28)))
  raw = gzip.compress(p.read_bytes())
  (tmp_path / "x.gz").write_bytes(raw[: len(raw) // 2])
  with pytest.raises(idx.DataError, match="cannot read"):
    idx.read_idx(tmp_path / "x.gz")


def test_wrong_magic_number(tmp_path):
  p = write_idx(tmp_path / "x", np.zeros((3, 28, 28)), magic=0x00000D03)  # float data
  with pytest.raises(idx.DataError, match="magic number 0x00000d03"):
    idx.read_idx(p)


def test_image_and_label_counts_disagree(tmp_path):
  write_set(tmp_path)
  write_idx(tmp_path / "train-labels-idx1-ubyte", np.zeros(5))
  with pytest.raises(idx.DataError, match="6 train images but 5 train labels"):
    idx.read_idx_dir(tmp_path, checksums="")


def test_checksum_mismatch_names_the_file(tmp_path):
  write_set(tmp_path)  # right names, wrong content: MNIST's digests must reject them
  with pytest.raises(idx.ChecksumError, match="train-images-idx3-ubyte"):
    idx.read_idx_dir(tmp_path, checksums="mnist")


def test_real_mnist_matches_its_known_statistics(mnist_dir):
  raw = idx.read_idx_dir(mnist_dir)  # verifies SHA-256
  assert np.bincount(raw["train_labels"]).tolist() == [
      5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
  assert raw["test_images"].shape == (10000, 28, 28)
  x = raw["train_images"] / 255.0
  assert x.mean() == pytest.approx(0.1307, abs=1e-4) and x.std() == pytest.approx(0.3081, abs=1e-4)


def test_fetch_from_directory_verifies_and_installs(mnist_dir, tmp_path):
  target = tmp_path / "mnist"
  fetch.fetch(target, source_dir=str(mnist_dir))
  assert sorted(p.name for p in target.iterdir()) == sorted(idx.IDX_FILES.values())
  assert fetch.fetch(target) == target  # already there: nothing to do


def test_fetch_rejects_a_corrupt_source_file(mnist_dir, tmp_path):
  src = tmp_path / "src"
  src.mkdir()
  for name in idx.IDX_FILES.values():
    shutil.copy(mnist_dir / name, src / name)
  with open(src / "t10k-labels-idx1-ubyte", "r+b") as f:
    f.seek(100)
    f.write(b"\x07")
  with pytest.raises(idx.ChecksumError, match="t10k-labels-idx1-ubyte"):
    fetch.fetch(tmp_path / "target", source_dir=str(src))
  assert not (tmp_path / "target" / "t10k-labels-idx1-ubyte").exists()
