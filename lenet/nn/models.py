"""LeNet-1, LeNet-4, LeNet-5 and the fully connected networks (Sections II-B and III-C),
composed of the paper's layers.

A model is a sequence of trainable `layers` followed by a parameter-free `output` head that turns
the last layer's outputs into per-class penalties (lower is better). The curvature pass, the
counts and the training loop rely only on that structure.
"""
from __future__ import annotations

from flax import nnx
import numpy as np

from lenet.nn import layers as L
from lenet.nn import rbf_codes

# Table I: which S2 maps (rows) feed each C3 map (columns).
TABLE_I = np.array([[c == "X" for c in row] for row in (
    "X...XXX..XXXX.XX",
    "XX...XXX..XXXX.X",
    "XXX...XXX..X.XXX",
    ".XXX..XXXX..X.XX",
    "..XXX..XXXX.XX.X",
    "...XXX..XXXX.XXX",
)], dtype=np.float32)

C3_TABLES = {"table1": TABLE_I, "full": np.ones((6, 16), np.float32)}
OUTPUTS = ("rbf", "softmax")


def connection_table(n_in: int, columns) -> np.ndarray:
  """A 0/1 (n_in, len(columns)) table from the input indices of each output map."""
  table = np.zeros((n_in, len(columns)), np.float32)
  for o, inputs in enumerate(columns):
    table[list(inputs), o] = 1
  return table


# LeNet-1's H3 (Section III-C; LeCun et al. 1990): 12 maps on 1 or 2 of the 4 H2 maps, 20 kernels.
# The paper does not give the table. Ours (README, assumptions): one map per single H2 map, then
# the six pairs, then two disjoint pairs, so every H2 map feeds exactly 5 kernels.
LENET1_H3 = connection_table(4, [{0}, {1}, {2}, {3}, {0, 1}, {0, 2}, {0, 3}, {1, 2}, {1, 3},
                                 {2, 3}, {0, 1}, {2, 3}])
LENET1_TABLES = {"lenet1": LENET1_H3, "full": np.ones((4, 12), np.float32)}
# LeNet-4's C3 and C5 tables (not given by the paper; README, assumptions): each C3 map reads 4 of
# the 8 S2 maps (8 cyclic windows, then 8 shifts of {0, 1, 3, 6}); each of the 120 C5 units reads
# 5 of the 16 S4 maps (shifts of 8 different offset patterns), so every input map is read by 37
# or 38 units and no two units share their inputs.
LENET4_C3 = connection_table(8, [{(i + d) % 8 for d in (0, 1, 2, 3)} for i in range(8)]
                             + [{(i + d) % 8 for d in (0, 1, 3, 6)} for i in range(8)])
_C5_OFFSETS = [(0, 1, 2, 3, 4), (0, 2, 4, 6, 8), (0, 3, 6, 9, 12), (0, 1, 3, 7, 12),
               (0, 1, 4, 6, 10), (0, 2, 3, 8, 11), (0, 1, 5, 7, 11), (0, 4, 5, 9, 13)]
LENET4_C5 = connection_table(16, [{(u % 16 + d) % 16 for d in _C5_OFFSETS[u // 16]}
                                  for u in range(120)])
LENET4_TABLES = {"lenet4": (LENET4_C3, LENET4_C5),
                 "full": (np.ones((8, 16), np.float32), np.ones((16, 120), np.float32))}
SMALL_NET_OUTPUTS = ("place", "softmax")


class Sequential(nnx.Module):
  """Trainable layers, then a fixed output head producing penalties."""

  def __init__(self, layers, output, input_shape):
    self.layers = nnx.List(layers)
    self.output = output
    self.input_shape = tuple(input_shape)  # per example, HWC

  def features(self, x):
    for layer in self.layers:
      x = layer(x)
    return x

  def trace(self, x):
    """Forward through the layers, keeping each one's input and pre-activation.

    Returns (inputs, pre_activations, features), the lists indexed like `layers`.
    """
    inputs, pre = [], []
    for layer in self.layers:
      inputs.append(x)
      pre.append(layer.pre_activation(x))
      x = L.ACTIVATIONS[layer.activation](pre[-1])
    return inputs, pre, x

  def __call__(self, x):
    """Penalties (B, classes); the prediction is the argmin."""
    return self.output(self.features(x))


class LeNet5(Sequential):
  """C1-S2-C3-S4-C5-F6 and the Euclidean RBF output, with ablation switches (config `model`)."""

  def __init__(self, *, c3_table: str = "table1", activation: str = "scaled_tanh",
               pooling: str = "trainable", output: str = "rbf",
               rbf_polarity: str = "ink_positive", bias_init: str = "zero",
               weight_init: str = "fan_in", rngs: nnx.Rngs):
    if c3_table not in C3_TABLES:
      raise ValueError(f"unknown model.c3_table={c3_table!r}; choose from {sorted(C3_TABLES)}")
    if output not in OUTPUTS:
      raise ValueError(f"unknown model.output={output!r}; choose from {list(OUTPUTS)}")
    common = dict(activation=activation, bias_init=bias_init, weight_init=weight_init, rngs=rngs)
    pool = dict(pooling=pooling, **common)
    layers = [
        L.Convolution(1, 6, 5, name="C1", **common),
        L.Subsampling(6, name="S2", **pool),
        L.Convolution(6, 16, 5, name="C3", connections=C3_TABLES[c3_table], **common),
        L.Subsampling(16, name="S4", **pool),
        L.Convolution(16, 120, 5, name="C5", **common),
        L.FullConnection(120, 84, name="F6", **common),
    ]
    if output == "rbf":
      head = L.EuclideanRBF(rbf_codes.rbf_codes(rbf_polarity))
    else:  # a learned linear layer of 10 logits with a softmax criterion (ablation)
      layers.append(L.FullConnection(84, 10, name="OUT", activation="identity",
                                     bias_init=bias_init, weight_init=weight_init, rngs=rngs))
      head = L.NegatedLogits()
    super().__init__(layers, head, input_shape=(32, 32, 1))


def _small_net_head(output, in_features, common):
  """LeNet-1/4's last layer and head: 10 tanh units trained towards +-1 place codes (the squared
  error criterion of their time), or a linear layer of logits for a softmax (ablation)."""
  if output not in SMALL_NET_OUTPUTS:
    raise ValueError(f"unknown model.output={output!r}; choose from {list(SMALL_NET_OUTPUTS)}")
  if output == "place":
    return L.FullConnection(in_features, 10, name="OUT", **common), L.PlaceCodes()
  common = {**common, "activation": "identity"}
  return L.FullConnection(in_features, 10, name="OUT", **common), L.NegatedLogits()


class LeNet1(Sequential):
  """LeNet-1 (Section III-C, LeCun et al. 1990): 16x16 digits centred in a 28x28 input,
  C1 4@24x24 (5x5), S2 4@12x12, C3 12@8x8 (5x5, 20 kernels), S4 12@4x4, 10 outputs.
  2,578 parameters and 98,442 connections with trainable subsampling."""

  def __init__(self, *, tables: str = "lenet1", activation: str = "scaled_tanh",
               pooling: str = "trainable", output: str = "place", bias_init: str = "zero",
               weight_init: str = "fan_in", rngs: nnx.Rngs):
    if tables not in LENET1_TABLES:
      raise ValueError(f"unknown model.tables={tables!r}; choose from {sorted(LENET1_TABLES)}")
    common = dict(activation=activation, bias_init=bias_init, weight_init=weight_init, rngs=rngs)
    pool = dict(pooling=pooling, **common)
    last, head = _small_net_head(output, 4 * 4 * 12, common)
    super().__init__([
        L.Convolution(1, 4, 5, name="C1", **common),
        L.Subsampling(4, name="S2", **pool),
        L.Convolution(4, 12, 5, name="C3", connections=LENET1_TABLES[tables], **common),
        L.Subsampling(12, name="S4", **pool),
        last,
    ], head, input_shape=(28, 28, 1))


class LeNet4(Sequential):
  """LeNet-4 (Section III-C): C1 4@28x28, S2 8@14x14 (two subsampling maps per C1 map),
  C3 16@10x10, S4 16@5x5, C5 120 units, 10 outputs. The paper gives only the maps, "about 17,000
  parameters" and "about 260,000 connections"; our choice (32x32 input, 5x5 kernels, the tables
  above) gives 18,098 and 269,306 (README, assumptions)."""

  def __init__(self, *, tables: str = "lenet4", activation: str = "scaled_tanh",
               pooling: str = "trainable", output: str = "place", bias_init: str = "zero",
               weight_init: str = "fan_in", rngs: nnx.Rngs):
    if tables not in LENET4_TABLES:
      raise ValueError(f"unknown model.tables={tables!r}; choose from {sorted(LENET4_TABLES)}")
    c3, c5 = LENET4_TABLES[tables]
    common = dict(activation=activation, bias_init=bias_init, weight_init=weight_init, rngs=rngs)
    pool = dict(pooling=pooling, **common)
    last, head = _small_net_head(output, 120, common)
    super().__init__([
        L.Convolution(1, 4, 5, name="C1", **common),
        L.Subsampling(4, name="S2", copies=2, **pool),
        L.Convolution(8, 16, 5, name="C3", connections=c3, **common),
        L.Subsampling(16, name="S4", **pool),
        L.Convolution(16, 120, 5, name="C5", connections=c5, **common),
        last,
    ], head, input_shape=(32, 32, 1))


class MLP(Sequential):
  """The fully connected networks of Fig. 9 (Section III-C): the input_side x input_side pixels
  (28, or 20 deslanted), hidden layers H1, H2 of scaled-tanh units, 10 outputs as LeNet-1's and
  LeNet-4's (+-1 place codes, or a softmax). 28x28-300-10 is hidden=(300,); hidden=() is the
  Linear row's classifier with the paper's other training, sigmoid units trained by gradient
  descent (Section III-C-1; an ablation)."""

  def __init__(self, *, hidden=(300,), input_side: int = 28, activation: str = "scaled_tanh",
               output: str = "place", bias_init: str = "zero", weight_init: str = "fan_in",
               rngs: nnx.Rngs):
    hidden = tuple(hidden)
    if hidden and min(hidden) < 1:
      raise ValueError(f"model.hidden must be positive layer sizes, got {hidden}")
    if input_side < 1:
      raise ValueError(f"model.input_side must be positive, got {input_side}")
    common = dict(activation=activation, bias_init=bias_init, weight_init=weight_init, rngs=rngs)
    sizes = (input_side * input_side, *hidden)
    layers = [L.FullConnection(n_in, n_out, name=f"H{i + 1}", **common)
              for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:]))]
    last, head = _small_net_head(output, sizes[-1], common)
    super().__init__([*layers, last], head, input_shape=(input_side, input_side, 1))


MODELS = {"lenet1": LeNet1, "lenet4": LeNet4, "lenet5": LeNet5, "mlp": MLP}


def build(cfg, seed: int) -> Sequential:
  """The model named by a `model` ConfigDict, initialised from `seed`."""
  fields = cfg.to_dict()
  name = fields.pop("name")
  if name not in MODELS:
    raise ValueError(f"unknown model.name={name!r}; choose from {sorted(MODELS)}")
  return MODELS[name](rngs=nnx.Rngs(params=seed), **fields)
