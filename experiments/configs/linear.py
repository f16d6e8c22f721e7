"""Linear (Section III-C-1; paper: 12.0%): each output a weighted sum of the 28x28 pixels plus a
bias, the largest wins; 7,850 parameters (lenet/methods/linear.py).

    python -m experiments.train --config=experiments/configs/linear.py --workdir=runs/linear
"""
from experiments.configs import common


def get_config():
  # ridge: not given by the paper; chosen on the validation split (results/selection/linear)
  return common.make_pixels("linear", method="linear", input_format="raw",
                            linear=dict(ridge=1000.0, units="linear"))
