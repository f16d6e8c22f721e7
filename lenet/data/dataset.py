"""A run's data: the training file (less a validation split) and the test file, preprocessed."""
from __future__ import annotations

import dataclasses

import numpy as np

from lenet import errors
from lenet.data import idx
from lenet.data.idx import DataError
from lenet.data import preprocess as preprocess_lib
from lenet.data.preprocess import preprocess

SOURCES = ("idx", "tfds")
MNIST_TRAIN_SIZE = 60_000  # patterns in MNIST's training file (Section III-A)


@dataclasses.dataclass(frozen=True)
class Dataset:
  """Preprocessed train and test sets as arrays, ready to live on the device."""
  train_images: np.ndarray  # (N, S, S, 1) float32
  train_labels: np.ndarray  # (N,) int32
  test_images: np.ndarray
  test_labels: np.ndarray
  validation_images: np.ndarray  # held out of the training file (data.validation_size), or none
  validation_labels: np.ndarray

  @property
  def num_train(self) -> int:
    return len(self.train_labels)

  @property
  def held_out(self) -> str:
    """The set a run is judged on: "validation" when one is held out (a selection run, which
    never looks at the test set), else "test"."""
    return "validation" if len(self.validation_labels) else "test"

  def held_out_set(self) -> tuple[np.ndarray, np.ndarray]:
    """(images, labels) of the set named by `held_out`."""
    if self.held_out == "validation":
      return self.validation_images, self.validation_labels
    return self.test_images, self.test_labels


def check(cfg) -> None:
  """Refuses, naming the field, a `data` section that no data set can satisfy (before anything
  is loaded or written). The distortions are lenet/data/distortions.py's."""
  if cfg.source not in SOURCES:
    raise ValueError(f"unknown data.source={cfg.source!r}; choose from {SOURCES}")
  if cfg.input_format not in preprocess_lib.INPUT_FORMATS:
    raise ValueError(f"unknown data.input_format={cfg.input_format!r}; "
                     f"choose from {preprocess_lib.INPUT_FORMATS}")
  if cfg.checksums and cfg.checksums not in idx.KNOWN_SHA256:
    raise ValueError(f"unknown data.checksums={cfg.checksums!r}; "
                     f"known: {sorted(idx.KNOWN_SHA256)} or ''")
  for field in ("train_size", "validation_size", "validation_fold"):
    if cfg.get(field, 0) < 0:
      raise ValueError(f"data.{field} must be 0 or positive, got {cfg[field]}")


def train_size(cfg) -> int:
  """The training patterns a data config gives, without loading it: data.train_size, or MNIST's
  60,000 less the validation split."""
  return cfg.train_size or MNIST_TRAIN_SIZE - cfg.get("validation_size", 0)


def load_raw(cfg) -> dict[str, np.ndarray]:
  """The four uint8 arrays from the source named by the data config."""
  if cfg.source == "idx":
    return idx.read_idx_dir(idx.data_dir(cfg.dir), cfg.checksums)
  if cfg.source == "tfds":
    return _load_tfds(cfg)
  raise ValueError(f"unknown data.source={cfg.source!r}; choose 'idx' or 'tfds'")


# The validation split is the same for every run and seed: a permutation of the training file
# drawn from this fixed seed (numpy's PCG64); its first data.validation_size patterns are held out
# (fold 0). Fold k holds out the k-th block of that size instead (another split, disjoint from
# the others, for a question one split cannot answer).
VALIDATION_SPLIT_SEED = 1998


def validation_split(n: int, size: int, fold: int = 0) -> tuple[np.ndarray, np.ndarray]:
  """(kept, held out): indices into the n training-file patterns, each in file order."""
  if not 0 <= size < n:
    raise ValueError(f"data.validation_size={size} is outside 0..{n - 1}")
  if size and (fold + 1) * size > n:
    raise ValueError(f"data.validation_fold={fold} is outside 0..{n // size - 1} "
                     f"(data.validation_size={size})")
  order = np.random.default_rng(VALIDATION_SPLIT_SEED).permutation(n)
  held = order[fold * size:(fold + 1) * size]
  mask = np.zeros(n, bool)
  mask[held] = True
  return np.flatnonzero(~mask), np.flatnonzero(mask)


def load(cfg) -> Dataset:
  """Loads and preprocesses the data set described by a `data` ConfigDict.

  Fields: source ("idx" | "tfds"), dir, checksums, input_format, validation_size (patterns held
  out of the training file, 0 = none), train_size (the first n of the rest; 0 = all), tfds_dir.
  A field the data cannot satisfy (train_size beyond the file, say) is a ConfigError.
  """
  with errors.config_checks():
    return _load(cfg)


def _load(cfg) -> Dataset:
  raw = load_raw(cfg)
  kept, held = validation_split(len(raw["train_labels"]), cfg.get("validation_size", 0),
                                cfg.get("validation_fold", 0))
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
