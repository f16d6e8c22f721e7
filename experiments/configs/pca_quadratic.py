"""40 PCA + quadratic (Section III-C-4; paper: 3.3%): the digits projected on the first 40
principal components of the training set, then a linear classifier on a degree-2 polynomial of
the 40 projections and a bias, 821 inputs (lenet/methods/linear.py, pca.terms).

    python -m experiments.train --config=experiments/configs/pca_quadratic.py \
        --workdir=runs/pca_quadratic
"""
from experiments.configs import common


def get_config():
  # ridge: not given by the paper; chosen on the validation split (results/selection/
  # pca_quadratic, with pca.terms as chosen: 0.01 and 1 tie, the rule takes the first)
  return common.make_pixels("pca_quadratic", method="pca_quadratic", input_format="raw",
                            # the paper's 40; its 821 inputs read as the 40 projections and
                            # the products z_i z_j, i < j, chosen on the validation split over
                            # every product i <= j (results/selection/pca_quadratic_terms)
                            pca=dict(components=40, terms="linear_cross"),
                            linear=dict(ridge=0.01, units="linear"))
