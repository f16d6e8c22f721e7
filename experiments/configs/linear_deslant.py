"""[deslant] Linear (Section III-C-1; paper: 8.4%): Linear on the deslanted 20x20 images, 4,010
parameters (lenet/data/deslant.py, lenet/methods/linear.py).

    python -m experiments.train --config=experiments/configs/linear_deslant.py \
        --workdir=runs/linear_deslant
"""
from experiments.configs import common


def get_config():
  # deslant20: moments weighted by grey level ("deslant20_threshold": of the thresholded digit);
  # it and the ridge chosen on the validation split (results/selection/linear_deslant)
  return common.make_pixels("linear_deslant", method="linear", input_format="deslant20",
                            linear=dict(ridge=1000.0, units="linear"))
