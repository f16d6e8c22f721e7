"""lenet/optim/sdlm.py: the update of Eq. 21 by hand, the per-pass schedule, the curvature slot."""
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from lenet.optim import sdlm


def test_update_matches_hand_computation():
  params = {"w": jnp.array([1.0, 2.0])}
  grads = {"w": jnp.array([0.5, -1.0])}
  opt = sdlm.sdlm(learning_rate=0.1, mu=0.02)
  state = sdlm.with_curvature(opt.init(params), {"w": jnp.array([0.0, 1.0])})
  updates, _ = opt.update(grads, state, params)
  # eps_k = eta / (mu + h_kk): 0.1/0.02 = 5 and 0.1/1.02; the step is -eps_k g_k.
  np.testing.assert_allclose(updates["w"], [-0.1 * 0.5 / 0.02, 0.1 * 1.0 / 1.02], rtol=1e-6)
  new = optax.apply_updates(params, updates)
  np.testing.assert_allclose(new["w"], [1.0 - 2.5, 2.0 + 0.1 / 1.02], rtol=1e-6)


def test_paper_schedule_per_pass():
  schedule = sdlm.per_pass_schedule(sdlm.PAPER_ETA, steps_per_pass=3)
  per_pass = [float(schedule(3 * p)) for p in range(20)]
  expected = [5e-4] * 2 + [2e-4] * 3 + [1e-4] * 3 + [5e-5] * 4 + [1e-5] * 8
  np.testing.assert_allclose(per_pass, expected)
  assert float(schedule(5)) == pytest.approx(5e-4) and float(schedule(6)) == pytest.approx(2e-4)


def test_schedule_drives_the_chained_update():
  params = {"w": jnp.array([0.0])}
  opt = sdlm.sdlm(sdlm.per_pass_schedule(sdlm.PAPER_ETA, steps_per_pass=1), mu=1.0)
  state = opt.init(params)
  steps = []
  for _ in range(4):
    u, state = opt.update({"w": jnp.array([1.0])}, state, params)
    steps.append(-float(u["w"][0]))
  np.testing.assert_allclose(steps, [5e-4, 5e-4, 2e-4, 2e-4], rtol=1e-6)


def test_with_curvature_replaces_only_the_sdlm_state():
  params = {"w": jnp.zeros(2)}
  state = sdlm.sdlm(0.1).init(params)
  new = sdlm.with_curvature(state, {"w": jnp.ones(2)})
  np.testing.assert_array_equal(new[0].curvature["w"], [1.0, 1.0])
  assert type(new[1]) is type(state[1])


def test_step_size_range_skips_masked_entries_and_survives_full_saturation():
  from lenet.optim import optimizers
  h = {"a": jnp.array([0.0, 1.0, 3.0]), "b": jnp.array([[0.5]])}
  lo, hi = optimizers.step_size_range(h, eta=1e-3, mu=0.5)
  np.testing.assert_allclose([lo, hi], [1e-3 / 3.5, 1e-3 / 1.0], rtol=1e-6)
  # every unit saturated, every h_kk exactly 0 (seen with the paper's init and mu in pass 2)
  zeros = {"a": jnp.zeros(3), "b": jnp.zeros((1, 1))}
  assert optimizers.step_size_range(zeros, eta=5e-4, mu=0.02) == (5e-4 / 0.02, 5e-4 / 0.02)
