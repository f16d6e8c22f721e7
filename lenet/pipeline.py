"""One entry point for every row of Fig. 9: a config's `method` names how it is built.

  "network": one network trained by the paper's recipe (lenet/train.py);
  "boosted": three networks boosted by filtering (lenet/boosting.py);
  "knn", "local": a trained network's last layer replaced by K nearest neighbours or by local
  learning (lenet/neighbors.py).
"""
from __future__ import annotations

import numpy as np

from lenet import boosting
from lenet import counts
from lenet import models
from lenet import neighbors
from lenet import train

METHODS = {"network": train.train_and_evaluate, "boosted": boosting.train_boosted,
           "knn": neighbors.train_and_evaluate, "local": neighbors.train_and_evaluate}


def run(config, workdir) -> dict:
  """Trains and evaluates `config` into `workdir` (resuming; a finished run is not redone)."""
  method = config.get("method", "network")
  if method not in METHODS:
    raise ValueError(f"unknown method={method!r}; choose from {sorted(METHODS)}")
  return METHODS[method](config, workdir)


def cost(config) -> dict:
  """Parameters, multiply-accumulates per test pattern and memory (values stored) of the whole
  classifier, by the conventions of lenet/counts.py, for Figs. 11 and 12.

  network: the model's counts. boosted: three networks' parameters; MACs of the gated committee,
  1 + 2 x (share on which net 1 is not confident) networks, at the configured average cost
  `boosting.gate_cost` (the measured test cost is in each run's summary). knn: the network below
  its last layer, then one multiply-accumulate per feature per stored training pattern (the
  distances); memory adds the stored features. local: knn's search with k neighbours, then the
  k x k Gram matrix of the centred neighbours (k^2 D), its solve (about k^3 / 3 + k^2 C) and the
  evaluation (k D + k C), C = 10 classes.
  """
  method = config.get("method", "network")
  costs = counts.layer_costs(models.build(config.model, seed=0))  # the (each) network
  total = counts.totals(costs)
  if method == "network":
    return {**total, "memory": total["params"]}
  if method == "boosted":
    return {"params": boosting.NETS * total["params"],
            "connections": boosting.NETS * total["connections"],
            "macs": round(config.boosting.gate_cost * total["macs"]),
            "memory": boosting.NETS * total["params"]}
  below = counts.totals(costs[:-2])  # without the last layer and the output head
  features = int(np.prod(costs[-3].out_shape))
  n_train = config.data.train_size or 60_000
  k, classes = config.neighbors.k, 10
  macs = below["macs"] + n_train * features
  if method == "local":
    macs += k * k * features + k ** 3 // 3 + k * k * classes + k * features + k * classes
  return {"params": below["params"], "connections": below["connections"], "macs": macs,
          "memory": below["params"] + n_train * features}
