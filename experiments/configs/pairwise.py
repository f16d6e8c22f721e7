"""Pairwise linear (Section III-C-2; paper: 7.6%): 45 units, unit i/j trained on classes i and j
only; class i's score is sum_j out(i/j) - sum_y out(y/i) (lenet/methods/linear.py).

    python -m experiments.train --config=experiments/configs/pairwise.py --workdir=runs/pairwise
"""
from experiments.configs import common


def get_config():
  # units: each unit's output in the scores, "linear" or "threshold" (+-1, a vote); neither it
  # nor the ridge is given by the paper (results/selection/pairwise)
  return common.make_pixels("pairwise", method="pairwise", input_format="raw",
                            linear=dict(ridge=100.0, units="threshold"))
