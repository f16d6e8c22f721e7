"""LeNet-5 as the popular tutorials build it, beside the paper's (configs/lenet5.py).

    python -m experiments.train --config=experiments/configs/tutorial_lenet5.py \
        --workdir=runs/tutorial_lenet5

The 32x32 C1-S2-C3-S4-C5-F6 stack with every C3 map reading all six S2 maps (no Table I), plain
tanh, 2x2 average pooling (no coefficient, bias or squashing), a learned 84->10 layer with a
softmax and cross-entropy instead of the RBF codes and MAP, PyTorch's default initialization,
plain SGD at a constant rate on minibatches of 32, 20 epochs, a new order every epoch. The rate
was chosen on the validation split (README, "The tutorial versions").
"""
from experiments.configs import lenet5


def get_config():
  c = lenet5.get_config()
  c.network = "tutorial_lenet5"
  c.model.c3_table = "full"
  c.model.activation = "tanh"
  c.model.pooling = "average"
  c.model.output = "softmax"
  c.model.weight_init = "torch_default"  # uniform +-1/sqrt(F_i), weights and biases
  c.model.bias_init = "uniform"
  c.loss.name = "cross_entropy"
  c.optimizer.name = "sgd"
  c.optimizer.schedule = "constant"
  c.optimizer.learning_rate = 0.1   # chosen among 0.01, 0.03, 0.1, 0.3 on the validation split
  c.optimizer.mu = 0.0              # unused (no SDLM)
  c.optimizer.output_curvature = "loss"  # unused (no SDLM)
  c.train.batch_size = 32
  c.train.order = "reshuffle"
  return c
