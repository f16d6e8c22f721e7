"""LeNet-5 with the paper's literal initialization and SDLM constant, which do not train here.

    python -m experiments.train --config=experiments/configs/lenet5_literal.py --workdir=DIR

LeNet-5's row (configs/lenet5.py) with weights uniform in +-2.4/F_i (Section III-C) and
mu = 0.02 (Eq. 21) restored, so that the failure behind its two deviations can be rerun: with
these values SDLM saturates the network in pass 1 (README, "Deviations").
"""
from experiments.configs import lenet5


def get_config():
  c = lenet5.get_config()
  c.model.weight_init = "fan_in"
  c.optimizer.mu = 0.02
  return c
