"""28x28-1000-10 (Section III-C; Fig. 9), made by experiments/configs/mlp.py.

    python -m experiments.train --config=experiments/configs/mlp1000.py --workdir=runs/mlp1000
"""
from experiments.configs import mlp


def get_config():
  return mlp.make("mlp1000", (1000,))
