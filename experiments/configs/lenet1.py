"""LeNet-1 (Section III-C, LeCun et al. 1990; paper: 1.7%).

    python -m experiments.train --config=experiments/configs/lenet1.py --workdir=runs/lenet1

Digits down-sampled to 16x16 and centred in a 28x28 input; C1 4 maps, S2, C3 12 maps from 20
kernels (table: lenet/models.py), S4, 10 outputs; 2,578 parameters, 98,442 connections. Trained
with LeNet-5's recipe (configs/lenet5.py). The outputs are tanh units compared with +-1 place
codes (model.output="place"), the squared-error targets of the time.
"""
from experiments.configs import lenet5


def get_config():
  c = lenet5.get_config()
  c.network = "lenet1"
  c.data.input_format = "center16in28"
  c.model = lenet5.ml_collections.ConfigDict()
  c.model.name = "lenet1"
  c.model.tables = "lenet1"         # our H3 table (lenet/models.py); "full": every map reads all 4
  c.model.activation = "scaled_tanh"
  c.model.pooling = "trainable"
  c.model.output = "place"          # +-1 place-code targets; "softmax" (ablation)
  c.model.weight_init = "efficient_backprop"  # as LeNet-5 (README, deviations)
  c.model.bias_init = "zero"
  # The paper's mu = 0.02 (Eq. 21). LeNet-5 needs 0.5 (README, deviations); this network trains
  # with the stated value, and 0.5 leaves it under-fitted (README, deviations).
  c.optimizer.mu = 0.02
  return c
