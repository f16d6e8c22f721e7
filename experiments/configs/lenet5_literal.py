"""LeNet-5 with the paper's SDLM constant mu = 0.02 (Eq. 21), which does not train here.

    python -m experiments.train --config=experiments/configs/lenet5_literal.py --workdir=DIR

LeNet-5's row (configs/lenet5.py) with its one departure undone: every stated value of the
paper. With it SDLM saturates the network in pass 1 (README, "Deviations";
results/diagnose_sdlm).
"""
from experiments.configs import lenet5


def get_config():
  c = lenet5.get_config()
  c.optimizer.mu = 0.02
  return c
