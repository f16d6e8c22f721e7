"""Summarizes the seeds of one configuration in a results directory, beside the paper.

    python -m experiments.summarize --results=results/lenet5

Reads RESULTS/seed_*/{summary.json,metrics.jsonl,config.json,versions.json} and writes
RESULTS/summary.json (test error mean, std, min, max over seeds against the paper; rejection for
Fig. 10), RESULTS/README.md and RESULTS/error_per_pass.png (train and test error per pass, beside
Fig. 5 for LeNet-5). For boosted and neighbour runs the curves are those of their (first)
network, in seed_*/net1 or seed_*/net.
"""
import json
import pathlib

from absl import app
from absl import flags
import numpy as np

import lenet  # noqa: F401
from lenet import paper
from lenet import train

_RESULTS = flags.DEFINE_string("results", None, "Directory holding seed_* run directories.")


def curve_dir(run: pathlib.Path) -> pathlib.Path:
  """The directory holding the per-pass metrics of a run's (first) network."""
  for d in (run, run / "net", run / "net1"):
    if (d / "metrics.jsonl").exists():
      return d
  raise FileNotFoundError(f"no metrics.jsonl in {run} or its network's directory")


def _pct(x):
  return None if x is None else 100 * x


def summarize(results: pathlib.Path) -> dict:
  runs = sorted(p for p in results.glob("seed_*") if (p / "summary.json").exists())
  if not runs:
    raise FileNotFoundError(f"no finished runs (seed_*/summary.json) in {results}")
  summaries = [json.loads((p / "summary.json").read_text()) for p in runs]
  metrics = [[json.loads(l) for l in (curve_dir(p) / "metrics.jsonl").read_text().splitlines()]
             for p in runs]
  configs = [json.loads((p / "config.json").read_text()) for p in runs]
  versions = json.loads((runs[0] / "versions.json").read_text())
  errors = np.array([100 * s["test_error"] for s in summaries])
  network = summaries[0].get("network", summaries[0].get("model"))
  rejected = [100 * s["rejected_for_target"] for s in summaries if "rejected_for_target" in s]
  return {
      "network": network, "curves_of": str(curve_dir(runs[0]).relative_to(runs[0])),
      "runs": [p.name for p in runs], "seeds": [s["seed"] for s in summaries],
      "test_error_pct": {"mean": float(errors.mean()), "std": float(errors.std(ddof=1))
                         if len(errors) > 1 else 0.0, "min": float(errors.min()),
                         "max": float(errors.max()), "per_seed": errors.tolist()},
      "paper_test_error_pct": paper.test_error_pct(network),
      "rejected_pct_for_0.5pct_error": {"mean": float(np.mean(rejected)),
                                        "per_seed": rejected} if rejected else None,
      "paper_rejected_pct": paper.rejected_pct(network),
      "train_error_pct_mean": (float(np.mean([100 * s["train_error"] for s in summaries]))
                               if all(s["train_error"] is not None for s in summaries) else None),
      "network_alone_test_error_pct": [_pct(s.get("network_test_error")) for s in summaries],
      "gated_test_error_pct": [_pct(s.get("gated_test_error")) for s in summaries],
      "gated_cost_nets": [s.get("gated_cost_nets") for s in summaries],
      "wall_time_s_per_run": [round(s["wall_time_s"], 1) for s in summaries],
      "pass1_step_size_range": [[m[0].get("step_size_min"), m[0].get("step_size_max")]
                                for m in metrics],
      "same_config_except_seed": all({**c, "seed": 0} == {**configs[0], "seed": 0}
                                     for c in configs),
      "versions": {k: versions.get(k) for k in ("git_commit", "jax", "jaxlib", "flax", "optax",
                                                "python", "processor", "backend", "cpu_count")},
      "_metrics": metrics,
      "_train_error_pct": [_pct(x["train_error"]) for x in summaries],
  }


def plot(summary: dict, path: pathlib.Path) -> None:
  import matplotlib  # pylint: disable=g-import-not-at-top
  matplotlib.use("Agg")
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  fig, ax = plt.subplots(figsize=(7, 4.5))
  for key, label, color in (("test_error", "test", "tab:red"),
                            ("train_error", "training", "tab:blue")):
    curves = np.array([[100 * r[key] for r in m] for m in summary["_metrics"]])
    passes = np.arange(1, curves.shape[1] + 1)
    ax.plot(passes, curves.mean(0), color=color,
            label=f"ours, {label} (mean of {len(curves)} seeds, band = min..max)")
    ax.fill_between(passes, curves.min(0), curves.max(0), color=color, alpha=0.2)
  if summary["network"] == "lenet5":
    fig5 = np.array(paper.fig5())
    ax.plot(fig5[:, 0], fig5[:, 2], "o--", color="tab:red", mfc="none",
            label="paper Fig. 5, test")
    ax.plot(fig5[:, 0], fig5[:, 1], "s--", color="tab:blue", mfc="none",
            label="paper Fig. 5, training (on the fly)")
  elif summary["paper_test_error_pct"] is not None:
    ax.axhline(summary["paper_test_error_pct"], ls="--", color="tab:red",
               label="paper Fig. 9, test (final)")
  ax.set(xlabel="training pass", ylabel="error (%)", ylim=(0, 3), xlim=(0.5, 21.5),
         title=f"{summary['network']}: error per pass"
               + ("" if summary["curves_of"] == "." else f" of its {summary['curves_of']}"))
  ax.grid(alpha=0.3)
  ax.legend(fontsize=8)
  fig.tight_layout()
  fig.savefig(path, dpi=110)
  plt.close(fig)


def readme(s: dict) -> str:
  e = s["test_error_pct"]
  lines = [
      f"# {s['network']}: {len(s['runs'])} seeds",
      "",
      "Generated by `python -m experiments.summarize --results=<this directory>` from the run "
      "directories beside this file; the runs come from "
      f"`python -m experiments.train --config=experiments/configs/{s['network']}.py "
      f"--workdir=<run> --config.seed=<seed>` (all seeds: `scripts/run_seeds.sh {s['network']} "
      f"{len(s['runs'])}`; every network of Fig. 9: `scripts/run_fig9.sh`).",
      "",
      "| | test error (%) |", "|---|---|",
      f"| paper (Fig. 9) | {s['paper_test_error_pct']} |",
      f"| ours, mean +- std over {len(s['runs'])} seeds | {e['mean']:.3f} +- {e['std']:.3f} |",
      f"| ours, min .. max | {e['min']:.2f} .. {e['max']:.2f} |",
      *([f"| rejected for 0.5% error (Fig. 10): paper | {s['paper_rejected_pct']} |",
         f"| rejected for 0.5% error: ours, mean over seeds | "
         f"{s['rejected_pct_for_0.5pct_error']['mean']:.2f} |"]
        if s["rejected_pct_for_0.5pct_error"] else []),
      "",
  ]
  extra = []  # columns only some methods have
  if any(x is not None for x in s["network_alone_test_error_pct"]):
    extra.append(("network alone, test error (%)",
                  [f"{x:.2f}" for x in s["network_alone_test_error_pct"]]))
  if any(x is not None for x in s["gated_test_error_pct"]):
    extra.append(("gated committee, test error (%)",
                  [f"{x:.2f}" for x in s["gated_test_error_pct"]]))
    extra.append(("gated cost (nets)", [f"{x:.3f}" for x in s["gated_cost_nets"]]))
  head = ["run", "seed", "test error (%)", *[name for name, _ in extra], "train error (%)",
          "wall time (s)",
          "pass-1 step sizes" + ("" if s["curves_of"] == "." else f" ({s['curves_of']})")]
  lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
  for i, (run, seed, err, m, wall, rng) in enumerate(zip(
      s["runs"], s["seeds"], e["per_seed"], s["_metrics"], s["wall_time_s_per_run"],
      s["pass1_step_size_range"])):
    step = f"{rng[0]:.1e} .. {rng[1]:.1e}" if rng[0] is not None else "-"
    train_err = s["_train_error_pct"][i]
    cells = [f"[{run}]({run})", str(seed), f"{err:.2f}", *[col[i] for _, col in extra],
             "-" if train_err is None else f"{train_err:.2f}", str(wall), step]
    lines.append("| " + " | ".join(cells) + " |")
  v = s["versions"]
  lines += ["", "![error per pass](error_per_pass.png)", "",
            f"Software: jax {v['jax']}, flax {v['flax']}, optax {v['optax']}, Python "
            f"{v['python']}; backend {v['backend']} ({v['processor']}, {v['cpu_count']} cores); "
            f"commit `{v['git_commit']}`. Each run's full config is in its `config.json`.", ""]
  return "\n".join(lines)


def main(argv):
  del argv
  results = pathlib.Path(_RESULTS.value)
  s = summarize(results)
  plot(s, results / "error_per_pass.png")
  (results / "README.md").write_text(readme(s))
  train.write_json_atomic(results / "summary.json", {k: v for k, v in s.items() if k[0] != "_"})
  e = s["test_error_pct"]
  print(f"{s['network']}: test error {e['mean']:.3f}% +- {e['std']:.3f} over {len(s['runs'])} seeds "
        f"(min {e['min']:.2f}, max {e['max']:.2f}); paper {s['paper_test_error_pct']}%")


if __name__ == "__main__":
  flags.mark_flag_as_required("results")
  app.run(main)
