"""LeNet-1 and LeNet-4 (lenet/nn/models.py) against the paper's counts and descriptions."""
from flax import nnx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from experiments.configs import lenet1 as lenet1_config
from experiments.configs import lenet4 as lenet4_config
from lenet.nn import counts
from lenet.nn import layers as L
from lenet.nn import losses
from lenet.nn import models

# Section III-C: LeNet-1 with trainable subsampling, per layer (parameters, connections).
LENET1_COUNTS = {"C1": (104, 59_904), "S2": (8, 2_880), "C3": (512, 32_768), "S4": (24, 960),
                 "OUT": (1_930, 1_930), "targets": (0, 0)}


def test_lenet1_counts_equal_the_paper_exactly():
  costs = counts.layer_costs(models.LeNet1(rngs=nnx.Rngs(0)))
  assert {c.name: (c.params, c.connections) for c in costs} == LENET1_COUNTS
  total = counts.totals(costs)
  assert (total["params"], total["connections"]) == (2_578, 98_442)
  assert abs(total["macs"] - 100_000) / 100_000 < 0.1  # "about 100,000 multiply-adds"


def test_lenet1_h3_has_20_kernels_each_on_one_or_two_maps():
  t = models.LENET1_H3
  assert t.shape == (4, 12) and t.sum() == 20
  assert set(t.sum(axis=0)) == {1, 2}
  assert (t.sum(axis=1) == 5).all()


def test_lenet4_counts_near_the_papers_and_as_documented():
  total = counts.totals(counts.layer_costs(models.LeNet4(rngs=nnx.Rngs(0))))
  assert (total["params"], total["connections"]) == (18_098, 269_306)  # README, assumptions
  assert abs(total["params"] - 17_000) / 17_000 < 0.07
  assert abs(total["connections"] - 260_000) / 260_000 < 0.04
  assert abs(total["macs"] - 260_000) / 260_000 < 0.02  # Fig. 11: 260K


def test_lenet4_tables():
  c3, c5 = models.LENET4_C3, models.LENET4_C5
  assert c3.shape == (8, 16) and (c3.sum(axis=0) == 4).all() and (c3.sum(axis=1) == 8).all()
  assert c5.shape == (16, 120) and (c5.sum(axis=0) == 5).all()
  assert len({tuple(col) for col in c5.T}) == 120  # no two C5 units share their inputs


def test_lenet4_s2_has_two_maps_per_c1_map():
  """Changing C1 map k changes S2 maps 2k and 2k+1 only ("connected in pairs")."""
  s2 = L.Subsampling(4, name="S2", copies=2, rngs=nnx.Rngs(0))
  x = jax.random.normal(jax.random.PRNGKey(0), (1, 8, 8, 4))
  for k in range(4):
    changed = np.asarray(jnp.abs(s2(x.at[..., k].add(1.0)) - s2(x)).sum(axis=(0, 1, 2)) > 0)
    assert np.flatnonzero(changed).tolist() == [2 * k, 2 * k + 1]


@pytest.mark.slow
@pytest.mark.parametrize("config_module", [lenet1_config, lenet4_config])
@pytest.mark.parametrize("batch", [1, 7])
def test_shapes(config_module, batch):
  cfg = config_module.get_config()
  model = models.build(cfg.model, seed=0)
  x = jnp.zeros((batch, *model.input_shape))
  assert model(x).shape == (batch, 10)
  assert model.input_shape == ((28, 28, 1) if cfg.model.name == "lenet1" else (32, 32, 1))


def test_place_code_penalties_rank_classes_by_their_output():
  """With +-1 place codes the smallest squared distance is the largest output unit."""
  x = jax.random.normal(jax.random.PRNGKey(1), (50, 10))
  penalties = L.PlaceCodes()(x)
  np.testing.assert_array_equal(penalties.argmin(1), x.argmax(1))
  # and the MLE criterion is the squared error to the +-1 targets
  labels = jnp.arange(50) % 10
  targets = 2 * jax.nn.one_hot(labels, 10) - 1
  np.testing.assert_allclose(losses.mle(penalties, labels), ((x - targets) ** 2).sum(1),
                             rtol=1e-5)


def test_softmax_ablation_and_unknown_output():
  cfg = lenet4_config.get_config()
  cfg.model.output = "softmax"
  model = models.build(cfg.model, seed=0)
  assert isinstance(model.output, L.NegatedLogits) and model.layers[-1].activation == "identity"
  cfg.model.output = "rbf"
  with pytest.raises(ValueError, match="model.output"):
    models.build(cfg.model, seed=0)
  cfg.model.output = "place"
  cfg.model.tables = "tableI"
  with pytest.raises(ValueError, match="model.tables"):
    models.build(cfg.model, seed=0)


@pytest.mark.slow
def test_lenet1_gradients_match_finite_differences():
  jax.config.update("jax_enable_x64", True)
  try:
    model = models.LeNet1(rngs=nnx.Rngs(0))
    graphdef, params, rest = nnx.split(model, nnx.Param, ...)
    params = jax.tree.map(lambda v: v.astype(jnp.float64), params)
    rest = jax.tree.map(lambda v: v.astype(jnp.float64), rest)
    x = jax.random.normal(jax.random.PRNGKey(2), (2, 28, 28, 1), jnp.float64)
    y = jnp.array([3, 7])

    def loss(p):
      return losses.map_criterion(nnx.merge(graphdef, p, rest)(x), y, j=1.0).sum()

    grads = jax.grad(loss)(params)
    leaves, treedef = jax.tree.flatten(params)
    gleaves = jax.tree.leaves(grads)
    rng = np.random.default_rng(0)
    for i, (leaf, g) in enumerate(zip(leaves, gleaves)):
      for _ in range(3):
        idx = tuple(rng.integers(s) for s in leaf.shape)
        eps = 1e-6
        def shifted(d, leaf=leaf, idx=idx, i=i):
          new = list(leaves)
          new[i] = leaf.at[idx].add(d)
          return loss(jax.tree.unflatten(treedef, new))
        fd = (shifted(eps) - shifted(-eps)) / (2 * eps)
        np.testing.assert_allclose(g[idx], fd, rtol=1e-5, atol=1e-8)
  finally:
    jax.config.update("jax_enable_x64", False)


@pytest.mark.parametrize("name, params", [
    # C1 156 + C3 full 6*16*25+16 = 2,416 + C5 48,120 + F6 10,164 + OUT 84*10+10 = 850; average
    # pooling has no parameters
    ("tutorial_lenet5", 156 + 2_416 + 48_120 + 10_164 + 850),
    # C1 4*25+4 = 104 + C3 full 4*12*25+12 = 1,212 + OUT 192*10+10 = 1,930
    ("tutorial_lenet1", 104 + 1_212 + 1_930)])
def test_the_tutorial_versions_count_as_the_tutorials_build_them(name, params):
  import importlib  # pylint: disable=g-import-not-at-top
  from lenet import methods  # pylint: disable=g-import-not-at-top
  config = importlib.import_module(f"experiments.configs.{name}").get_config()
  assert methods.cost(config)["params"] == params
  model = models.build(config.model, seed=0)
  assert [layer.activation for layer in model.layers][::2][:2] == [config.model.activation] * 2
  assert isinstance(model.output, L.NegatedLogits)
