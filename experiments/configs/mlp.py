"""The fully connected rows of Fig. 9 (Section III-C), one config module each (mlp300,
mlp300_dist, ...), all made here: the paper's recipe (SDLM, 20 passes at batch 1 in one fixed
random order, eta schedule of Eq. 21's text) on fully connected scaled-tanh layers with LeNet-1's
and LeNet-4's +-1 place-code outputs (lenet/nn/models.py MLP).

    python -m experiments.train --config=experiments/configs/mlp300.py --workdir=runs/mlp300
"""
from experiments.configs import common


def make(network: str, hidden: tuple[int, ...], *, distorted: bool = False,
         deslanted: bool = False):
  """28x28-<hidden>-10 (or 20x20 deslanted); distorted: the 60,000 + 540,000 of [dist] LeNet-5."""
  c = common.make(
      network,
      data=common.data("deslant20" if deslanted else "raw", copies=9 if distorted else 0),
      model=dict(
          name="mlp",
          hidden=tuple(hidden),
          input_side=20 if deslanted else 28,
          activation="scaled_tanh",
          output="place",     # +-1 place codes, as LeNet-1 and LeNet-4; "softmax"
          # Departure (README): our init, as LeNet-1 and LeNet-4; the paper's +-2.4/F_i does not
          # train at mu = 0.02. Chosen on 28x28-300-10's validation split (results/selection/mlp300)
          weight_init="efficient_backprop",
          bias_init="zero"),
      loss=common.loss("map", j=1.0),
      optimizer=common.optimizer("sdlm", mu=0.02),  # the paper's mu
      train=common.train(passes=20, batch_size=1))
  return c
