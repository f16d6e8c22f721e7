"""LeNet-4/K-NN (Section III-C; paper: 1.1%): LeNet-4's last layer replaced by a Euclidean
K-nearest-neighbour classifier on its 120 C5 features (lenet/methods/neighbors.py).

    python -m experiments.train --config=experiments/configs/lenet4_knn.py \
        --workdir=runs/lenet4_knn [--config.neighbors.reuse=results/lenet4/seed_{seed}]

The network is LeNet-4's row (configs/lenet4.py) with the same seed; `neighbors.reuse` adopts a
finished run of it instead of training it again.
"""
import ml_collections

from experiments.configs import lenet4


def get_config():
  c = lenet4.get_config()
  c.network = "lenet4_knn"
  c.method = "knn"
  c.neighbors = ml_collections.ConfigDict()
  c.neighbors.network = "lenet4"   # the network whose features are used (its config: lenet4.py)
  c.neighbors.k = 3                # not given by the paper for LeNet-4/K-NN (README, assumptions)
  c.neighbors.ridge = 0.0          # unused by "knn"
  # A finished run of the network with this config and seed to adopt ({seed} is replaced);
  # "" trains it in <workdir>/net.
  c.neighbors.reuse = ""
  return c
