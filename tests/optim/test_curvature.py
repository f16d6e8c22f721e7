"""lenet/optim/curvature.py against brute force on tiny networks (Appendix C, Eqs. 23-27)."""
from flax import nnx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from lenet.nn import layers as L
from lenet.nn import losses
from lenet.nn import models
from lenet.optim import curvature
from lenet.train import kernels


def tiny_dense(rngs):
  """Dense tanh layer -> dense layer -> fixed RBF: no shared weights."""
  codes = np.sign(np.random.default_rng(0).normal(size=(3, 4))).astype(np.float32)
  return models.Sequential(
      [L.FullConnection(6, 5, name="H", bias_init="uniform", weight_init="sqrt_fan_in", rngs=rngs),
       L.FullConnection(5, 4, name="F", bias_init="uniform", weight_init="sqrt_fan_in", rngs=rngs)],
      L.EuclideanRBF(codes), input_shape=(6,))


def tiny_convnet(rngs, pooling="trainable", copies=1):
  """Masked conv -> subsampling -> conv -> dense -> RBF: every kind of weight sharing."""
  codes = np.sign(np.random.default_rng(1).normal(size=(3, 5))).astype(np.float32)
  table = np.array([[1, 0, 1], [1, 1, 0], [0, 1, 1], [1, 0, 0]], np.float32)[:2 * copies]
  return models.Sequential(
      [L.Convolution(1, 2, 3, name="C1", bias_init="uniform", weight_init="sqrt_fan_in", rngs=rngs),
       L.Subsampling(2, name="S2", pooling=pooling, bias_init="uniform", copies=copies, rngs=rngs),
       L.Convolution(2 * copies, 3, 2, name="C3", connections=table, bias_init="uniform",
                     weight_init="sqrt_fan_in", rngs=rngs),
       L.FullConnection(3, 5, name="F", bias_init="uniform", weight_init="sqrt_fan_in", rngs=rngs)],
      L.EuclideanRBF(codes), input_shape=(6, 6, 1))


def mle_loss(p, y):
  return losses.mle(p, y)


@pytest.mark.slow
def test_exact_gauss_newton_diagonal_on_a_net_without_sharing():
  """Without shared weights and with a diagonal output Hessian (RBF + MLE, d2E/dx2 = 2), Eqs.
  23-27 drop nothing for a one-hidden-layer net: h_kk is the exact Gauss-Newton diagonal."""
  model = tiny_dense(nnx.Rngs(0))
  fns, params = kernels.ModelFns.split(model)
  x = jax.random.normal(jax.random.PRNGKey(0), (5, 6))
  y = jnp.array([0, 1, 2, 0, 1])
  h = curvature.diagonal_curvature(model, x, y, mle_loss, "mle")
  flat, unravel = jax.flatten_util.ravel_pytree(params)
  feats = lambda f, xi: fns.model(unravel(f)).features(xi[None])[0]
  jac = jax.vmap(lambda xi: jax.jacobian(feats)(flat, xi))(x)  # (B, 4 features, P)
  gauss_newton = jnp.mean(jnp.sum(2.0 * jac**2, axis=1), axis=0)
  np.testing.assert_allclose(jax.flatten_util.ravel_pytree(h)[0], gauss_newton, rtol=1e-5,
                             atol=1e-7)


def literal_eqs_23_27(model, x, labels):
  """Eqs. 23-27 written connection by connection, from dense Jacobians of each layer."""
  total = None
  for b in range(x.shape[0]):
    inputs, pre, h = [], [], x[b:b + 1]
    for layer in model.layers:
      inputs.append(h)
      pre.append(layer.pre_activation(h))
      h = L.ACTIVATIONS[layer.activation](pre[-1])
    g = np.full(h.size, 2.0)  # d2E/dx2 of the RBF penalty
    per_layer = {}
    for i in reversed(range(len(model.layers))):
      layer = model.layers[i]
      graphdef, lp, rest = nnx.split(layer, nnx.Param, ...)
      a = np.asarray(pre[i]).ravel()
      f = L.ACTIVATIONS[layer.activation]
      f_prime = np.asarray(jax.vmap(jax.grad(lambda t: f(t)))(jnp.asarray(a)))
      g_a = f_prime**2 * g
      x_in = inputs[i]
      fn = lambda p, xx: nnx.merge(graphdef, p, rest).pre_activation(xx).ravel()
      u = np.asarray(jax.jacobian(fn, argnums=1)(lp, x_in)).reshape(a.size, -1)  # u_ij
      hk = {}
      has_params = bool(jax.tree.leaves(lp))
      share = jax.jacfwd(jax.jacrev(fn, argnums=1), argnums=0)(lp, x_in) if has_params else lp
      first = jax.jacobian(fn, argnums=0)(lp, x_in) if has_params else lp  # da_i/dw_k
      for (path, s), (_, d) in zip(share.flat_state(), first.flat_state()):
        s = np.asarray(s[...]).reshape(a.size, x_in.size, -1)
        d = np.asarray(d[...]).reshape(a.size, -1)
        if np.any(s):  # a weight: sum over its connections (i, j) of d2E/da_i^2 x_j^2
          xj2 = np.asarray(x_in).ravel() ** 2
          hk[path] = np.einsum("ijk,i,j->k", s**2, g_a, xj2)
        else:  # a bias: its connections carry input 1
          hk[path] = np.einsum("ik,i->k", d**2, g_a)
      per_layer[i] = hk
      g = (u**2).T @ g_a  # Eq. 27
    flat = [per_layer[i][path] for i in range(len(model.layers))
            for path in sorted(per_layer[i])] or [np.zeros(0)]
    vec = np.concatenate(flat)
    total = vec if total is None else total + vec
  return total / x.shape[0]


@pytest.mark.slow
@pytest.mark.parametrize("pooling,copies", [("trainable", 1), ("average", 1), ("max", 1),
                                            ("trainable", 2)])  # 2: LeNet-4's S2
def test_shared_weights_match_the_literal_equations(pooling, copies):
  model = tiny_convnet(nnx.Rngs(3), pooling, copies)
  x = jax.random.normal(jax.random.PRNGKey(4), (3, 6, 6, 1))
  y = jnp.array([0, 2, 1])
  h = curvature.diagonal_curvature(model, x, y, mle_loss, "mle")
  ours = np.concatenate([np.asarray(v[...]).ravel()
                         for layer in h["layers"].values()
                         for _, v in sorted(layer.items())] or [np.zeros(0)])
  np.testing.assert_allclose(ours, literal_eqs_23_27(model, x, y), rtol=1e-5, atol=1e-9)


@pytest.mark.slow
def test_masked_entries_have_zero_curvature():
  model = tiny_convnet(nnx.Rngs(5))
  h = curvature.diagonal_curvature(model, jax.random.normal(jax.random.PRNGKey(0), (2, 6, 6, 1)),
                                   jnp.array([0, 1]), mle_loss, "mle")
  kernel_h = np.asarray(h["layers"][2]["kernel"][...])
  table = np.array([[1, 0, 1], [1, 1, 0]], bool)
  assert np.all(kernel_h[..., ~table] == 0) and np.all(kernel_h[..., table] > 0)


@pytest.mark.slow
def test_output_second_derivative():
  model = models.LeNet5(rngs=nnx.Rngs(0))
  feats = jax.random.normal(jax.random.PRNGKey(0), (4, 84))
  y = jnp.array([0, 1, 2, 3])
  mle = curvature.output_second_derivative(model, feats, y, None, "mle")
  np.testing.assert_allclose(mle, 2.0, rtol=1e-6)  # the paper's RBF value
  map_fn = lambda p, l: losses.map_criterion(p, l, j=1.0)
  full = curvature.output_second_derivative(model, feats, y, map_fn, "loss")
  assert full.shape == (4, 84) and bool(jnp.all(full >= 0))
  with pytest.raises(ValueError, match="output_curvature"):
    curvature.output_second_derivative(model, feats, y, None, "exact")
