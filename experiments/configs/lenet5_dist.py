"""LeNet-5 trained on distorted patterns (Section III-C; paper: 0.8%).

    python -m experiments.train --config=experiments/configs/lenet5_dist.py --workdir=runs/lenet5_dist

LeNet-5's row (configs/lenet5.py) on 60,000 originals plus 540,000 random affine copies, 20
passes of 60,000 patterns. The distortion ranges are assumptions (configs/common.py); their
scale (half, ours, double) is chosen on the validation split (results/selection/lenet5_dist).
"""
from experiments.configs import lenet5


def get_config():
  c = lenet5.get_config()
  c.network = "lenet5_dist"
  c.data.distortion.copies = 9
  return c
