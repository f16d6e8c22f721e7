"""The run of a classifier fitted once on the pixels (linear, RBF, tangent distance, SVM):
no passes, no checkpoints. Each such method gives a `classify(config, dataset, run_dir)` that
fits on the training set and returns the held-out set's penalties (N, 10) and its own summary
fields.
"""
from __future__ import annotations

import time
from typing import Callable

from absl import logging
import numpy as np

from lenet.data import dataset as dataset_lib

Classify = Callable[[object, dataset_lib.Dataset, object], tuple[np.ndarray, dict]]


def run(config, run_dir, classify: Classify, refuse: Callable | None = None) -> dict:
  """Checks the run directory, loads the data, calls `refuse(config, dataset)` (raises for data the
  config cannot run on, before anything is written), claims the directory, then times
  `classify` and writes its outcome on the held-out set (test, or validation)."""
  run_dir.check(config)
  if (finished := run_dir.summary()) is not None:
    return finished
  dataset = dataset_lib.load(config.data)
  if refuse is not None:
    refuse(config, dataset)
  run_dir.claim(config)
  t0 = time.perf_counter()
  penalties, fields = classify(config, dataset, run_dir)
  seconds = time.perf_counter() - t0
  held = dataset.held_out
  _, labels = dataset.held_out_set()
  summary = run_dir.write_outcome(np.asarray(penalties), labels, {
      "network": config.network, "method": config.method, "seed": config.seed,
      "train_size": dataset.num_train, **fields, "wall_time_s": seconds}, held)
  logging.info("%s: %s error %.2f%%, %.1f s", config.network, held,
               100 * summary[f"{held}_error"], seconds)
  return summary
