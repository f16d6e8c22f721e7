"""LeNet-5 as the popular tutorials build it, beside the paper's (configs/lenet5.py).

    python -m experiments.train --config=experiments/configs/tutorial_lenet5.py \
        --workdir=runs/tutorial_lenet5

The 32x32 C1-S2-C3-S4-C5-F6 stack with every C3 map reading all six S2 maps (no Table I), plain
tanh, 2x2 average pooling (no coefficient, bias or squashing), a learned 84->10 layer with a
softmax and cross-entropy instead of the RBF codes and MAP, PyTorch's default initialization,
plain SGD at a constant rate on minibatches of 32, 20 epochs, a new order every epoch. The rate
was chosen on the validation split (README, "The tutorial versions").
"""
from experiments.configs import common


def get_config():
  return common.make(
      "tutorial_lenet5",
      data=common.data("pad32"),
      model=dict(name="lenet5", c3_table="full", activation="tanh", pooling="average",
                 output="softmax", rbf_polarity="ink_positive",  # (no RBF: unused)
                 weight_init="torch_default",     # uniform +-1/sqrt(F_i), weights and biases
                 bias_init="uniform"),
      loss=common.loss("cross_entropy"),
      # The rate: chosen among 0.01, 0.03, 0.1, 0.3 on the validation split (sweeps.SELECTION).
      # mu and output_curvature are unused without SDLM.
      optimizer=common.optimizer("sgd", mu=0.0, schedule="constant", learning_rate=0.3,
                                 output_curvature="loss"),
      train=common.train(passes=20, batch_size=32, order="reshuffle"))
