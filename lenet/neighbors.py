"""LeNet-4/K-NN and LeNet-4/Local (Section III-C): a trained network's last layer replaced.

The features are the outputs of the layer below the network's last one (LeNet-4's 120 C5 units)
for the 60,000 training and 10,000 test patterns. Then, for every test pattern at once on the
device (chunks of queries, one matrix product each, `lax.top_k`; no Python loop over patterns):

  "knn": the k nearest training patterns in Euclidean distance vote (the paper does not give k;
    ours is `neighbors.k`); ties go to the class whose nearest neighbour is closest.
  "local": local learning (Bottou and Vapnik 1992): a linear classifier is fitted to the place
    codes (+1 for the class, -1 elsewhere) of the k nearest neighbours by ridge regression,
    f(q) = y_mean + (q - x_mean) Xc^T (Xc Xc^T + ridge I)^-1 (Y - y_mean), Xc the centred
    neighbours, and evaluated at the test pattern. Large ridge tends to the neighbours' vote.

Layout of a run directory: net/ (the network's ordinary run, trained here or adopted from a
finished run with the same config via `neighbors.reuse`), then config.json, summary.json,
misclassified.json.
"""
from __future__ import annotations

import functools
import json
import pathlib
import shutil
import time

from absl import logging
import jax
import jax.numpy as jnp
import numpy as np

from lenet import data as data_lib
from lenet import evaluation
from lenet import train

RUN_FILES = ("config.json", "versions.json", "metrics.jsonl", "summary.json", "misclassified.json",
             "params.msgpack")


def net_config(config):
  """The config of the network whose features are used: the run's, as an ordinary network."""
  c = config.copy_and_resolve_references()
  with c.unlocked():
    del c["neighbors"]
  c.method = "network"
  c.network = config.neighbors.network
  return c


def adopt(source: pathlib.Path, net_dir: pathlib.Path, config) -> None:
  """Copies a finished run of exactly `config` into net_dir (so the directory stands alone)."""
  theirs = json.loads((source / "config.json").read_text())
  if theirs != json.loads(config.to_json()):
    raise ValueError(f"neighbors.reuse={str(source)!r} was trained with another config than "
                     f"{config.network} with seed {config.seed}; leave neighbors.reuse empty to "
                     "train it here")
  if not (source / "summary.json").exists():
    raise ValueError(f"neighbors.reuse={str(source)!r} has not finished")
  net_dir.mkdir(parents=True, exist_ok=True)
  for name in RUN_FILES:
    shutil.copyfile(source / name, net_dir / name)


def make_features_fn(fns: train.ModelFns, batch_size: int):
  """Jitted outputs of all layers but the last, flattened: (N, features)."""

  def features(layers, x):
    x = train.layer_by_layer(layers, x)
    return x.reshape(x.shape[0], -1)

  @jax.jit
  def features_of(params, images):
    layers = fns.model(params).layers[:-1]
    return train.chunked_map(lambda x: features(layers, x), images, batch_size)

  return features_of


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
    xc = x - x_mean
    gram = xc @ xc.T + ridge * jnp.eye(x.shape[0], dtype=x.dtype)
    alpha = jnp.linalg.solve(gram, y - y_mean)
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

  return train.chunked_map(one_chunk, test_features, chunk)


def train_and_evaluate(config, workdir) -> dict:
  """Trains (or adopts) the network into workdir/net, then classifies the test set."""
  if config.method not in ("knn", "local"):
    raise ValueError(f"neighbors: method={config.method!r} is not 'knn' or 'local'")
  workdir, finished = train.claim_workdir(config, workdir)
  if finished:
    return finished
  nc, cfg = net_config(config), config.neighbors
  if cfg.k < 1:
    raise ValueError(f"neighbors.k must be at least 1, got {cfg.k}")
  net_dir = workdir / "net"
  if cfg.reuse and not (net_dir / "summary.json").exists():
    adopt(pathlib.Path(cfg.reuse.format(seed=config.seed)), net_dir, nc)
  net = train.train_and_evaluate(nc, net_dir)

  t0 = time.perf_counter()
  dataset = data_lib.load(config.data)
  fns, params = train.load_trained(nc, net_dir)
  features_of = make_features_fn(fns, config.train.eval_batch_size)
  train_f = np.asarray(features_of(params, jnp.asarray(dataset.train_images)))
  test_f = np.asarray(features_of(params, jnp.asarray(dataset.test_images)))
  penalties = np.asarray(classify(jnp.asarray(train_f), jnp.asarray(dataset.train_labels),
                                  jnp.asarray(test_f), method=config.method, k=cfg.k,
                                  ridge=cfg.ridge))
  seconds = time.perf_counter() - t0
  labels = dataset.test_labels
  pred = penalties.argmin(1)
  wrong = np.flatnonzero(pred != labels)
  logging.info("%s: test error %.2f%% (network alone %.2f%%), %.0f s", config.network,
               100 * len(wrong) / len(labels), 100 * net["test_error"], seconds)
  train.write_json_atomic(workdir / "misclassified.json", {
      "test_index": wrong.tolist(), "label": labels[wrong].tolist(),
      "predicted": pred[wrong].tolist()})
  summary = {
      "network": config.network, "model": config.model.name, "seed": config.seed,
      "method": config.method, "k": cfg.k, "train_size": dataset.num_train,
      "test_error": float(len(wrong) / len(labels)), "test_errors": int(len(wrong)),
      "train_error": None, "network_test_error": net["test_error"],
      "classify_wall_time_s": seconds, "wall_time_s": net["wall_time_s"] + seconds,
      **evaluation.rejection_summary(penalties, labels),
  }
  train.write_json_atomic(workdir / "summary.json", summary)
  return summary
