"""The compiled pieces of training and evaluation: one pass as a `lax.scan` over the patterns,
the penalties of many patterns, the curvature estimate, the features below the last layer.

Every function here is pure in the parameters: the NNX model is split once into a graph and its
state (Flax's performance guide), and merged inside the compiled functions.
"""
from __future__ import annotations

import dataclasses
import functools
from typing import Any, Callable

from flax import nnx
import jax
import jax.numpy as jnp
import optax

from lenet.data import training_set
from lenet.nn import losses
from lenet.optim import curvature as curvature_lib


@dataclasses.dataclass(frozen=True)
class ModelFns:
  """Pure functions of the parameters, from an NNX model split once (Flax's performance guide)."""
  graphdef: Any
  constants: Any  # the non-trainable variables (connection tables, RBF codes)

  @classmethod
  def split(cls, model):
    graphdef, params, constants = nnx.split(model, nnx.Param, ...)
    return cls(graphdef, constants), params

  def model(self, params):
    return nnx.merge(self.graphdef, params, self.constants)

  def penalties(self, params, x):
    return self.model(params)(x)


def chunked_map(fn, xs, chunk: int):
  """fn over `xs` (any array with a leading axis) `chunk` rows at a time, in one `lax.map`: the
  last chunk is padded with zeros and its extra rows dropped. Bounds the memory of large
  evaluations while keeping them one compiled loop."""
  n = xs.shape[0]
  padded = jnp.pad(xs, ((0, (-n) % chunk),) + ((0, 0),) * (xs.ndim - 1))
  out = jax.lax.map(fn, padded.reshape(-1, chunk, *xs.shape[1:]))
  return jax.tree.map(lambda o: o.reshape(-1, *o.shape[2:])[:n], out)


def criterion(config) -> Callable:
  """The per-example training criterion named by the `loss` config."""
  return functools.partial(losses.get(config.loss.name), j=config.loss.j)


def make_pass_fn(fns: ModelFns, loss_fn, optimizer, grad_chunk: int = 0, fetch=None):
  """A jitted pass: scan over `steps` (S, B) of pattern indices, one update per row.

  fetch(images, indices), if given, makes the patterns of the enlarged set (distorted copies
  included, lenet/data/training_set.py); the pass makes all of its patterns first, in chunks
  of 1,024 (five times faster on CPU than one warp per step), then scans. Without it, each step
  looks its rows up.

  With 0 < grad_chunk < B (B a multiple of it), each minibatch's mean gradient is computed as the
  mean of its chunks' mean gradients, the same value, in a loop that keeps the convolutions'
  buffers in the CPU's cache.
  """

  def batch_objective(params, x, y):
    penalties = fns.penalties(params, x)
    return jnp.mean(loss_fn(penalties, y)), penalties

  def objective_and_grad(params, x, y):
    b = x.shape[0]
    if not 0 < grad_chunk < b or b % grad_chunk:
      return jax.value_and_grad(batch_objective, has_aux=True)(params, x, y)
    n = b // grad_chunk

    def chunk(total, xy):
      (loss, penalties), grads = jax.value_and_grad(batch_objective, has_aux=True)(params, *xy)
      return jax.tree.map(jnp.add, total, (loss, grads)), penalties

    zero = (jnp.float32(0), jax.tree.map(jnp.zeros_like, params))
    (loss, grads), penalties = jax.lax.scan(
        chunk, zero, (x.reshape(n, grad_chunk, *x.shape[1:]), y.reshape(n, grad_chunk)))
    return (loss / n, penalties.reshape(b, -1)), jax.tree.map(lambda g: g / n, grads)

  def make_patterns(images, steps):
    xs = chunked_map(lambda idx: fetch(images, idx), steps.reshape(-1), 1024)
    return xs.reshape(*steps.shape, *xs.shape[1:])

  @functools.partial(jax.jit, donate_argnums=(0, 1))
  def run_pass(params, opt_state, steps, images, labels):
    patterns = make_patterns(images, steps) if fetch else None

    def step(carry, scanned):
      params, opt_state, loss_sum, errors, first_bad = carry
      step_index, indices = scanned[:2]
      x = scanned[2] if fetch else images[indices]
      y = labels[training_set.original(indices, labels.shape[0])]
      (loss, penalties), grads = objective_and_grad(params, x, y)
      updates, opt_state = optimizer.update(grads, opt_state, params)
      params = optax.apply_updates(params, updates)
      errors = errors + jnp.sum(jnp.argmin(penalties, axis=1) != y)
      first_bad = jnp.where((first_bad < 0) & ~jnp.isfinite(loss), step_index, first_bad)
      return (params, opt_state, loss_sum + loss, errors, first_bad), None

    init = (params, opt_state, jnp.float32(0), jnp.int32(0), jnp.int32(-1))
    scanned = (jnp.arange(steps.shape[0]), steps) + ((patterns,) if fetch else ())
    (params, opt_state, loss_sum, errors, first_bad), _ = jax.lax.scan(step, init, scanned)
    return params, opt_state, {"loss_sum": loss_sum, "errors": errors, "first_bad": first_bad}

  return run_pass


# Forward-only evaluation runs each layer in its own loop over chunks of LAYER_CHUNK patterns.
# As one graph, XLA's CPU compiler fuses each subsampling layer into the next convolution's window
# gather, recomputing every S2 unit (five tanh) once per window that reads it, up to 25 times;
# LeNet-5's evaluation ran about 2.6x slower than with the loops, whose boundaries keep each
# layer's output in memory. (Training is not affected: its gradient keeps the outputs anyway.)
LAYER_CHUNK = 100


def layer_by_layer(layers, x):
  """x through `layers` in turn, each in its own chunked loop (see LAYER_CHUNK)."""
  for layer in layers:
    x = chunked_map(layer, x, LAYER_CHUNK)
  return x


def make_penalties_fn(fns: ModelFns, batch_size: int, fetch=None):
  """Jitted penalties (N, classes) for patterns `indices` of `images` (default: all of them), in
  chunks of `batch_size`; fetch(images, indices) as in make_pass_fn."""
  fetch = fetch or (lambda images, indices: images[indices])

  @jax.jit
  def penalties(params, images, indices=None):
    if indices is None:
      indices = jnp.arange(images.shape[0])
    model = fns.model(params)
    return chunked_map(lambda idx: model.output(layer_by_layer(model.layers, fetch(images, idx))),
                       indices, batch_size)

  return penalties


def make_curvature_fn(fns: ModelFns, loss_fn, output_curvature: str):
  @jax.jit
  def estimate(params, x, y):
    return curvature_lib.diagonal_curvature(fns.model(params), x, y, loss_fn, output_curvature)
  return estimate


def make_features_fn(fns: ModelFns, batch_size: int):
  """Jitted outputs of all layers but the last, flattened: (N, features)."""

  def features(layers, x):
    x = layer_by_layer(layers, x)
    return x.reshape(x.shape[0], -1)

  @jax.jit
  def features_of(params, images):
    layers = fns.model(params).layers[:-1]
    return chunked_map(lambda x: features(layers, x), images, batch_size)

  return features_of
