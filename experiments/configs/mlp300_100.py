"""28x28-300-100-10 (Section III-C; Fig. 9), made by experiments/configs/mlp.py.

    python -m experiments.train --config=experiments/configs/mlp300_100.py \
        --workdir=runs/mlp300_100
"""
from experiments.configs import mlp


def get_config():
  return mlp.make("mlp300_100", (300, 100))
