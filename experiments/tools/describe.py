"""Prints a classifier's per-layer parameters, connections and multiply-accumulates, and the
whole classifier's cost (Figs. 11, 12), beside the paper's.

    python -m experiments.tools.describe --config=experiments/configs/lenet5.py [--format=json]
    python -m experiments.tools.describe --config=experiments/configs/svm_poly4.py \
        --workdir=results/svm_poly4/seed_0   # a cost that depends on the trained model

Works for every config in experiments/configs (LeNet-1, LeNet-4, LeNet-5, boosted, K-NN, local);
the layers are those of the (each) network.
"""
import json

from absl import flags
from ml_collections import config_flags

import lenet  # noqa: F401  (XLA flags before jax starts)
from experiments import cli
from lenet import methods
from lenet import paper
from lenet import rundir
from lenet.nn import counts
from lenet.nn import models

MAC_NOTE = (
    "multiply-accumulates count one per connection that carries a weight (biases excluded). "
    "The paper's Fig. 11 gives 401K for LeNet-5 without stating its convention; our plain count "
    "is 332,824. 401K is close to connections + trainable parameters (340,908 + 60,000 = "
    "400,908), which may be how it was counted; we do not assume so.")

_CONFIG = config_flags.DEFINE_config_file("config", None, "Model config file.")
_FORMAT = flags.DEFINE_enum("format", "table", ["table", "json"], "Output format.")
_WORKDIR = flags.DEFINE_string("workdir", "", "A finished run of the config, for a method whose "
                               "cost depends on what it learned (the SVM's support vectors).")


def paper_counts(network: str) -> dict:
  row = paper.row(network)
  if not row:
    return {}
  lenet5 = paper.row("lenet5")  # Figs. 11-12 have no separate [dist] LeNet-5 entry
  figs = {k: int(float(row[c] or (lenet5[c] if network == "lenet5_dist" else 0)) * 1000)
          for k, c in (("macs_fig11", "macs_k"), ("memory_fig12", "mem_k"))}
  text = {k: int(v) for k in ("params", "connections") if (v := paper.stated(network, k))}
  return {**text, **{k: v for k, v in figs.items() if v}}


def describe(config, summary: dict | None = None) -> dict:
  """Per layer (none for a classifier on the pixels) and for the whole classifier (`summary`:
  the run's, for a method whose cost depends on it)."""
  costs = counts.layer_costs(models.build(config.model, seed=0)) if "model" in config else []
  return {
      "network": config.network, "model": config.model.name if "model" in config else None,
      "method": config.get("method", "network"),
      "layers": [{"name": c.name, "output": list(c.out_shape), "params": c.params,
                  "connections": c.connections, "macs": c.macs} for c in costs],
      "total": counts.totals(costs) if costs else {"params": 0, "connections": 0, "macs": 0},
      "classifier": methods.cost(config, summary),
      "paper": paper_counts(config.network),
      "mac_convention": MAC_NOTE + " The whole classifier's count is its method's `cost` in "
                        f"lenet/methods/{methods.of(config).__name__.rsplit('.', 1)[-1]}.py.",
  }


def format_table(d: dict) -> str:
  rows = [("layer", "output", "params", "connections", "MACs")]
  for layer in d["layers"]:
    rows.append((layer["name"], "x".join(map(str, layer["output"])), f"{layer['params']:,}",
                 f"{layer['connections']:,}", f"{layer['macs']:,}"))
  t = d["total"]
  rows.append(("total", "", f"{t['params']:,}", f"{t['connections']:,}", f"{t['macs']:,}"))
  p = d["paper"]
  if "params" in p:
    rows.append(("paper (text)", "", f"{p['params']:,}", f"{p['connections']:,}", ""))
  widths = [max(len(r[i]) for r in rows) for i in range(5)]
  lines = ["  ".join(s.ljust(w) if i < 2 else s.rjust(w) for i, (s, w) in
                     enumerate(zip(r, widths))) for r in rows]
  lines.insert(1, "-" * len(lines[0]))
  lines.insert(len(lines) - (2 if "params" in p else 1), "-" * len(lines[0]))
  c = d["classifier"]
  fig = lambda key: f"{p[key]:,}" if key in p else "not given"  # noqa: E731
  lines += ["", f"whole classifier ({d['network']}, method {d['method']}):",
            f"  multiply-accumulates per pattern {c['macs']:,}   paper Fig. 11: {fig('macs_fig11')}",
            f"  memory (values stored)           {c['memory']:,}   paper Fig. 12: "
            f"{fig('memory_fig12')}"]
  return "\n".join(lines + ["", "Note: " + d["mac_convention"]])


def main(argv):
  del argv
  summary = rundir.RunDir(_WORKDIR.value).summary() if _WORKDIR.value else None
  d = describe(_CONFIG.value, summary)
  print(json.dumps(d, indent=2) if _FORMAT.value == "json" else format_table(d))


if __name__ == "__main__":
  flags.mark_flag_as_required("config")
  cli.run(main)
