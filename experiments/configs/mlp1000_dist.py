"""[dist] 28x28-1000-10 (Section III-C; Fig. 9), made by experiments/configs/mlp.py.

    python -m experiments.train --config=experiments/configs/mlp1000_dist.py \
        --workdir=runs/mlp1000_dist
"""
from experiments.configs import mlp


def get_config():
  return mlp.make("mlp1000_dist", (1000,), distorted=True)
