"""The diagonal Gauss-Newton curvature h_kk of stochastic diagonal Levenberg-Marquardt (App. C).

For every parameter k, h_kk = sum over the connections (i, j) that share k of d2E/du_ij^2
(Eq. 23, cross terms between shared connections dropped), with d2E/du_ij^2 = d2E/da_i^2 x_j^2
(Eq. 25), and the second derivatives propagated backwards like gradients but with squared
weights and squared derivatives of the squashing function, dropping off-diagonal terms (Eq. 27):
d2E/da_i^2 = f'(a_i)^2 sum_k u_ki^2 d2E/da_k^2.

This works for any `lenet.nn.models.Sequential` whose layers follow the contract of
lenet/nn/layers.py (pre-activation bilinear in (variables, input) plus a bias). Then
  - the backward step of Eq. 27 is the input-VJP of the layer with every variable squared, and
  - Eq. 23-25 summed over shared connections is the variable-VJP of the layer fed x^2,
both with the cotangent d2E/da^2. Nothing is written out by hand for a particular network.

The paper gives the output second derivative for an RBF/MSE output (2) but not for the MAP
criterion; `output_curvature` chooses (README, assumptions):
  "mle": the diagonal Hessian of Eq. 8's penalty y_{D_p} with respect to the last layer's
         outputs; for the Euclidean RBF this is exactly 2, the paper's value.
  "loss": the diagonal Hessian of the training criterion itself (e.g. MAP), clipped at zero.
"""
from __future__ import annotations

from typing import Callable

from flax import nnx
import jax
import jax.numpy as jnp

from lenet.nn import layers as L
from lenet.nn import losses

OUTPUT_CURVATURES = ("mle", "loss")


def output_second_derivative(model, features, labels, loss_fn: Callable, mode: str):
  """d2E/dx^2 at the last layer's outputs `features` (B, n), per example, diagonal."""
  if mode not in OUTPUT_CURVATURES:
    raise ValueError(f"unknown optimizer.output_curvature={mode!r}; "
                     f"choose from {OUTPUT_CURVATURES}")
  criterion = losses.mle if mode == "mle" else loss_fn

  def per_example(x, label):
    return criterion(model.output(x[None]), label[None])[0]

  diag = jax.vmap(lambda x, y: jnp.diagonal(jax.hessian(per_example)(x, y)))(
      features.reshape(features.shape[0], -1), labels)
  return jnp.maximum(diag, 0.0).reshape(features.shape)


def _squared(state):
  return jax.tree.map(jnp.square, state)


def diagonal_curvature(model, x, labels, loss_fn: Callable, output_curvature: str = "mle"):
  """h_kk averaged over the patterns of the batch `x`, as an nnx.State shaped like the params.

  Args:
    model: a lenet.nn.models.Sequential.
    x: (B, H, W, C) input patterns; labels: (B,) int.
    loss_fn: per-example criterion (penalties, labels) -> (B,), used when output_curvature="loss".
    output_curvature: "mle" or "loss" (module docstring).
  """
  graphdef, params, rest = nnx.split(model, nnx.Param, ...)

  def layer(p, r, i):
    return nnx.merge(graphdef, p, r).layers[i]

  inputs, pre, h = model.trace(x)
  g = output_second_derivative(model, h, labels, loss_fn, output_curvature)  # d2E/dx^2
  total = jax.tree.map(jnp.zeros_like, params)
  squared_params, squared_rest = _squared(params), _squared(rest)
  for i in reversed(range(len(model.layers))):
    f = L.ACTIVATIONS[model.layers[i].activation]
    _, f_prime = jax.jvp(f, (pre[i],), (jnp.ones_like(pre[i]),))
    g_a = f_prime * f_prime * g  # d2E/da^2 (Eq. 27)
    # Eqs. 23 and 25: sum over shared connections of d2E/da_i^2 x_j^2 (a bias has x_j = 1).
    x_sq = inputs[i] * inputs[i]
    _, vjp_params = jax.vjp(lambda p, i=i, x_sq=x_sq: layer(p, rest, i).pre_activation(x_sq),
                            params)
    total = jax.tree.map(jnp.add, total, vjp_params(g_a)[0])
    if i > 0:  # Eq. 27: propagate through the squared connection weights u_ki^2.
      _, vjp_input = jax.vjp(layer(squared_params, squared_rest, i).pre_activation, inputs[i])
      g = vjp_input(g_a)[0]
  return jax.tree.map(lambda t: t / x.shape[0], total)
