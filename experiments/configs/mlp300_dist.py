"""[dist] 28x28-300-10 (Section III-C; Fig. 9), made by experiments/configs/mlp.py.

    python -m experiments.train --config=experiments/configs/mlp300_dist.py \
        --workdir=runs/mlp300_dist
"""
from experiments.configs import mlp


def get_config():
  return mlp.make("mlp300_dist", (300,), distorted=True)
