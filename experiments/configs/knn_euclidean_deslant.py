"""[deslant] K-NN Euclidean (Section III-C-3; paper: 2.4%, k = 3 in its text): K-NN Euclidean on
the deslanted 20x20 images (lenet/data/deslant.py, lenet/methods/neighbors.py).

    python -m experiments.train --config=experiments/configs/knn_euclidean_deslant.py \
        --workdir=runs/knn_euclidean_deslant
"""
from experiments.configs import common


def get_config():
  return common.make_pixels("knn_euclidean_deslant", method="knn", input_format="deslant20",
                            neighbors=dict(network="pixels", k=3, ridge=0.0, reuse=""))
