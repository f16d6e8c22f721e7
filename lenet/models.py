"""LeNet-5 (Section II-B, Fig. 2), composed of the paper's layers.

A model is a sequence of trainable `layers` followed by a parameter-free `output` head that turns
the last layer's outputs into per-class penalties (lower is better). The curvature pass, the
counts and the training loop rely only on that structure.
"""
from __future__ import annotations

from flax import nnx
import numpy as np

from lenet import layers as L
from lenet import rbf_codes

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


MODELS = {"lenet5": LeNet5}


def build(cfg, seed: int) -> Sequential:
  """The model named by a `model` ConfigDict, initialised from `seed`."""
  fields = cfg.to_dict()
  name = fields.pop("name")
  if name not in MODELS:
    raise ValueError(f"unknown model.name={name!r}; choose from {sorted(MODELS)}")
  return MODELS[name](rngs=nnx.Rngs(params=seed), **fields)
