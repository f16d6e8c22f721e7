"""The paper's reported numbers, read from the data files in lenet/paper_data (one place)."""
import csv
import functools
import pathlib

from lenet import fields

PAPER_DATA = pathlib.Path(__file__).parent / "paper_data"
# Our row names (each a config) -> the classifier names of Figs. 9-12, in the paper's order.
CLASSIFIER = {"linear": "Linear", "linear_deslant": "[deslant] Linear", "pairwise": "Pairwise",
              "knn_euclidean": "K-NN Euclidean",
              "knn_euclidean_deslant": "[deslant] K-NN Euclidean",
              "pca_quadratic": "40 PCA + quadratic", "rbf": "1000 RBF + linear",
              "tangent": "[16x16] Tangent Distance", "svm_poly4": "SVM poly 4",
              "rssvm_poly5": "RS-SVM poly 5", "vsvm_poly9": "[dist] V-SVM poly 9",
              "mlp300": "28x28-300-10", "mlp300_dist": "[dist] 28x28-300-10",
              "mlp300_deslant": "[deslant] 20x20-300-10",
              "mlp1000": "28x28-1000-10", "mlp1000_dist": "[dist] 28x28-1000-10",
              "mlp300_100": "28x28-300-100-10", "mlp300_100_dist": "[dist] 28x28-300-100-10",
              "mlp500_150": "28x28-500-150-10", "mlp500_150_dist": "[dist] 28x28-500-150-10",
              "lenet1": "[16x16] LeNet-1", "lenet4": "LeNet-4", "lenet4_local": "LeNet-4 / Local",
              "lenet4_knn": "LeNet-4 / K-NN", "lenet5": "LeNet-5", "lenet5_dist": "[dist] LeNet-5",
              "boosted_lenet4": "[dist] Boosted LeNet-4"}
# Rows built and tested whose final runs are not all committed yet: the paper sweep and the
# report leave them out until they are (`python -m experiments.sweep --sweep=building` runs them).
BUILDING = ()
NETWORKS = tuple(n for n in CLASSIFIER if n not in BUILDING)  # the rows of Fig. 9 we report


def _rows(name: str) -> list[dict]:
  with open(PAPER_DATA / name) as f:
    return list(csv.DictReader(line for line in f if not line.startswith("#")))


@functools.cache
def fig9_11_12() -> dict[str, dict]:
  """Per classifier: err (test error %, Fig. 9), macs_k (Fig. 11), mem_k (Fig. 12), reject_pct."""
  return {r["classifier"]: r for r in _rows("fig9_11_12_10.csv")}


@functools.cache
def text_numbers() -> dict[str, dict]:
  """Per classifier: params, connections (Section II-B, III-C), average_cost_nets (boosting)."""
  return {r["classifier"]: r for r in _rows("text_numbers.csv")}


def stated(network: str, column: str) -> float | None:
  """A number the paper's text states for the network ("params", "connections",
  "average_cost_nets"), or None."""
  value = text_numbers().get(CLASSIFIER.get(network, network), {}).get(column)
  return float(value) if value else None


def row(network: str) -> dict:
  """The network's row of Figs. 9-12 (empty if the paper has none)."""
  return fig9_11_12().get(CLASSIFIER.get(network, network), {})


def _number(network: str, column: str) -> float | None:
  value = row(network).get(column)
  return float(value) if value else None


def test_error_pct(network: str) -> float | None:
  return _number(network, "err")


def rejected_pct(network: str) -> float | None:
  """Fig. 10: % of test patterns rejected to reach 0.5% error on the rest."""
  return _number(network, "reject_pct")


def fig5() -> list[tuple[int, float, float]]:
  """(pass, training error % on the fly, test error %) read off Fig. 5."""
  return [(int(r["marker"]), float(r["train_error_on_the_fly_pct"]), float(r["test_error_pct"]))
          for r in _rows("fig5_digitized.csv")]


def fig6() -> list[dict]:
  """Fig. 6: LeNet-5's training and test error (%) against the training-set size."""
  return [{k: float(v) if v else None for k, v in r.items()} for r in _rows("fig6_digitized.csv")]


# The training recipe's values the paper states (Section III-C, Eq. 21, App. C), and LeNet-5's
# architecture (Section II-B, Table I, App. A). A config's departures are the fields that differ.
STATED_RECIPE = {"model.weight_init": "fan_in",  # uniform in +-2.4/F_i
                 "optimizer.name": "sdlm", "optimizer.schedule": "paper", "optimizer.mu": 0.02,
                 "optimizer.curvature_update": "every_pass", "optimizer.curvature_samples": 500,
                 "optimizer.eta_scale": 1.0, "loss.name": "map", "train.passes": 20,
                 "train.batch_size": 1, "train.order": "fixed"}
STATED_LENET5 = {"model.c3_table": "table1", "model.activation": "scaled_tanh",
                 "model.pooling": "trainable", "model.output": "rbf"}


def departures(config) -> list[str]:
  """The stated values a config (ml_collections or dict) changes, as `field=value`; a field the
  config does not have is not counted."""
  if fields.get(config, "model.name", None) is None:  # a classifier on the pixels: no recipe
    return []
  stated = {**STATED_RECIPE, **(STATED_LENET5 if config["model"]["name"] == "lenet5" else {})}
  if config["optimizer"]["name"] != "sdlm":  # mu and the curvature mean nothing then
    stated = {k: v for k, v in stated.items()
              if k == "optimizer.name" or not k.startswith(("optimizer.mu", "optimizer.curv"))}
  changed = []
  for dotted, value in stated.items():
    node = fields.get(config, dotted, None)
    if node is not None and node != value:
      changed.append(f"{dotted}={node}")
  return changed
