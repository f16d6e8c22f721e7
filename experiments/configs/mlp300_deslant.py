"""[deslant] 20x20-300-10 (Section III-C; Fig. 9), made by experiments/configs/mlp.py: the
deslanted 20x20 digits of [deslant] Linear (lenet/data/deslant.py).

    python -m experiments.train --config=experiments/configs/mlp300_deslant.py \
        --workdir=runs/mlp300_deslant
"""
from experiments.configs import mlp


def get_config():
  return mlp.make("mlp300_deslant", (300,), deslanted=True)
