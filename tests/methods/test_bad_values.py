"""Every method refuses a bad value with a ConfigError naming its field, before anything is
written: one case per (config, overrides), the field the message must name last."""
import re

import pytest

from experiments.configs import boosted_lenet4
from experiments.configs import pairwise
from experiments.configs import pca_quadratic
from experiments.configs import rbf
from experiments.configs import svm_poly4
from experiments.configs import tangent
from lenet import errors
from lenet import methods

CASES = [
    (pairwise, {"linear.ridge": 0.0}, "linear.ridge"),
    (pairwise, {"linear.units": "sigmoid"}, "linear.units"),
    (pca_quadratic, {"pca.terms": "cubic"}, "pca.terms"),
    (rbf, {"rbf.width": "nearest"}, "rbf.width"),
    (rbf, {"rbf.width_scale": 0.0}, "rbf.width_scale"),
    (rbf, {"rbf.ridge": -1.0}, "rbf.ridge"),
    (rbf, {"rbf.centres_per_class": 0}, "rbf.centres_per_class"),
    (rbf, {"rbf.kmeans_iterations": 0}, "rbf.kmeans_iterations"),
    (tangent, {"tangent.sides": "three"}, "tangent.sides"),
    (tangent, {"tangent.smoothing": -1.0}, "tangent.smoothing"),
    (tangent, {"tangent.smoothing": 2.5}, "tangent.smoothing"),  # its Gaussian exceeds 16x16
    (tangent, {"tangent.keep": 5000}, "tangent.keep"),  # more than the pre-filter keeps
    (tangent, {"tangent.coarse_keep": 0}, "tangent.coarse_keep"),
    (tangent, {"tangent.coarse_keep": 70_000}, "tangent.coarse_keep"),
    (tangent, {"data.input_format": "raw"}, "input_format"),  # not a 16x16 reading
    *((svm_poly4, {f"svm.{f}": v}, f"svm.{f}") for f, v in (
        ("degree", 0), ("offset", -1.0), ("scale", 0.0), ("C", 0.0), ("tolerance", 0.0),
        ("pixels", "bilevel"), ("virtual", "rotate"))),
    (svm_poly4, {"svm.virtual": "distort", "svm.virtual_copies": 0}, "svm.virtual_copies"),
    (svm_poly4, {"svm.virtual": "distort", "data.distortion.shear": 200.0},
     "data.distortion.shear"),
    (boosted_lenet4, {"boosting.gate_cost": 3.5}, "boosting.gate_cost"),  # above 3 networks
    (boosted_lenet4, {"boosting.patterns": "fresh"}, "boosting.patterns"),
]


def _set(config, path: str, value) -> None:
  *parents, last = path.split(".")
  node = config
  for p in parents:
    node = node[p]
  node[last] = value


@pytest.mark.parametrize("module,overrides,field", CASES,
                         ids=[f"{m.__name__.split('.')[-1]}:{','.join(o)}={list(o.values())}"
                              for m, o, _ in CASES])
def test_a_bad_value_is_refused_naming_its_field_before_anything_is_written(
    module, overrides, field, tmp_path):
  c = module.get_config()
  for path, value in overrides.items():
    _set(c, path, value)
  with pytest.raises(errors.ConfigError, match=re.escape(field)):
    methods.run(c, tmp_path / "run")
  assert not (tmp_path / "run").exists()
