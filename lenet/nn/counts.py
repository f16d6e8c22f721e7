"""Per-layer parameters, connections and multiply-accumulates of a model.

Conventions (the paper's, Section II-B):
  - parameters: trainable values only; entries a connection table masks out are not parameters.
  - connections: one per (input, unit) pair that carries a weight, plus one per unit for its bias
    (C1: 28*28*6*(25+1) = 122,304).
  - multiply-accumulates: the connections that carry a weight or coefficient, biases excluded,
    one input times one weight added to a sum; an RBF unit's (x_j - w_ij)^2 counts as one per
    input. For LeNet-5 that gives 332,824, the "plain count of about 333K" of PAPER.md; the
    paper's Fig. 11 says 401K without stating its convention.
"""
from __future__ import annotations

from lenet.nn import layers as L


def layer_costs(model) -> list[L.LayerCost]:
  shape = model.input_shape
  costs = []
  for layer in [*model.layers, model.output]:
    cost = layer.cost(shape)
    costs.append(cost)
    shape = cost.out_shape
  return costs


def totals(costs) -> dict[str, int]:
  return {k: sum(getattr(c, k) for c in costs) for k in ("params", "connections", "macs")}
