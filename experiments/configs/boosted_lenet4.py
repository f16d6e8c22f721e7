"""Boosted LeNet-4 on distorted patterns (Section III-C, Drucker et al. 1993; paper: 0.7%).

    python -m experiments.train --config=experiments/configs/boosted_lenet4.py \
        --workdir=runs/boosted_lenet4

Three LeNet-4s (LeNet-4's row, configs/lenet4.py) trained with the paper's recipe on the
enlarged set of 60,000 originals and 540,000 distorted copies: net 1 normally, net 2 on a stream
half right and half wrong for net 1, net 3 on patterns where nets 1 and 2 disagree; their outputs
are added (lenet/methods/boosting.py). Net k uses seed + 1000 (k - 1); all share one enlarged set.
"""
import ml_collections

from experiments.configs import lenet4
from lenet import paper


def get_config():
  c = lenet4.get_config()
  c.network = "boosted_lenet4"
  c.method = "boosted"
  c.data.distortion.copies = 9
  c.boosting = ml_collections.ConfigDict()
  # Nets 2 and 3 are skipped when net 1's margin is above a threshold. The paper gives the
  # average cost (about 1.75 nets), not the threshold: ours is the margin quantile of net 1 on
  # the training originals that gives this cost there (README, assumptions).
  c.boosting.gate_cost = paper.stated("boosted_lenet4", "average_cost_nets")
  # Where nets 2 and 3 find their patterns (lenet/methods/boosting.py): "new" distorted ones no
  # earlier net trained on, as the paper says; "enlarged_set", the 600,000 net 1 trained on (our
  # first reading, the ablation boosting.patterns=enlarged_set).
  c.boosting.patterns = "new"
  c.boosting.new_patterns_limit = 20_000_000  # new patterns a filter may examine
  return c
