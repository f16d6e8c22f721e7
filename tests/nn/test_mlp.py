"""The fully connected rows (lenet/nn/models.py MLP, experiments/configs/mlp.py): counts against
Figs. 11-12, SDLM's curvature against the Gauss-Newton diagonal, a short run on MNIST."""
import importlib
import json

from flax import nnx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from lenet import errors
from lenet import methods
from lenet import paper
from lenet.nn import losses
from lenet.nn import models
from lenet.optim import curvature
from lenet.train import kernels


def config(name):
  return importlib.import_module(f"experiments.configs.{name}").get_config()


@pytest.mark.parametrize("name", ["mlp1000", "mlp300_100", "mlp500_150", "mlp300_deslant"])
def test_counts_are_the_papers_figs_11_and_12(name):
  """The paper's thousands of multiply-accumulates and of variables are our parameters (the
  weights and the biases), rounded."""
  cost = methods.cost(config(name))
  row = paper.row(name)
  assert round(cost["params"] / 1000) == float(row["macs_k"]) == float(row["mem_k"])


def test_layers_and_the_distorted_and_deslanted_variants():
  model = models.build(config("mlp300_100").model, seed=0)
  assert [l.kernel.shape for l in model.layers] == [(784, 300), (300, 100), (100, 10)]
  assert model(jnp.zeros((3, 28, 28, 1))).shape == (3, 10)
  assert config("mlp300_dist").data.distortion.copies == 9
  assert config("mlp300").data.distortion.copies == 0
  c = config("mlp300_deslant")
  assert (c.data.input_format, c.model.input_side) == ("deslant20", 20)
  for name in (n for n in paper.CLASSIFIER if n.startswith("mlp")):
    c = config(name)
    assert c.network == name and paper.CLASSIFIER[name] in paper.fig9_11_12()


def test_curvature_is_the_gauss_newton_diagonal():
  """No weight sharing and a diagonal output Hessian (place codes, MLE): Eqs. 23-27 drop
  nothing for one hidden layer, so h_kk is the exact Gauss-Newton diagonal."""
  model = models.MLP(hidden=(5,), input_side=3, bias_init="uniform", weight_init="sqrt_fan_in",
                     rngs=nnx.Rngs(0))
  fns, params = kernels.ModelFns.split(model)
  x = jax.random.normal(jax.random.PRNGKey(0), (6, 3, 3, 1))
  y = jnp.array([0, 1, 2, 3, 4, 9])
  h = curvature.diagonal_curvature(model, x, y, losses.mle, "mle")
  flat, unravel = jax.flatten_util.ravel_pytree(params)
  feats = lambda f, xi: fns.model(unravel(f)).features(xi[None])[0]  # noqa: E731
  jac = jax.vmap(lambda xi: jax.jacobian(feats)(flat, xi))(x)  # (B, 10 outputs, P)
  gauss_newton = jnp.mean(jnp.sum(2.0 * jac ** 2, axis=1), axis=0)
  np.testing.assert_allclose(jax.flatten_util.ravel_pytree(h)[0], gauss_newton, rtol=1e-5,
                             atol=1e-7)


def test_no_hidden_layer_is_the_linear_rows_classifier():
  """hidden=(): 10 scaled-tanh units on the pixels, the Linear row's 7,850 parameters."""
  c = config("mlp300")
  c.model.hidden = ()
  model = models.build(c.model, seed=0)
  assert [l.kernel.shape for l in model.layers] == [(784, 10)]
  assert methods.cost(c)["params"] == 7850 == methods.cost(config("linear"))["params"]


def test_bad_layer_sizes_and_a_mismatched_input_are_refused(tmp_path):
  c = config("mlp300")
  c.model.hidden = (300, 0)
  with pytest.raises(errors.ConfigError, match="model.hidden"):
    methods.run(c, tmp_path / "run")
  c = config("mlp300")
  c.data.input_format = "deslant20"  # 20x20 images into a 28x28 input
  with pytest.raises(errors.ConfigError, match="data.input_format='deslant20' makes 20x20"):
    methods.run(c, tmp_path / "run")
  assert not (tmp_path / "run").exists()


@pytest.mark.slow
def test_training_lowers_the_loss_and_the_error_on_mnist(mnist_dir, tmp_path):
  del mnist_dir
  c = config("mlp300")
  c.data.train_size, c.train.passes = 2000, 3
  methods.run(c, tmp_path / "run")
  rows = [json.loads(l) for l in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
  assert rows[-1]["train_loss"] < rows[0]["train_loss"]
  assert rows[-1]["test_error"] < rows[0]["test_error"] < 0.9
