"""[dist] 28x28-500-150-10 (Section III-C; Fig. 9), made by experiments/configs/mlp.py.

    python -m experiments.train --config=experiments/configs/mlp500_150_dist.py \
        --workdir=runs/mlp500_150_dist
"""
from experiments.configs import mlp


def get_config():
  return mlp.make("mlp500_150_dist", (500, 150), distorted=True)
