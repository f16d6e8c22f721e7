"""Figures from committed run directories, as PNG in results/figures/.

    python -m experiments.tools.figures [--results=results]

  rbf_codes.png        the 7x12 RBF codes of the ten digits (Fig. 3's glyphs), +1 black
  misclassified.png    the test digits a run gets wrong, true -> predicted, as the paper's Fig. 8
                       ([dist] LeNet-5's seed 0 if present, else LeNet-5's)
  feature_maps.png     input, C1, S2 and C3 maps of LeNet-5 (seed 0) for a few test digits, as the
                       paper's Fig. 2 / the LeNet-5 animations
Everything is read from the run directories (config.json, misclassified.json, params.msgpack) and
the MNIST files; nothing is trained.
"""
from __future__ import annotations

import json
import pathlib

from absl import flags
import jax.numpy as jnp
import ml_collections
import numpy as np

import lenet  # noqa: F401
from experiments import cli
from lenet.data import dataset as dataset_lib
from lenet.data import idx
from lenet.methods import network
from lenet.nn import rbf_codes

_RESULTS = flags.DEFINE_string("results", "results", "Root of the run directories.")


def _plt():
  import matplotlib  # pylint: disable=g-import-not-at-top
  matplotlib.use("Agg")
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  return plt


def _save(fig, path: pathlib.Path) -> None:
  path.parent.mkdir(parents=True, exist_ok=True)
  # Fixed metadata so that regenerating gives the same bytes.
  fig.savefig(path, dpi=100, metadata={"Software": None})
  _plt().close(fig)


def rbf_codes_figure(path: pathlib.Path) -> None:
  plt = _plt()
  codes = rbf_codes.rbf_codes("ink_positive")
  fig, axes = plt.subplots(1, 10, figsize=(8, 1.8))
  for d, ax in enumerate(axes):
    ax.imshow(codes[d].reshape(12, 7), cmap="gray_r", vmin=-1, vmax=1)
    ax.set_title(str(d))
    ax.axis("off")
  fig.suptitle("RBF output codes (+1 black, -1 white), from the glyphs of Fig. 3")
  _save(fig, path)


def misclassified_figure(run: pathlib.Path, path: pathlib.Path, columns: int = 12) -> None:
  plt = _plt()
  wrong = json.loads((run / "misclassified.json").read_text())
  config = ml_collections.ConfigDict(json.loads((run / "config.json").read_text()))
  raw = idx.read_idx_dir(idx.data_dir(config.data.dir), config.data.checksums)
  images = raw["test_images"]
  n = len(wrong["test_index"])
  rows = -(-n // columns)
  fig, axes = plt.subplots(rows, columns, figsize=(columns * 0.9, rows * 1.05))
  for ax in np.ravel(axes):
    ax.axis("off")
  for ax, i, t, p in zip(np.ravel(axes), wrong["test_index"], wrong["label"], wrong["predicted"]):
    ax.imshow(images[i], cmap="gray_r")
    ax.set_title(f"{t}->{p}", fontsize=8)
  fig.suptitle(f"The {n} test digits misclassified by {run.as_posix()} (true->predicted)",
               fontsize=10)
  _save(fig, path)


def feature_maps_figure(run: pathlib.Path, path: pathlib.Path, digits=(0, 1, 2)) -> None:
  plt = _plt()
  config = ml_collections.ConfigDict(json.loads((run / "config.json").read_text()))
  dataset = dataset_lib.load(config.data)
  fns, params = network.load(config, run)
  model = fns.model(params)
  x = jnp.asarray(dataset.test_images[list(digits)])
  maps = [("input", x)]
  for layer in model.layers[:3]:  # C1, S2, C3
    x = layer(x)
    maps.append((layer.name, x))
  columns = max(m.shape[-1] for _, m in maps)
  fig, axes = plt.subplots(len(digits) * len(maps), columns,
                           figsize=(columns * 0.6, len(digits) * len(maps) * 0.65))
  for ax in np.ravel(axes):
    ax.axis("off")
  for d in range(len(digits)):
    for k, (name, m) in enumerate(maps):
      row = d * len(maps) + k
      for c in range(m.shape[-1]):
        axes[row, c].imshow(np.asarray(m[d, ..., c]), cmap="gray_r")
      axes[row, 0].set_title(name, fontsize=7, loc="left")
  fig.suptitle(f"Feature maps of {run.as_posix()} for test digits {list(digits)}", fontsize=9)
  _save(fig, path)


def main(argv):
  del argv
  root = pathlib.Path(_RESULTS.value)
  out = root / "figures"
  rbf_codes_figure(out / "rbf_codes.png")
  for candidate in ("lenet5_dist/seed_0", "lenet5/seed_0"):
    if (root / candidate / "misclassified.json").exists():
      misclassified_figure(root / candidate, out / "misclassified.png")
      break
  if (root / "lenet5/seed_0/params.msgpack").exists():
    feature_maps_figure(root / "lenet5/seed_0", out / "feature_maps.png")
  print(f"wrote {sorted(p.name for p in out.glob('*.png'))} in {out}")


if __name__ == "__main__":
  cli.run(main)
