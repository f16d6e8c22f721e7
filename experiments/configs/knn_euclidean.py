"""K-NN Euclidean (Section III-C-3; paper: 5.0%): the k nearest of the 60,000 training images in
Euclidean distance on the 28x28 pixels vote (lenet/methods/neighbors.py, neighbors.network =
"pixels").

    python -m experiments.train --config=experiments/configs/knn_euclidean.py \
        --workdir=runs/knn_euclidean
"""
from experiments.configs import common


def get_config():
  # k: not given by the paper for this row; chosen on the validation split
  # (results/selection/knn_euclidean)
  return common.make_pixels("knn_euclidean", method="knn", input_format="raw",
                            neighbors=dict(network="pixels", k=3, ridge=0.0, reuse=""))
