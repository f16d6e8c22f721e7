"""lenet/fields.py: a dotted config field in a ConfigDict or a recorded config's dict."""
import json

import pytest

from experiments.configs import lenet5
from lenet import fields


def test_the_same_field_in_a_config_and_its_record():
  config = lenet5.get_config()
  recorded = json.loads(config.to_json())
  for c in (config, recorded):
    assert fields.get(c, "optimizer.mu") == 0.5
    assert fields.get(c, "data.distortion.translate") == 2.0
    assert fields.get(c, "neighbors.k", None) is None  # a section LeNet-5 does not have
    with pytest.raises(KeyError, match="optimizer.nu"):
      fields.get(c, "optimizer.nu")
    with pytest.raises(KeyError, match="optimizer.mu.x"):
      fields.get(c, "optimizer.mu.x")  # a value is not a section
  node, last = fields.parent(config, "loss.j")
  node[last] = 10.0
  assert config.loss.j == 10.0
  with pytest.raises(KeyError, match="loss.k"):
    fields.parent(config, "loss.k")
