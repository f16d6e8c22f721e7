"""LeNet-5 with the paper's literal initialization and SDLM constant, which do not train here.

    python -m experiments.train --config=experiments/configs/lenet5_literal.py --workdir=DIR

Identical to lenet5.py except weights uniform in +-2.4/F_i (Section III-C) and mu = 0.02
(Eq. 21). Kept so that the failure behind the two deviations of lenet5.py can be rerun: with
these values SDLM diverges in pass 1 (README, "Deviations").
"""
from experiments.configs import lenet5


def get_config():
  c = lenet5.get_config()
  c.model.weight_init = "fan_in"
  c.optimizer.mu = 0.02
  return c
