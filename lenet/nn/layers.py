"""The paper's layers as Flax NNX modules (Section II-B, Appendix A).

Every trainable layer computes a pre-activation `a` that is affine in its input and bilinear in
(weights, input) plus an additive bias, then an elementwise activation: x = f(a). All of a layer's
coefficients, fixed ones included, live in nnx Variables, and connection masks are 0/1. The SDLM
curvature pass (lenet/optim/curvature.py) relies on exactly this contract: squaring every
Variable of a layer gives the layer whose connections carry the squared weights (Appendix C,
Eq. 27).

Shapes are NHWC: x_BxHxWxC.
"""
from __future__ import annotations

import dataclasses
import functools
from typing import Callable, Sequence

from flax import nnx
import jax
import jax.numpy as jnp
import numpy as np

# Appendix A: f(a) = A tanh(S a) with A = 1.7159, S = 2/3, so that f(1) = 1 and f(-1) = -1.
SQUASH_A = 1.7159
SQUASH_S = 2.0 / 3.0
INIT_SCALE = 2.4  # Section III-C / Appendix A: weights uniform in +-2.4 / F_i, F_i the fan-in.


def scaled_tanh(a):
  return SQUASH_A * jnp.tanh(SQUASH_S * a)


ACTIVATIONS: dict[str, Callable[[jax.Array], jax.Array]] = {
    "scaled_tanh": scaled_tanh,
    "tanh": jnp.tanh,
    "relu": jax.nn.relu,
    "identity": lambda a: a,
}
BIAS_INITS = ("zero", "uniform")
# Uniform weight range +-bound(F) for a unit of fan-in F:
#   "fan_in": 2.4/F, as the paper states (Section III-C, Appendix A);
#   "sqrt_fan_in": 2.4/sqrt(F), as karpathy/lecun1989-repro reads the same formula;
#   "efficient_backprop": sqrt(3/F), standard deviation F^-1/2, which LeCun, Bottou, Orr and
#   Mueller, "Efficient BackProp" (1998), Sec. 4.6, prescribe for this squashing function;
#   "torch_default": 1/sqrt(F), PyTorch's default for Conv2d and Linear (the tutorial rows).
WEIGHT_INITS = {
    "fan_in": lambda f: INIT_SCALE / f,
    "sqrt_fan_in": lambda f: INIT_SCALE / np.sqrt(f),
    "efficient_backprop": lambda f: np.sqrt(3.0 / f),
    "torch_default": lambda f: 1.0 / np.sqrt(f),
}


def _choose(field: str, value: str, options) -> str:
  if value not in options:
    raise ValueError(f"unknown {field}={value!r}; choose from {sorted(options)}")
  return value


class Constant(nnx.Variable):
  """A fixed array (connection mask, fixed coefficient or code): part of the layer, not trained."""


@dataclasses.dataclass(frozen=True)
class LayerCost:
  """Counts for one layer (counting conventions in lenet/nn/counts.py)."""
  name: str
  out_shape: tuple[int, ...]  # per example, HWC or (units,)
  params: int        # trainable parameters; masked kernel entries are not parameters
  connections: int   # input-to-unit connections, one per bias included (the paper's count)
  macs: int          # multiply-accumulates: connections that carry a weight (biases excluded)


def _uniform(key, shape, bound):
  return jax.random.uniform(key, shape, jnp.float32, -1.0, 1.0) * jnp.broadcast_to(bound, shape)


def _along_last(v: jax.Array, like: jax.Array) -> jax.Array:
  """A per-map (or per-unit) vector broadcast over the leading axes of `like`, explicitly (the
  tests run with jax_numpy_rank_promotion="raise")."""
  return jnp.broadcast_to(v, like.shape)


class Layer(nnx.Module):
  """A stage x -> f(pre_activation(x)); subclasses define pre_activation and cost."""
  name: str
  activation: str

  def pre_activation(self, x: jax.Array) -> jax.Array:
    raise NotImplementedError

  def cost(self, in_shape: Sequence[int]) -> LayerCost:
    raise NotImplementedError

  def __call__(self, x: jax.Array) -> jax.Array:
    return ACTIVATIONS[self.activation](self.pre_activation(x))


@functools.cache
def _im2col_indices(h: int, w: int, k: int) -> np.ndarray:
  """Flat input positions of every k x k window of an h x w map, window-major: (oh*ow*k*k,)."""
  rows = np.arange(h - k + 1)[:, None, None, None] + np.arange(k)[None, None, :, None]
  cols = np.arange(w - k + 1)[None, :, None, None] + np.arange(k)[None, None, None, :]
  return (rows * w + cols).reshape(-1).astype(np.int32)


def conv2d_valid(x_BxHxWxC: jax.Array, kernel_KxKxCxO: jax.Array) -> jax.Array:
  """'VALID' stride-1 convolution as one gather of all windows and one matrix product (im2col).

  On this project's 2-core CPU this trains LeNet-5 about twice as fast as stacking 25 shifted
  slices, and several times faster than lax.conv_general_dilated (`experiments.tools.benchmark`).
  A kernel as large as its input (C5) needs no gather: the map itself is the only window.
  """
  k, _, c, o = kernel_KxKxCxO.shape
  b, h, w, _ = x_BxHxWxC.shape
  oh, ow = h - k + 1, w - k + 1
  if oh == 1 and ow == 1:
    patches = x_BxHxWxC.reshape(b, k * k * c)
  else:
    patches = x_BxHxWxC.reshape(b, h * w, c)[:, _im2col_indices(h, w, k), :]
    patches = patches.reshape(b * oh * ow, k * k * c)
  return (patches @ kernel_KxKxCxO.reshape(k * k * c, o)).reshape(b, oh, ow, o)


class Convolution(Layer):
  """Convolutional layer with an optional connection table (C1, C3, C5; Section II-B).

  `connections[i, o]` is 1 where input map i feeds output map o (Table I for C3). The kernel is
  multiplied by the table, so masked entries have no effect and get zero gradient; they are
  initialised to zero and are not counted as parameters. Each output unit's fan-in F_i counts
  only the maps that really feed it.
  """

  def __init__(self, in_maps: int, out_maps: int, kernel_size: int, *, name: str,
               connections: np.ndarray | None = None, activation: str = "scaled_tanh",
               bias_init: str = "zero", weight_init: str = "fan_in", rngs: nnx.Rngs):
    self.name = name
    self.activation = _choose("model.activation", activation, ACTIVATIONS)
    table = np.ones((in_maps, out_maps)) if connections is None else np.asarray(connections)
    if table.shape != (in_maps, out_maps) or not np.isin(table, (0, 1)).all():
      raise ValueError(f"{name}: connection table must be 0/1 of shape {(in_maps, out_maps)}")
    self.kernel_size = kernel_size
    fan_in = kernel_size * kernel_size * table.sum(axis=0)  # per output map
    bound = jnp.asarray(_weight_bound(weight_init, fan_in), jnp.float32)
    mask = jnp.asarray(table, jnp.float32)
    k = kernel_size
    shape = (k, k, in_maps, out_maps)
    self.kernel = nnx.Param(_uniform(rngs.params(), shape, bound) * jnp.broadcast_to(mask, shape))
    self.bias = nnx.Param(_bias(rngs, bias_init, (out_maps,), bound))
    self.connections = Constant(mask)

  def pre_activation(self, x):
    kernel = self.kernel[...]
    a = conv2d_valid(x, kernel * _along_last(self.connections[...], kernel))
    return a + _along_last(self.bias[...], a)

  def cost(self, in_shape):
    h, w, _ = in_shape
    k = self.kernel_size
    oh, ow = h - k + 1, w - k + 1
    table = np.asarray(self.connections[...])
    weights = int(table.sum()) * k * k
    out_maps = table.shape[1]
    return LayerCost(self.name, (oh, ow, out_maps), params=weights + out_maps,
                     connections=oh * ow * (weights + out_maps), macs=oh * ow * weights)


class Subsampling(Layer):
  """Subsampling layer (S2, S4; Section II-B).

  pooling="trainable" (the paper): the four inputs of each 2x2 window are added, multiplied by a
  trainable coefficient per map, a trainable bias per map is added, then f. The coefficient's
  fan-in is 4, so it is initialised uniform in +-2.4/4 (with weight_init="fan_in").
  pooling="average": the window mean (fixed coefficient 1/4), no bias, no squashing.
  pooling="max": the window maximum, no bias, no squashing. Both are ablations.
  """
  POOLINGS = ("trainable", "average", "max")

  def __init__(self, maps: int, *, name: str, pooling: str = "trainable",
               activation: str = "scaled_tanh", bias_init: str = "zero",
               weight_init: str = "fan_in", copies: int = 1, rngs: nnx.Rngs):
    """`copies` > 1: each input map feeds that many output maps, each with its own coefficient
    and bias (LeNet-4's S2: 8 maps, two per first-layer map). `maps` counts the input maps."""
    self.name = name
    self.pooling = _choose("model.pooling", pooling, self.POOLINGS)
    self.copies = copies
    maps = maps * copies
    if pooling == "trainable":
      self.activation = _choose("model.activation", activation, ACTIVATIONS)
      bound = _weight_bound(weight_init, 4)
      self.coefficient = nnx.Param(_uniform(rngs.params(), (maps,), bound))
      self.bias = nnx.Param(_bias(rngs, bias_init, (maps,), bound))
    else:
      self.activation = "identity"
      if pooling == "average":
        self.coefficient = Constant(jnp.full((maps,), 0.25, jnp.float32))
    self.maps = maps

  def pre_activation(self, x):
    if self.copies > 1:
      x = jnp.repeat(x, self.copies, axis=-1)
    b, h, w, c = x.shape
    windows = x.reshape(b, h // 2, 2, w // 2, 2, c)
    if self.pooling == "max":
      return windows.max(axis=(2, 4))
    a = windows.sum(axis=(2, 4))
    a = a * _along_last(self.coefficient[...], a)
    return a + _along_last(self.bias[...], a) if self.pooling == "trainable" else a

  def cost(self, in_shape):
    h, w, c = in_shape
    c *= self.copies
    units = (h // 2) * (w // 2) * c
    trainable = self.pooling == "trainable"
    return LayerCost(self.name, (h // 2, w // 2, c), params=2 * c if trainable else 0,
                     connections=units * (5 if trainable else 4), macs=units * 4)


class FullConnection(Layer):
  """Fully connected layer (F6, or a softmax head): a = x W + b on the flattened input."""

  def __init__(self, in_features: int, out_features: int, *, name: str,
               activation: str = "scaled_tanh", bias_init: str = "zero",
               weight_init: str = "fan_in", rngs: nnx.Rngs):
    self.name = name
    self.activation = _choose("model.activation", activation, ACTIVATIONS)
    bound = _weight_bound(weight_init, in_features)
    self.kernel = nnx.Param(_uniform(rngs.params(), (in_features, out_features), bound))
    self.bias = nnx.Param(_bias(rngs, bias_init, (out_features,), bound))

  def pre_activation(self, x):
    a = x.reshape(x.shape[0], -1) @ self.kernel[...]
    return a + _along_last(self.bias[...], a)

  def cost(self, in_shape):
    n_in, n_out = self.kernel.shape
    if int(np.prod(in_shape)) != n_in:
      raise ValueError(f"{self.name} expects {n_in} inputs, got shape {tuple(in_shape)}")
    return LayerCost(self.name, (n_out,), params=n_in * n_out + n_out,
                     connections=n_in * n_out + n_out, macs=n_in * n_out)


def _weight_bound(weight_init: str, fan_in):
  return WEIGHT_INITS[_choose("model.weight_init", weight_init, WEIGHT_INITS)](fan_in)


def _bias(rngs: nnx.Rngs, bias_init: str, shape, bound) -> jax.Array:
  """Bias initialisation, which the paper does not give: zero, or the weights' uniform range."""
  _choose("model.bias_init", bias_init, BIAS_INITS)
  if bias_init == "zero":
    return jnp.zeros(shape, jnp.float32)
  return _uniform(rngs.params(), shape, jnp.broadcast_to(bound, shape))


# ---------------------------------------------------------------------------------------------
# Output heads: parameter-free maps from the last layer's outputs to per-class penalties
# (lower is better, the prediction is the smallest).


class EuclideanRBF(nnx.Module):
  """Euclidean RBF output units: y_i = sum_j (x_j - w_ij)^2 with fixed codes w (Eq. 7)."""

  def __init__(self, codes: np.ndarray, name: str = "RBF"):
    self.name = name
    self.codes = Constant(jnp.asarray(codes, jnp.float32))  # (classes, features)

  def __call__(self, x):
    diff = x[:, None, :] - self.codes[...][None]
    return jnp.sum(diff * diff, axis=-1)

  def cost(self, in_shape):
    n_classes, n_features = self.codes.shape
    return LayerCost(self.name, (n_classes,), 0, n_classes * n_features, n_classes * n_features)


class PlaceCodes(EuclideanRBF):
  """The squared distance of 10 tanh outputs to the target +-1 place codes (+1 for the class,
  -1 elsewhere): the mean-squared-error criterion of LeNet-1 and LeNet-4, written as a fixed RBF
  so that the paper's losses and SDLM apply unchanged. The prediction is the largest output. It
  is the criterion's target, not a layer: it adds no connections to the counts."""

  def __init__(self, classes: int = 10, name: str = "targets"):
    super().__init__(2.0 * np.eye(classes, dtype=np.float32) - 1.0, name=name)

  def cost(self, in_shape):
    return LayerCost(self.name, tuple(in_shape), 0, 0, 0)


class NegatedLogits(nnx.Module):
  """Penalties of a softmax head: the negated logits of the preceding layer."""

  def __init__(self, name: str = "softmax"):
    self.name = name

  def __call__(self, x):
    return -x

  def cost(self, in_shape):
    return LayerCost(self.name, tuple(in_shape), 0, 0, 0)
