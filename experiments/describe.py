"""Prints a model's per-layer parameters, connections and multiply-accumulates beside the paper's.

    python -m experiments.describe --config=experiments/configs/lenet5.py [--format=json]
"""
import json

from absl import app
from absl import flags
from ml_collections import config_flags

import lenet  # noqa: F401  (XLA flags before jax starts)
from lenet import counts
from lenet import models
from lenet import paper

# Parameters and connections the paper's text gives (Section II-B); Fig. 11 comes from its file.
PAPER_TEXT = {"lenet5": {"params": 60_000, "connections": 340_908}}
MAC_NOTE = (
    "multiply-accumulates count one per connection that carries a weight (biases excluded). "
    "The paper's Fig. 11 gives 401K for LeNet-5 without stating its convention; our plain count "
    "is 332,824. 401K is close to connections + trainable parameters (340,908 + 60,000 = "
    "400,908), which may be how it was counted; we do not assume so.")

_CONFIG = config_flags.DEFINE_config_file("config", None, "Model config file.")
_FORMAT = flags.DEFINE_enum("format", "table", ["table", "json"], "Output format.")


def paper_counts(model: str) -> dict:
  row = paper.fig9_11_12().get(paper.CLASSIFIER.get(model, model))
  if model not in PAPER_TEXT or not row:
    return {}
  return {**PAPER_TEXT[model], "macs_fig11": int(float(row["macs_k"]) * 1000)}


def describe(config) -> dict:
  model = models.build(config.model, seed=0)
  costs = counts.layer_costs(model)
  return {
      "model": config.model.name,
      "layers": [{"name": c.name, "output": list(c.out_shape), "params": c.params,
                  "connections": c.connections, "macs": c.macs} for c in costs],
      "total": counts.totals(costs),
      "paper": paper_counts(config.model.name),
      "mac_convention": MAC_NOTE,
  }


def format_table(d: dict) -> str:
  rows = [("layer", "output", "params", "connections", "MACs")]
  for layer in d["layers"]:
    rows.append((layer["name"], "x".join(map(str, layer["output"])), f"{layer['params']:,}",
                 f"{layer['connections']:,}", f"{layer['macs']:,}"))
  t = d["total"]
  rows.append(("total", "", f"{t['params']:,}", f"{t['connections']:,}", f"{t['macs']:,}"))
  p = d["paper"]
  if p:
    rows.append(("paper", "", f"{p['params']:,}", f"{p['connections']:,}",
                 f"{p['macs_fig11']:,} (Fig. 11)"))
  widths = [max(len(r[i]) for r in rows) for i in range(5)]
  lines = ["  ".join(s.ljust(w) if i < 2 else s.rjust(w) for i, (s, w) in
                     enumerate(zip(r, widths))) for r in rows]
  lines.insert(1, "-" * len(lines[0]))
  lines.insert(len(lines) - (2 if p else 1), "-" * len(lines[0]))
  return "\n".join(lines + ["", "Note: " + d["mac_convention"]])


def main(argv):
  del argv
  d = describe(_CONFIG.value)
  print(json.dumps(d, indent=2) if _FORMAT.value == "json" else format_table(d))


if __name__ == "__main__":
  flags.mark_flag_as_required("config")
  app.run(main)
