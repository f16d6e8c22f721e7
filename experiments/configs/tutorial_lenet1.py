"""LeNet-1 as the popular tutorials build it, beside the paper's (configs/lenet1.py).

    python -m experiments.train --config=experiments/configs/tutorial_lenet1.py \
        --workdir=runs/tutorial_lenet1

The 28x28 digit as stored (no 16x16 reduction), C1 4 maps 5x5, 2x2 average pooling, C3 12 maps
5x5 each reading all four maps, average pooling, a 192->10 linear layer; ReLU, log-softmax with
cross-entropy, PyTorch's default initialization, Adam at 1e-3 on minibatches of 8, 20 epochs, a
new order every epoch. Nothing here was tuned.
"""
from experiments.configs import lenet1


def get_config():
  c = lenet1.get_config()
  c.network = "tutorial_lenet1"
  c.data.input_format = "raw"
  c.model.tables = "full"
  c.model.activation = "relu"
  c.model.pooling = "average"
  c.model.output = "softmax"
  c.model.weight_init = "torch_default"  # uniform +-1/sqrt(F_i), weights and biases
  c.model.bias_init = "uniform"
  c.loss.name = "cross_entropy"
  c.optimizer.name = "adam"
  c.optimizer.schedule = "constant"
  c.optimizer.learning_rate = 0.001
  c.optimizer.mu = 0.0              # unused (no SDLM)
  c.optimizer.output_curvature = "loss"  # unused (no SDLM)
  c.train.batch_size = 8
  c.train.order = "reshuffle"
  return c
