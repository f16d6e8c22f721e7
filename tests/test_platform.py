"""lenet/platform.py: float32 products on every backend, the user's choice honoured."""
import os
import re
import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from experiments.configs import lenet5
from lenet import platform
from lenet.data import idx
from lenet.nn import models
from lenet.optim import optimizers
from lenet.optim import sdlm
from lenet.train import kernels
from lenet.train import orders


@pytest.mark.parametrize("imports,env,want", [
    ("import lenet, jax", None, "float32"),
    ("import jax, lenet", None, "float32"),  # jax first: lenet updates its config
    ("import lenet, jax", "tensorfloat32", "tensorfloat32"),
])
def test_matmul_precision_is_float32_unless_the_user_sets_it(imports, env, want):
  environ = {k: v for k, v in os.environ.items() if k != platform.MATMUL_PRECISION_ENV}
  if env:
    environ[platform.MATMUL_PRECISION_ENV] = env
  out = subprocess.run([sys.executable, "-c", f"{imports}; "
                        "print(jax.config.jax_default_matmul_precision)"], env=environ,
                       cwd=idx.REPO_ROOT, capture_output=True, text=True, check=True).stdout
  assert out.split() == [want]


def _lenet5_outputs():
  """LeNet-5's penalties of 50 patterns and its weights after 50 SDLM steps, freshly compiled."""
  c = lenet5.get_config()
  model = models.build(c.model, seed=0)
  fns, params = kernels.ModelFns.split(model)
  x = jax.random.uniform(jax.random.PRNGKey(1), (50, *model.input_shape))
  y = jax.random.randint(jax.random.PRNGKey(2), (50,), 0, 10)
  optimizer = optimizers.make(c.optimizer, 50)
  h = jax.tree.map(lambda p: jnp.full_like(p, 0.01), params)
  state = sdlm.with_curvature(optimizer.init(params), h)
  penalties = np.asarray(jax.jit(fns.penalties)(params, x))
  steps = jnp.asarray(orders.steps_of(orders.pattern_order(0, 50, 0, "fixed"), 1))
  run_pass = kernels.make_pass_fn(fns, kernels.criterion(c), optimizer, c.train.grad_chunk)
  trained = run_pass(params, state, steps, x, y)[0]
  return [penalties] + [np.asarray(w) for w in jax.tree.leaves(trained)]


@pytest.mark.skipif(jax.default_backend() != "cpu", reason="the CPU's own arithmetic")
def test_float32_products_change_no_bit_on_cpu():
  """The committed runs were made before the setting: on CPU it must give the same bits."""
  assert jax.config.jax_default_matmul_precision == "float32"
  ours = _lenet5_outputs()
  jax.config.update("jax_default_matmul_precision", None)  # jax's own default
  try:
    default = _lenet5_outputs()
  finally:
    jax.config.update("jax_default_matmul_precision", "float32")
  for a, b in zip(ours, default):
    np.testing.assert_array_equal(a, b)


def test_every_product_of_the_training_pass_asks_for_float32():
  """The setting reaches the compiled pass: each matrix product of LeNet-5's forward, backward
  and curvature-scaled update (its convolutions are products of patches, lenet/nn/layers.py)
  carries precision HIGHEST; TF32 would read HIGH, jax's default DEFAULT."""
  c = lenet5.get_config()
  model = models.build(c.model, seed=0)
  fns, params = kernels.ModelFns.split(model)
  optimizer = optimizers.make(c.optimizer, 4)
  state = optimizer.init(params)
  x, y = jnp.zeros((4, *model.input_shape)), jnp.zeros((4,), jnp.int32)
  steps = jnp.zeros((4, 1), jnp.int32)
  run_pass = kernels.make_pass_fn(fns, kernels.criterion(c), optimizer, c.train.grad_chunk)
  text = run_pass.lower(params, state, steps, x, y).as_text()
  precisions = re.findall(r"precision = \[(\w+), (\w+)\]", text)
  assert len(precisions) >= 10 and "stablehlo.convolution" not in text
  assert set(precisions) == {("HIGHEST", "HIGHEST")}
