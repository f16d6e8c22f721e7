"""LeNet-4/K-NN and LeNet-4/Local (Section III-C): a trained network's last layer replaced; and
K-NN Euclidean, [deslant] K-NN (Section III-C-3): the same on the pixels (`neighbors.network` =
"pixels", deterministic: no network, no seed).

The features are the outputs of the layer below the network's last one (LeNet-4's 120 C5 units),
or the preprocessed pixels,
for the training patterns and the held-out ones (test, or validation). Then, for every held-out
pattern at once on the device (chunks of queries, one matrix product each, `lax.top_k`; no
Python loop over patterns):

  "knn": the k nearest training patterns in Euclidean distance vote (the paper does not give k;
    ours is `neighbors.k`); ties go to the class whose nearest neighbour is closest.
  "local": local learning (Bottou and Vapnik 1992): a linear classifier is fitted to the place
    codes (+1 for the class, -1 elsewhere) of the k nearest neighbours by ridge regression,
    f(q) = y_mean + (q - x_mean) Xc^T (Xc Xc^T + ridge I)^-1 (Y - y_mean), Xc the centred
    neighbours, and evaluated at the test pattern. Large ridge tends to the neighbours' vote.

Its run directory holds net/ (the network's ordinary run, trained here or adopted from a finished
run of the same config via `neighbors.reuse`) and the classifier's outcome on the test set, or
on the validation split when one is held out (choosing k, K and the ridge: results/selection).
"""
from __future__ import annotations

import functools
import time

from absl import logging
import jax
import jax.numpy as jnp
import numpy as np

from lenet import rundir
from lenet.data import dataset as dataset_lib
from lenet.methods import linear
from lenet.methods import network
from lenet.nn import counts
from lenet.nn import models
from lenet.train import kernels

METHODS = ("knn", "local")
PIXELS = "pixels"  # neighbors.network: the images themselves, no network


def net_config(config):
  """The config of the network whose features are used: the run's, as an ordinary network."""
  c = config.copy_and_resolve_references()
  with c.unlocked():
    del c["neighbors"]
  c.method = "network"
  c.network = config.neighbors.network
  return c


def check(config) -> None:
  if config.method not in METHODS:
    raise ValueError(f"neighbors: method={config.method!r} is not one of {METHODS}")
  if config.neighbors.k < 1:
    raise ValueError(f"neighbors.k must be at least 1, got {config.neighbors.k}")
  if config.neighbors.network == PIXELS:
    linear.check_data(config.data)
  else:
    network.check(net_config(config))


def deterministic(config) -> bool:
  """On the pixels there is nothing random; a network's features depend on its seed."""
  return config.neighbors.network == PIXELS


def nearest(train_features, queries, k: int):
  """Squared Euclidean distances (Q, k) and indices (Q, k) of each query's k nearest training
  patterns, nearest first: one matrix product and one top-k."""
  d = (jnp.sum(queries ** 2, axis=1)[:, None] - 2.0 * queries @ train_features.T
       + jnp.sum(train_features ** 2, axis=1)[None])
  neg, idx = jax.lax.top_k(-d, k)
  return jnp.maximum(-neg, 0.0), idx


def knn_penalties(distances, neighbor_labels, classes: int = 10) -> jax.Array:
  """Penalties from a vote: minus the votes for a class, plus its nearest neighbour's distance
  over the k-th's (in (0, 1], so it breaks ties only); classes without a vote get 1."""
  onehot = jax.nn.one_hot(neighbor_labels, classes)  # (Q, k, C)
  votes = onehot.sum(axis=1)
  scale = distances[:, -1:] + 1e-12
  nearest_of_class = jnp.min(jnp.where(onehot > 0, distances[..., None] / scale[..., None],
                                       jnp.inf), axis=1)
  return jnp.where(votes > 0, -votes + jnp.minimum(nearest_of_class, 1.0), 1.0)


def local_penalties(queries, neighbors_x, neighbor_labels, ridge: float, classes: int = 10):
  """Minus the outputs of a ridge-regression linear classifier fitted to each query's
  neighbours (Q, k, D) with +-1 place-code targets, evaluated at the query."""
  targets = 2.0 * jax.nn.one_hot(neighbor_labels, classes) - 1.0  # (Q, k, C)

  def one(q, x, y):
    x_mean, y_mean = x.mean(0), y.mean(0)
    xc = x - x_mean[None]
    gram = xc @ xc.T + ridge * jnp.eye(x.shape[0], dtype=x.dtype)
    alpha = jnp.linalg.solve(gram, y - y_mean[None])
    return y_mean + ((q - x_mean) @ xc.T) @ alpha

  return -jax.vmap(one)(queries, neighbors_x, targets)


@functools.partial(jax.jit, static_argnames=("method", "k", "chunk"))
def classify(train_features, train_labels, test_features, *, method: str, k: int,
             ridge: float = 0.0, chunk: int = 250) -> jax.Array:
  """Test penalties (Q, 10) by "knn" or "local", all queries in one compiled computation
  (`lax.map` over chunks of `chunk` queries, to bound the distance matrix's memory)."""

  def one_chunk(q):
    d, idx = nearest(train_features, q, k)
    if method == "knn":
      return knn_penalties(d, train_labels[idx])
    return local_penalties(q, train_features[idx], train_labels[idx], ridge)

  return kernels.chunked_map(one_chunk, test_features, chunk)


def run(config, run_dir) -> dict:
  """Trains (or adopts) the network into run_dir/net, then classifies the held-out set."""
  run_dir.check(config)
  if (finished := run_dir.summary()) is not None:
    return finished
  cfg = config.neighbors
  if cfg.network == PIXELS:
    dataset = dataset_lib.load(config.data)
    run_dir.claim(config)
    net, features_of = {}, lambda x: jnp.asarray(x).reshape(len(x), -1)
  else:
    net, features_of, dataset = _network(config, run_dir)
  t0 = time.perf_counter()
  held = dataset.held_out  # the test set, or the validation split for a selection run
  images, labels = dataset.held_out_set()
  train_f = features_of(jnp.asarray(dataset.train_images))
  penalties = np.asarray(classify(train_f, jnp.asarray(dataset.train_labels),
                                  features_of(jnp.asarray(images)),
                                  method=config.method, k=cfg.k, ridge=cfg.ridge))
  seconds = time.perf_counter() - t0
  fields = {"network": config.network, "seed": config.seed, "method": config.method, "k": cfg.k,
            "train_size": dataset.num_train, "train_error": None,
            "classify_wall_time_s": seconds, "wall_time_s": net.get("wall_time_s", 0) + seconds}
  if net:
    fields.update({"model": config.model.name, f"network_{held}_error": net[f"{held}_error"]})
  summary = run_dir.write_outcome(penalties, labels, fields, held)
  logging.info("%s: %s error %.2f%%, %.0f s", config.network, held,
               100 * summary[f"{held}_error"], seconds)
  return summary


def _network(config, run_dir):
  """The network's summary (trained into run_dir/net, or adopted), its features function and
  the data set."""
  nc, cfg = net_config(config), config.neighbors
  net_dir = run_dir.sub("net")
  source = rundir.RunDir(cfg.reuse.format(seed=config.seed)) if cfg.reuse else None
  net_dir.check(nc)
  dataset = dataset_lib.load(config.data)
  if source is not None and net_dir.summary() is None:
    net_dir.adopt(source, nc)  # refused, before anything is written, if it is not nc's run
  run_dir.claim(config)
  net = network.run(nc, net_dir, dataset)
  fns, params = network.load(nc, net_dir)
  features = kernels.make_features_fn(fns, config.train.eval_batch_size)
  return net, lambda x: features(params, x), dataset


def cost(config) -> dict:
  """knn: the network below its last layer (none on the pixels), then one multiply-accumulate
  per feature per stored training pattern (the distances); memory adds the stored features.
  local: knn's search with k neighbours, then the k x k Gram matrix of the centred neighbours
  (k^2 D), its solve (about k^3 / 3 + k^2 C) and the evaluation (k D + k C), C = 10 classes."""
  n_train = dataset_lib.train_size(config.data)
  if config.neighbors.network == PIXELS:
    below, features, c = {"params": 0, "connections": 0, "macs": 0}, linear.pixels(config), 10
  else:
    model = models.build(config.model, seed=0)
    costs = counts.layer_costs(model)  # one per layer, then the output head
    layers = costs[:len(model.layers) - 1]  # the layers whose outputs are the features
    features, c = int(np.prod(layers[-1].out_shape)), costs[-1].out_shape[0]
    below = counts.totals(layers)
  k = config.neighbors.k
  macs = below["macs"] + n_train * features
  if config.method == "local":
    macs += k * k * features + k ** 3 // 3 + k * k * c + k * features + k * c
  return {"params": below["params"], "connections": below["connections"], "macs": macs,
          "memory": below["params"] + n_train * features}
