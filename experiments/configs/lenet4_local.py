"""LeNet-4/Local (Section III-C; paper: 1.1%): LeNet-4's last layer replaced by local learning
(Bottou and Vapnik 1992), a linear classifier fitted to each test pattern's nearest neighbours in
the 120 C5 features (lenet/methods/neighbors.py).

    python -m experiments.train --config=experiments/configs/lenet4_local.py \
        --workdir=runs/lenet4_local [--config.neighbors.reuse=results/lenet4/seed_{seed}]
"""
import ml_collections

from experiments.configs import lenet4


def get_config():
  c = lenet4.get_config()
  c.network = "lenet4_local"
  c.method = "local"
  c.neighbors = ml_collections.ConfigDict()
  c.neighbors.network = "lenet4"   # the network whose features are used (its config: lenet4.py)
  # Neither K nor the regularization is given by the paper: chosen on the validation split
  # among K = 25..400 and ridge 0.1..100 (results/selection/lenet4_local; README, assumptions).
  c.neighbors.k = 100
  c.neighbors.ridge = 10.0
  c.neighbors.reuse = ""           # as in lenet4_knn.py
  return c
