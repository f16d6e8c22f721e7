"""Each row's page: results/<network>/README.md (per-seed table), summary.json and
error_per_pass.png (training and test error per pass, beside Fig. 5 for LeNet-5). For boosted and
neighbour runs the curves are those of their (first) network, in seed_*/net1 or seed_*/net."""
from __future__ import annotations

import pathlib

import numpy as np

from lenet import paper
from lenet import rundir


def curve_dir(run: pathlib.Path) -> pathlib.Path | None:
  """The directory holding the per-pass metrics of a run's (first) network; None for a
  classifier trained without passes (the linear and pixel K-NN rows)."""
  for d in (run, run / "net", run / "net1"):
    if (d / "metrics.jsonl").exists():
      return d
  return None


VERSION_KEYS = ("git_commit", "jax", "jaxlib", "flax", "optax", "python", "processor", "backend",
                "cpu_count")


def _versions(all_versions: list[dict]) -> dict:
  """Each software version of the runs: one value if they agree, else the sorted list."""
  out = {}
  for k in VERSION_KEYS:
    values = sorted({str(v.get(k)) for v in all_versions})
    out[k] = values[0] if len(values) == 1 else values
  return out


def _pct(x):
  return None if x is None else 100 * x


def summarize(loaded: list[dict]) -> dict:
  """A row's page data from its finished runs (runs.load_runs)."""
  runs = [r["path"] for r in loaded]
  summaries = [r["summary"] for r in loaded]
  curves = curve_dir(runs[0])
  metrics = [rundir.RunDir(curve_dir(p)).read_metrics() if curves else [{}] for p in runs]
  configs = [r["config"] for r in loaded]
  errors = np.array([100 * s["test_error"] for s in summaries])
  network = summaries[0].get("network", summaries[0].get("model"))
  rejected = [100 * s["rejected_for_target"] for s in summaries if "rejected_for_target" in s]
  return {
      "network": network,
      "curves_of": str(curves.relative_to(runs[0])) if curves else None,
      "runs": [p.name for p in runs], "seeds": [s["seed"] for s in summaries],
      "test_error_pct": {"mean": float(errors.mean()), "std": float(errors.std(ddof=1))
                         if len(errors) > 1 else None, "min": float(errors.min()),
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
      "versions": _versions([r["versions"] for r in loaded]),
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
  fig.savefig(path, dpi=110)  # (the default metadata: regenerating gives the same bytes)
  plt.close(fig)


def readme(s: dict, sweep: str) -> str:
  e = s["test_error_pct"]
  spread = f"{e['mean']:.3f} +- {e['std']:.3f}" if e["std"] is not None else f"{e['mean']:.3f}"
  lines = [
      f"# {s['network']}: {len(s['runs'])} seed{'s' if len(s['runs']) > 1 else ''}",
      "",
      "Generated by `python -m experiments.report` (`make report`) from the run directories "
      f"beside this file; the runs come from `python -m experiments.sweep --sweep={sweep}` (one "
      f"of them: `python -m experiments.train --config=experiments/configs/{s['network']}.py "
      "--workdir=<run> --config.seed=<seed>`).",
      "",
      "| | test error (%) |", "|---|---|",
      f"| paper (Fig. 9) | {s['paper_test_error_pct'] or '-'} |",
      f"| ours, mean +- std over {len(s['runs'])} seeds | {spread} |",
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
          "pass-1 step sizes" + ("" if s["curves_of"] in (".", None) else f" ({s['curves_of']})")]
  lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
  for i, (run, seed, err, m, wall, rng) in enumerate(zip(
      s["runs"], s["seeds"], e["per_seed"], s["_metrics"], s["wall_time_s_per_run"],
      s["pass1_step_size_range"])):
    step = f"{rng[0]:.1e} .. {rng[1]:.1e}" if rng[0] is not None else "-"
    train_err = s["_train_error_pct"][i]
    cells = [f"[{run}]({run})", str(seed), f"{err:.2f}", *[col[i] for _, col in extra],
             "-" if train_err is None else f"{train_err:.2f}", str(wall), step]
    lines.append("| " + " | ".join(cells) + " |")
  v = {k: ", ".join(x) if isinstance(x, list) else x for k, x in s["versions"].items()}
  commits = s["versions"]["git_commit"]
  commits = commits if isinstance(commits, list) else [commits]
  lines += ["", *(["![error per pass](error_per_pass.png)", ""] if s["curves_of"] else []),
            f"Software: jax {v['jax']}, flax {v['flax']}, optax {v['optax']}, Python "
            f"{v['python']}; backend {v['backend']} ({v['processor']}, {v['cpu_count']} cores); "
            f"commit{'s' if len(commits) > 1 else ''} {', '.join(f'`{c}`' for c in commits)}. "
            "Each run's full config (and commit) is in its `config.json` (`versions.json`).", ""]
  return "\n".join(lines)


def write(results: pathlib.Path, network: str, loaded: list[dict], sweep: str) -> None:
  """The page, summary.json and plot of a row with finished runs `loaded`."""
  s = summarize(loaded)
  directory = results / network
  if s["curves_of"]:
    plot(s, directory / "error_per_pass.png")
  (directory / "README.md").write_text(readme(s, sweep))
  rundir.write_json_atomic(directory / "summary.json", {k: v for k, v in s.items() if k[0] != "_"})
