"""Stochastic diagonal Levenberg-Marquardt (Section III-C, Appendix C) as optax transformations.

  w_k <- w_k - eps_k dE^p/dw_k,   eps_k = eta / (mu + h_kk)   (Eq. 21)

`scale_by_sdlm(mu)` divides each gradient by mu + h_kk; chained with
`optax.scale_by_learning_rate(per_pass_schedule(...))` it is the paper's update. The curvature
h_kk is estimated outside the optimizer (lenet/optim/curvature.py, on 500 patterns before each pass)
and written into the state with `with_curvature`, as optax's Sophia keeps its Hessian estimate.

References: LeCun, Bottou, Bengio, Haffner (1998), Eqs. 21-27; optax.contrib.sophia.
"""
from __future__ import annotations

from typing import NamedTuple, Sequence

import jax
import jax.numpy as jnp
import optax

MU = 0.02  # Eq. 21

# The paper's global learning rate per pass (Section III-C): 0.0005 for passes 1-2, 0.0002 for
# 3-5, 0.0001 for 6-8, 0.00005 for 9-12, 0.00001 after.
PAPER_ETA = (0.0005,) * 2 + (0.0002,) * 3 + (0.0001,) * 3 + (0.00005,) * 4 + (0.00001,)


class ScaleBySDLMState(NamedTuple):
  curvature: optax.Params  # h_kk, held fixed during a pass


def scale_by_sdlm(mu: float = MU) -> optax.GradientTransformation:
  """g_k -> g_k / (mu + h_kk)."""

  def init_fn(params):
    return ScaleBySDLMState(curvature=jax.tree.map(jnp.zeros_like, params))

  def update_fn(updates, state, params=None):
    del params
    return jax.tree.map(lambda g, h: g / (mu + h), updates, state.curvature), state

  return optax.GradientTransformation(init_fn, update_fn)


def with_curvature(opt_state, curvature):
  """Returns `opt_state` with the curvature of every ScaleBySDLMState replaced."""
  def replace(s):
    return s._replace(curvature=curvature) if isinstance(s, ScaleBySDLMState) else s
  return jax.tree.map(replace, opt_state, is_leaf=lambda s: isinstance(s, ScaleBySDLMState))


def per_pass_schedule(rates: Sequence[float], steps_per_pass: int) -> optax.Schedule:
  """eta for the pass that contains `step`; passes beyond len(rates) keep the last rate."""
  table = jnp.asarray(rates, jnp.float32)

  def schedule(step):
    return table[jnp.minimum(step // steps_per_pass, len(rates) - 1)]

  return schedule


def sdlm(learning_rate: optax.ScalarOrSchedule, mu: float = MU) -> optax.GradientTransformation:
  """The paper's optimizer: eps_k = eta / (mu + h_kk) times the gradient, descending."""
  return optax.chain(scale_by_sdlm(mu), optax.scale_by_learning_rate(learning_rate))


def step_sizes(curvature, eta: float, mu: float = MU):
  """Effective per-parameter step sizes eps_k = eta / (mu + h_kk) (the paper's sanity check)."""
  return jax.tree.map(lambda h: eta / (mu + h), curvature)
