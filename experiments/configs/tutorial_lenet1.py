"""LeNet-1 as the popular tutorials build it, beside the paper's (configs/lenet1.py).

    python -m experiments.train --config=experiments/configs/tutorial_lenet1.py \
        --workdir=runs/tutorial_lenet1

The 28x28 digit as stored (no 16x16 reduction), C1 4 maps 5x5, 2x2 average pooling, C3 12 maps
5x5 each reading all four maps, average pooling, a 192->10 linear layer; ReLU, log-softmax with
cross-entropy, PyTorch's default initialization, Adam at 1e-3 on minibatches of 8, 20 epochs, a
new order every epoch. Nothing here was tuned.
"""
from experiments.configs import common


def get_config():
  return common.make(
      "tutorial_lenet1",
      data=common.data("raw"),            # the 28x28 field as stored
      model=dict(name="lenet1", tables="full", activation="relu", pooling="average",
                 output="softmax",
                 weight_init="torch_default",     # uniform +-1/sqrt(F_i), weights and biases
                 bias_init="uniform"),
      loss=common.loss("cross_entropy"),
      # mu and output_curvature are unused without SDLM.
      optimizer=common.optimizer("adam", mu=0.0, schedule="constant", learning_rate=0.001,
                                 output_curvature="loss"),
      train=common.train(passes=20, batch_size=8, order="reshuffle"))
