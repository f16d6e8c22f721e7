"""[16x16] Tangent distance (Section III-C-6; paper: 1.1%): the nearest neighbour in Simard's
tangent distance on 16x16 images, seven tangent vectors computed on smoothed images, Euclidean
pre-filtering at 8x8 and 16x16 (lenet/methods/tangent.py).

    python -m experiments.train --config=experiments/configs/tangent.py --workdir=runs/tangent
"""
from experiments.configs import common


def get_config():
  # The 16x16 reading (the central 20x20 window, the digit's box centred, or the whole field),
  # the smoothing and the sides are not given by the paper: chosen on the validation split
  # (results/selection/tangent: the window, 1.10%; the centred box 1.21%, the field 1.14%).
  return common.make_pixels("tangent", method="tangent", input_format="window16", tangent=dict(
      sides="two", smoothing=0.5,
      ridge=0.0,  # Simard's distance: the transformations unpenalized
      # the pre-filter's survivors at 8x8 and at 16x16; keep chosen on the validation split
      # (results/selection/tangent_keep: 300 and 1,000 tie, the rule takes the first)
      coarse_keep=1000, keep=300))
