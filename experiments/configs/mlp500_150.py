"""28x28-500-150-10 (Section III-C; Fig. 9), made by experiments/configs/mlp.py.

    python -m experiments.train --config=experiments/configs/mlp500_150.py \
        --workdir=runs/mlp500_150
"""
from experiments.configs import mlp


def get_config():
  return mlp.make("mlp500_150", (500, 150))
