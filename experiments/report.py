"""Regenerates results/README.md from the run directories alone: Fig. 9 (test error), Fig. 10
(rejection), Figs. 11-12 (cost), Fig. 6 (training-set size) and the ablations, ours beside the
paper's; and the Fig. 9 table at the top of README.md (between its report markers).

    python -m experiments.report [--results=results] [--readme=README.md]

Reads results/<network>/seed_*/{summary,config,versions}.json for every network of Fig. 9 that
has finished runs (lenet/paper.py, NETWORKS). The paper's numbers come from lenet/paper_data (lenet/paper.py); nothing else
is typed in. The output depends only on those files, so re-running it reproduces the committed
README byte for byte.
"""
from __future__ import annotations

import importlib
import json
import pathlib

from absl import app
from absl import flags
import ml_collections
import numpy as np

import lenet  # noqa: F401  (XLA flags before jax starts)
from experiments import sweep
from lenet import paper
from lenet import pipeline
from lenet import train

ABLATION_ORDER = tuple(sweep.ABLATIONS)  # the report lists ablations in the sweep's order


def _load(results: pathlib.Path, network: str, outcome: str) -> list[dict]:
  """The runs results/<network>/seed_* whose `outcome` file ("summary" or "failure") exists, each
  with that file, its config and versions, under the outcome's name."""
  runs = []
  for run in sorted((results / network).glob("seed_*")):
    if outcome == "failure" and (run / "summary.json").exists():
      continue  # finished after all (a rerun): not a failure
    if (run / f"{outcome}.json").exists():
      runs.append({"dir": run.relative_to(results).as_posix(),
                   outcome: json.loads((run / f"{outcome}.json").read_text()),
                   "config": json.loads((run / "config.json").read_text()),
                   "versions": json.loads((run / "versions.json").read_text())})
  return runs


def load_runs(results: pathlib.Path, network: str) -> list[dict]:
  return _load(results, network, "summary")


def load_diverged(results: pathlib.Path, network: str) -> list[dict]:
  """Runs that stopped because the loss diverged (experiments/sweep.py, FAILURE_FILE)."""
  return _load(results, network, pathlib.Path(sweep.FAILURE_FILE).stem)


def _mean_std(values) -> tuple[float, float | None]:
  """Mean and sample standard deviation; None for the spread of a single value."""
  v = np.asarray(values, float)
  return float(v.mean()), float(v.std(ddof=1)) if len(v) > 1 else None


def _pm(mean: float, std: float | None, fmt: str = ".2f") -> str:
  return f"{mean:{fmt}} +- {std:{fmt}}" if std is not None else f"{mean:{fmt}} (one run)"


def network_row(network: str, runs: list[dict]) -> dict:
  errors = [100 * r["summary"]["test_error"] for r in runs]
  rejected = [100 * r["summary"]["rejected_for_target"] for r in runs
              if "rejected_for_target" in r["summary"]]
  cost = pipeline.cost(ml_collections.ConfigDict(runs[0]["config"]))
  commits = sorted({r["versions"].get("git_commit", "unknown")[:12] for r in runs})
  return {
      "network": network, "classifier": paper.CLASSIFIER[network], "n": len(runs),
      "seeds": [r["summary"]["seed"] for r in runs], "error": _mean_std(errors),
      "paper_error": paper.test_error_pct(network),
      "rejected": _mean_std(rejected) if len(rejected) == len(runs) else None,
      "paper_rejected": paper.rejected_pct(network), "cost": cost,
      "paper_row": paper.row(network), "commits": commits,
      "wall_time_s": _mean_std([r["summary"]["wall_time_s"] for r in runs]),
      "gated": (_mean_std([100 * r["summary"]["gated_test_error"] for r in runs]),
                _mean_std([r["summary"]["gated_cost_nets"] for r in runs]))
      if "gated_test_error" in runs[0]["summary"] else None,
  }


def _k(value: str | None) -> str:
  return f"{float(value):,.0f}K" if value else "-"


def fig9_table(rows: list[dict], prefix: str = "") -> list[str]:
  """The Fig. 9 table; `prefix` is prepended to the links (the top-level README's "results/")."""
  lines = [
      "| classifier | paper (%) | ours (%) | n | ours - paper | runs | config | commit |",
      "|---|---|---|---|---|---|---|---|",
  ]
  for r in rows:
    mean, std = r["error"]
    diff = f"{mean - r['paper_error']:+.2f}" if r["paper_error"] is not None else "-"
    lines.append(
        f"| {r['classifier']} | {r['paper_error']} | {_pm(mean, std)} | {r['n']} | {diff} "
        f"| [{r['network']}/]({prefix}{r['network']}/) | "
        f"`experiments/configs/{r['network']}.py` | {', '.join(f'`{c}`' for c in r['commits'])} |")
  gated = [r for r in rows if r["gated"]]
  for r in gated:
    (e, es), (c, cs) = r["gated"]
    lines += ["", f"{r['classifier']} with the confidence gate (nets 2 and 3 skipped where net 1 "
              f"is confident): test error {_pm(e, es)}%, average cost {_pm(c, cs, '.3f')} "
              f"networks on the test set (paper: about 1.75)."]
  return lines


def render(rows: list[dict]) -> str:
  lines = [
      "# Results: the convolutional networks of Fig. 9",
      "",
      "Generated by `python -m experiments.report` from the run directories below (each holds "
      "its `config.json`, `versions.json`, per-pass `metrics.jsonl` and `summary.json`); the "
      "paper's numbers come from `lenet/paper_data/fig9_11_12_10.csv`. Mean +- sample standard "
      "deviation over n seeds. The paper states an uncertainty of about 0.1% on its error rates.",
      "",
      "## Test error (Fig. 9)",
      "",
      *fig9_table(rows),
      "",
      "![LeNet-5 error per pass](lenet5/error_per_pass.png)",
      "",
      "## Rejection (Fig. 10)",
      "",
      "Share of the test set rejected, least confident first (margin between the two best "
      "scores), so that the error on the rest is 0.5%.",
      "",
      "| classifier | paper (%) | ours (%) | n |",
      "|---|---|---|---|",
  ]
  for r in rows:
    if r["rejected"] is None:
      continue
    mean, std = r["rejected"]
    lines.append(f"| {r['classifier']} | {r['paper_rejected'] or '-'} | {_pm(mean, std)} "
                 f"| {r['n']} |")
  lines += [
      "",
      "## Cost (Figs. 11 and 12)",
      "",
      "Counting conventions: `lenet/counts.py` and `lenet/pipeline.py` (`cost`); "
      "`python -m experiments.describe --config=...` prints them per layer.",
      "",
      "| classifier | parameters | connections | multiply-accumulates: ours | paper (Fig. 11) "
      "| memory (values): ours | paper (Fig. 12) |",
      "|---|---|---|---|---|---|---|",
  ]
  for r in rows:
    c, p = r["cost"], r["paper_row"]
    lines.append(f"| {r['classifier']} | {c['params']:,} | {c['connections']:,} | "
                 f"{c['macs'] / 1000:,.0f}K | {_k(p.get('macs_k'))} | "
                 f"{c['memory'] / 1000:,.0f}K | {_k(p.get('mem_k'))} |")
  lines += [
      "",
      "## Wall time",
      "",
      "| classifier | training + evaluation per seed (s) |",
      "|---|---|",
  ]
  for r in rows:
    mean, std = r["wall_time_s"]
    lines.append(f"| {r['classifier']} | {_pm(mean, std, ',.0f')} |")
  return "\n".join(lines) + "\n"


def trainsize_section(results: pathlib.Path) -> list[str]:
  """Fig. 6 from results/trainsize/*/seed_*, by n and then patterns per pass."""
  rows = [(runs, f"trainsize/{d.name}/") for d in sorted((results / "trainsize").glob("*"))
          if (runs := load_runs(results / "trainsize", d.name))]
  if not rows:
    return []
  if full := load_runs(results, "lenet5"):  # all 60,000 patterns: the recipe's own runs
    rows.append((full, "lenet5/"))
  def size(runs):  # n and updates per pass (runs recorded before patterns_per_pass made n)
    summary = runs[0]["summary"]
    return summary["train_size"], summary.get("patterns_per_pass", summary["train_size"])
  fig6 = {int(r["train_size"]): r for r in paper.fig6()}
  lines = ["", "## Training-set size (Fig. 6)", "",
           "LeNet-5, the paper's recipe on the first n training patterns "
           "(`python -m experiments.sweep --sweep=trainsize`). A pass is n updates, or 60,000 "
           "that cycle through the n patterns in their fixed order (`train.patterns_per_pass`); "
           "the paper does not say which it made. The paper's numbers are per n.", "",
           "| n | updates per pass | paper: test (%) | ours: test (%) | paper: training (%) "
           "| ours: training (%) | seeds | runs |", "|---|---|---|---|---|---|---|---|"]
  for runs, link in sorted(rows, key=lambda row: size(row[0])):
    n, per_pass = size(runs)
    test = _mean_std([100 * r["summary"]["test_error"] for r in runs])
    trn = _mean_std([100 * r["summary"]["train_error"] for r in runs])
    ref = fig6.get(n, {})
    lines.append(f"| {n:,} | {per_pass:,} | {ref.get('test_error_pct', '-')} | {_pm(*test)} "
                 f"| {ref.get('train_error_pct', '-')} | {_pm(*trn)} | "
                 f"{len(runs)} | [{link}]({link}) |")
  return lines


def _leaves(tree: dict, prefix: str = "") -> dict:
  out = {}
  for key, value in tree.items():
    out.update(_leaves(value, f"{prefix}{key}.") if isinstance(value, dict)
               else {f"{prefix}{key}": value})
  return out


def changed_fields(config: dict, baseline: dict) -> str:
  """The fields where a run's recorded config differs from its baseline's (seed aside). Fields
  added to the configs after a run was recorded count as their defaults (train.with_new_fields)."""
  defaults = json.loads(importlib.import_module(
      f"experiments.configs.{baseline.get('network', 'lenet5')}").get_config().to_json())
  ours = _leaves(train.with_new_fields(config, defaults))
  theirs = _leaves(train.with_new_fields(baseline, defaults))
  changed = sorted(k for k in ours.keys() | theirs.keys()
                   if k != "seed" and ours.get(k) != theirs.get(k))
  return ", ".join(f"`{k}={ours.get(k, '-')}`" for k in changed)


def ablations_section(results: pathlib.Path) -> list[str]:
  """One row per results/ablations/<name>/ (experiments/sweep.py, ABLATIONS), beside the
  baseline runs of the config it changes; rows in the sweep's order, then any others."""
  present = {d.name for d in (results / "ablations").glob("*") if d.is_dir()}
  names = [n for n in ABLATION_ORDER if n in present] + sorted(present - set(ABLATION_ORDER))
  rows = [(name, load_runs(results / "ablations", name),
           load_diverged(results / "ablations", name)) for name in names]
  rows = [row for row in rows if row[1] or row[2]]
  if not rows:
    return []
  lines = ["", "## Ablations", "",
           "One change each from the paper's recipe (`python -m experiments.sweep "
           "--sweep=ablations`, defined in `experiments/sweep.py`). The change is read off the "
           "runs' recorded configs against the baseline's; the baseline is that config's runs "
           "above (`lenet5/`, or `lenet5_dist/` for the distortion ranges). Mean +- sample "
           "standard deviation over the seeds that finished; a run whose loss diverged is counted "
           "in n and its error is in its `failure.json`. Per seed: each run's test error, in "
           "seed order.", "",
           "| ablation | change | test error (%) | per seed (%) | n | baseline (%) | difference | "
           "training error (%) | runs | commit |",
           "|---|---|---|---|---|---|---|---|---|---|"]
  baselines = {}  # network -> its runs, read once
  for name, runs, diverged in rows:
    any_run = (runs or diverged)[0]
    network = any_run["config"].get("network", "lenet5")
    if network not in baselines:
      baselines[network] = load_runs(results, network)
    base = baselines[network]
    change = changed_fields(any_run["config"], base[0]["config"]) if base else "-"
    if runs:
      mean, std = _mean_std([100 * r["summary"]["test_error"] for r in runs])
      test, train_error = _pm(mean, std), _pm(*_mean_std([100 * r["summary"]["train_error"]
                                                           for r in runs]))
    else:
      mean, test, train_error = None, "", "-"
    if diverged:
      test += f"{'; ' if runs else ''}diverged in {len(diverged)} of {len(runs) + len(diverged)}"
    baseline, diff = "-", "-"
    if base:
      b_mean, b_std = _mean_std([100 * r["summary"]["test_error"] for r in base])
      baseline = _pm(b_mean, b_std)
      diff = f"{mean - b_mean:+.2f}" if mean is not None else "-"
    commits = sorted({r["versions"].get("git_commit", "unknown")[:12] for r in runs + diverged})
    per_seed = ", ".join(f"{100 * r['summary']['test_error']:.2f}" if "summary" in r else "diverged"
                         for r in sorted(runs + diverged, key=lambda r: r["config"]["seed"]))
    lines.append(f"| `{name}` | {change} | {test} | {per_seed} | {len(runs) + len(diverged)} "
                 f"| {baseline} | {diff} | {train_error} | [ablations/{name}/](ablations/{name}/) "
                 f"| {', '.join(f'`{c}`' for c in commits)} |")
  return lines


FIGURES = (("misclassified.png", "Misclassified test digits, true->predicted (as Fig. 8)"),
           ("rbf_codes.png", "The RBF output codes (Fig. 3's glyphs)"),
           ("feature_maps.png", "LeNet-5's C1, S2 and C3 maps for three test digits"))


def figures_section(results: pathlib.Path) -> list[str]:
  """The PNGs `python -m experiments.figures` wrote into results/figures."""
  present = [(f, title) for f, title in FIGURES if (results / "figures" / f).exists()]
  if not present:
    return []
  lines = ["", "## Figures", "", "Made by `python -m experiments.figures` from the run "
           "directories.", ""]
  for f, title in present:
    lines += [f"{title}:", "", f"![{title}](figures/{f})", ""]
  return lines[:-1]


def report(results: pathlib.Path) -> str:
  rows = [network_row(n, runs) for n in paper.NETWORKS if (runs := load_runs(results, n))]
  if not rows:
    raise FileNotFoundError(f"no finished runs under {results}/<network>/seed_*")
  extra = trainsize_section(results) + ablations_section(results) + figures_section(results)
  return render(rows) + ("\n".join(extra) + "\n" if extra else "")


BEGIN, END = "<!-- experiments.report: begin -->", "<!-- experiments.report: end -->"


def update_readme(readme: pathlib.Path, results: pathlib.Path) -> None:
  """Replaces the block between BEGIN and END in the top-level README by the Fig. 9 table."""
  text = readme.read_text()
  if BEGIN not in text or END not in text:
    raise ValueError(f"{readme} has no {BEGIN} ... {END} block to fill")
  rows = [network_row(n, runs) for n in paper.NETWORKS if (runs := load_runs(results, n))]
  table = "\n".join(fig9_table(rows, prefix=f"{results.as_posix()}/"))
  head, rest = text.split(BEGIN, 1)
  readme.write_text(f"{head}{BEGIN}\n{table}\n{END}{rest.split(END, 1)[1]}")


def main(argv):
  del argv
  results = pathlib.Path(flags.FLAGS.results)
  (results / "README.md").write_text(report(results))
  print(f"wrote {results / 'README.md'}")
  if flags.FLAGS.readme:
    update_readme(pathlib.Path(flags.FLAGS.readme), results)
    print(f"updated the results table in {flags.FLAGS.readme}")


if __name__ == "__main__":
  # Defined here, not at import, so that tests can import this beside experiments.summarize.
  flags.DEFINE_string("results", "results", "Directory of <network>/seed_* runs.")
  flags.DEFINE_string("readme", "README.md", "Top-level README whose results block to update "
                      "('' to leave it).")
  app.run(main)
