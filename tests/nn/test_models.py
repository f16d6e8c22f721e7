"""lenet/nn: layers, models, rbf_codes, counts against the paper."""
import json

from flax import nnx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from lenet.nn import counts
from lenet.nn import layers as L
from lenet.nn import losses
from lenet.nn import models
from lenet.nn import rbf_codes
from lenet.optim import optimizers
from lenet.optim import sdlm
from lenet.train import kernels
from tests.conftest import SHARED_PAPER, small_config

# Section II-B: (trainable parameters, connections) per layer.
PAPER_COUNTS = {"C1": (156, 122_304), "S2": (12, 5_880), "C3": (1_516, 151_600),
                "S4": (32, 2_000), "C5": (48_120, 48_120), "F6": (10_164, 10_164),
                "RBF": (0, 840)}


def lenet5(**kw):
  return models.LeNet5(rngs=nnx.Rngs(0), **kw)


def test_counts_equal_the_paper_exactly():
  model = lenet5()
  costs = counts.layer_costs(model)
  assert {c.name: (c.params, c.connections) for c in costs} == PAPER_COUNTS
  total = counts.totals(costs)
  assert (total["params"], total["connections"]) == (60_000, 340_908)
  assert total["macs"] == 332_824  # PAPER.md: "a plain count gives about 333K"


def test_counted_params_equal_the_unmasked_trainable_entries():
  model = lenet5()
  params = nnx.state(model, nnx.Param)
  total = sum(x.size for x in jax.tree.leaves(params))
  masked = int((1 - models.TABLE_I).sum()) * 25  # C3 kernel entries Table I leaves out
  assert total - masked == 60_000


def test_table_I():
  t = models.TABLE_I.astype(bool)
  expected = [{0, 1, 2}, {1, 2, 3}, {2, 3, 4}, {3, 4, 5}, {4, 5, 0}, {5, 0, 1},
              {0, 1, 2, 3}, {1, 2, 3, 4}, {2, 3, 4, 5}, {3, 4, 5, 0}, {4, 5, 0, 1}, {5, 0, 1, 2},
              {0, 1, 3, 4}, {1, 2, 4, 5}, {0, 2, 3, 5}, {0, 1, 2, 3, 4, 5}]
  assert [set(np.flatnonzero(t[:, o])) for o in range(16)] == expected
  assert t.sum() == 60


def test_rbf_codes_are_the_papers_glyphs():
  glyphs = json.loads((SHARED_PAPER / "rbf_bitmaps_ascii.json").read_text())
  codes = rbf_codes.rbf_codes("ink_positive")
  for d in range(10):
    ink = np.array([[c == "#" for c in row] for row in glyphs[str(d)]]).ravel()
    np.testing.assert_array_equal(codes[d], np.where(ink, 1.0, -1.0))
  np.testing.assert_array_equal(rbf_codes.rbf_codes("ink_negative"), -codes)
  hamming = (codes[:, None] != codes[None]).sum(-1)
  assert hamming[~np.eye(10, dtype=bool)].min() == 12  # PAPER.md


def test_squashing_function():
  assert float(L.scaled_tanh(1.0)) == pytest.approx(1.0, abs=1e-4)
  assert float(L.scaled_tanh(-1.0)) == pytest.approx(-1.0, abs=1e-4)


@pytest.mark.parametrize("batch", [1, 7])
def test_output_shapes_and_prediction(batch):
  model = lenet5()
  x = jax.random.normal(jax.random.PRNGKey(0), (batch, 32, 32, 1))
  penalties = jax.jit(lambda x: model(x))(x)
  assert penalties.shape == (batch, 10)
  assert bool(jnp.all(penalties >= 0))  # squared distances


def test_init_range_uses_each_units_real_fan_in():
  model = lenet5(weight_init="fan_in")
  c3 = model.layers[2]
  kernel = np.asarray(c3.kernel[...])
  for o, n_in in ((0, 3), (6, 4), (15, 6)):
    bound = 2.4 / (25 * n_in)
    assert np.abs(kernel[..., o]).max() <= bound
    assert np.abs(kernel[..., o]).max() > 0.8 * bound
  assert np.all(kernel[..., models.TABLE_I == 0] == 0)  # masked entries start at zero


@pytest.mark.slow
def test_gradients_match_finite_differences():
  with jax.enable_x64(True):
    model = lenet5()
    fns, params = kernels.ModelFns.split(model)
    params = jax.tree.map(lambda p: p.astype(jnp.float64), params)
    x = jax.random.normal(jax.random.PRNGKey(1), (2, 32, 32, 1), jnp.float64)
    y = jnp.array([3, 7])

    def loss(p):
      return jnp.mean(losses.map_criterion(fns.penalties(p, x), y, j=1.0))

    grads = jax.grad(loss)(params)
    flat, unravel = jax.flatten_util.ravel_pytree(params)
    g_flat = jax.flatten_util.ravel_pytree(grads)[0]
    rng = np.random.default_rng(0)
    for k in rng.choice(flat.size, 25, replace=False):
      e = jnp.zeros_like(flat).at[k].set(1e-4)
      fd = (loss(unravel(flat + e)) - loss(unravel(flat - e))) / 2e-4
      assert float(g_flat[k]) == pytest.approx(float(fd), rel=1e-6, abs=1e-10)


@pytest.mark.slow
def test_masked_kernel_entries_have_no_effect_through_a_training_step():
  cfg = small_config()
  model = models.build(cfg.model, seed=0)
  fns, params = kernels.ModelFns.split(model)
  optimizer = optimizers.make(cfg.optimizer, 10)
  state = optimizer.init(params)
  x = jax.random.uniform(jax.random.PRNGKey(2), (3, 32, 32, 1), minval=-0.1, maxval=1.175)
  y = jnp.array([1, 2, 3])
  loss_fn = kernels.criterion(cfg)
  h = kernels.make_curvature_fn(fns, loss_fn, "mle")(params, x, y)
  state = sdlm.with_curvature(state, h)
  run_pass = kernels.make_pass_fn(fns, loss_fn, optimizer)
  params, _, _ = run_pass(params, state, jnp.array([[0], [1], [2]]), x, y)
  kernel = np.asarray(params["layers"][2]["kernel"][...])
  masked = models.TABLE_I == 0
  assert np.all(kernel[..., masked] == 0)
  # Filling the masked entries with noise changes nothing in the output.
  noisy = jax.tree.map(lambda v: v, params)
  noise = np.random.default_rng(0).normal(size=kernel.shape) * masked
  noisy["layers"][2]["kernel"][...] = jnp.asarray(kernel + noise, jnp.float32)
  np.testing.assert_array_equal(fns.penalties(params, x), fns.penalties(noisy, x))


@pytest.mark.parametrize("kw, params", [
    (dict(c3_table="full"), 60_000 - 1_516 + 16 * 6 * 25 + 16),
    (dict(output="softmax"), 60_000 + 850),
    (dict(pooling="average"), 60_000 - 44),
    (dict(pooling="max"), 60_000 - 44),
    (dict(activation="relu"), 60_000),
    (dict(bias_init="uniform"), 60_000),
])
@pytest.mark.slow
def test_ablation_variants_build_count_and_run(kw, params):
  model = lenet5(**kw)
  assert counts.totals(counts.layer_costs(model))["params"] == params
  assert model(jnp.zeros((2, 32, 32, 1))).shape == (2, 10)


@pytest.mark.parametrize("kw, field", [
    (dict(c3_table="partial"), "model.c3_table"), (dict(activation="sigmoid"), "model.activation"),
    (dict(pooling="min"), "model.pooling"), (dict(output="svm"), "model.output"),
    (dict(rbf_polarity="ink"), "model.rbf_polarity"), (dict(bias_init="ones"), "model.bias_init"),
    (dict(weight_init="he"), "model.weight_init")])
def test_unknown_values_name_the_field(kw, field):
  with pytest.raises(ValueError, match=field):
    lenet5(**kw)


def test_losses():
  penalties = jnp.array([[1.0, 5.0, 9.0]])
  label = jnp.array([0])
  assert float(losses.mle(penalties, label)[0]) == 1.0
  j = 2.0
  expected = 1.0 + np.log(np.exp(-j) + np.exp(-1.0) + np.exp(-5.0) + np.exp(-9.0))
  assert float(losses.map_criterion(penalties, label, j=j)[0]) == pytest.approx(expected)
  ce = 1.0 + np.log(np.exp(-1.0) + np.exp(-5.0) + np.exp(-9.0))
  assert float(losses.cross_entropy(penalties, label)[0]) == pytest.approx(ce, rel=1e-5)


@pytest.mark.slow
@pytest.mark.parametrize("shape, k", [((2, 32, 32, 1), 5), ((3, 14, 14, 6), 5), ((2, 5, 5, 16), 5),
                                      ((1, 7, 6, 2), 3)])
def test_convolution_matches_lax_conv(shape, k):
  keys = jax.random.split(jax.random.PRNGKey(0), 2)
  x = jax.random.normal(keys[0], shape)
  kernel = jax.random.normal(keys[1], (k, k, shape[-1], 4))
  expected = jax.lax.conv_general_dilated(x, kernel, (1, 1), "VALID",
                                          dimension_numbers=("NHWC", "HWIO", "NHWC"),
                                          precision=jax.lax.Precision.HIGHEST)
  np.testing.assert_allclose(L.conv2d_valid(x, kernel), expected, rtol=1e-5, atol=1e-5)
