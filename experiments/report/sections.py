"""The report's sections beyond Figs. 9-12: Fig. 6 (training-set size), the ablations, the
tutorial versions, the figures (the validation choices: report/selection.py)."""
from __future__ import annotations

import importlib
import json
import pathlib

from experiments import sweeps
from experiments.report import tables
from experiments.report.runs import leaves as _leaves
from experiments.report.runs import load_diverged, load_runs, mean_std, pm, runs_of_config
from experiments.report.runs import spread
from lenet import methods
from lenet import paper
from lenet import rundir

ABLATION_ORDER = tuple(sweeps.ABLATIONS)  # the report lists ablations in the sweep's order


def trainsize_section(results: pathlib.Path) -> list[str]:
  """Fig. 6 from results/trainsize/*/seed_*, by n and then patterns per pass."""
  rows = [(runs, f"trainsize/{d.name}/") for d in sorted((results / "trainsize").glob("*"))
          if (runs := load_runs(results / "trainsize", d.name))]
  if not rows:
    return []
  # all 60,000 patterns: the committed runs of the same config
  config = sweeps.Run("lenet5", sweeps.TRAINSIZE_BASE, 0, "").build_config()
  directory, full = runs_of_config(results, baseline_directories(), config)
  if full:
    rows.append((full, f"{directory}/"))
  def size(runs):  # n and updates per pass (runs recorded before patterns_per_pass made n)
    summary = runs[0]["summary"]
    return summary["train_size"], summary.get("patterns_per_pass", summary["train_size"])
  fig6 = {int(r["train_size"]): r for r in paper.fig6()}
  lines = ["", "## Training-set size (Fig. 6)", "",
           "LeNet-5 with its default recipe (the paper's init, mu = 0.5) on the first n training "
           "patterns "
           "(`python -m experiments.sweep --sweep=trainsize`). A pass is n updates, or 60,000 "
           "that cycle through the n patterns in their fixed order (`train.patterns_per_pass`); "
           "the paper does not say which it made. The paper's numbers are per n.", "",
           "| n | updates per pass | paper: test (%) | ours: test (%) | paper: training (%) "
           "| ours: training (%) | seeds | runs |", "|---|---|---|---|---|---|---|---|"]
  for runs, link in sorted(rows, key=lambda row: size(row[0])):
    n, per_pass = size(runs)
    test = mean_std([100 * r["summary"]["test_error"] for r in runs])
    trn = mean_std([100 * r["summary"]["train_error"] for r in runs])
    ref = fig6.get(n, {})
    lines.append(f"| {n:,} | {per_pass:,} | {ref.get('test_error_pct', '-')} | {pm(*test)} "
                 f"| {ref.get('train_error_pct', '-')} | {pm(*trn)} | "
                 f"{len(runs)} | [{link}]({link}) |")
  return lines


def changed_fields(config: dict, baseline: dict) -> str:
  """The fields where a run's recorded config differs from its baseline's (seed aside). Fields
  added to the configs after a run was recorded count as their defaults
  (lenet/rundir.py, with_new_fields)."""
  defaults = json.loads(importlib.import_module(
      f"experiments.configs.{baseline.get('network', 'lenet5')}").get_config().to_json())
  ours = _leaves(rundir.with_new_fields(config, defaults))
  theirs = _leaves(rundir.with_new_fields(baseline, defaults))
  changed = sorted(k for k in ours.keys() | theirs.keys()
                   if k != "seed" and ours.get(k) != theirs.get(k))
  return ", ".join(f"`{k}={ours.get(k, '-')}`" for k in changed)


def baseline_directories() -> list[str]:
  """Where a baseline's runs may be: the rows of Fig. 9, then the ablations."""
  return [*paper.NETWORKS, *(f"ablations/{name}" for name in sweeps.ABLATIONS)]


def ablations_section(results: pathlib.Path) -> list[str]:
  """One row per results/ablations/<name>/ (experiments/sweeps.py, ABLATIONS), beside the
  baseline runs of the config it changes; rows in the sweep's order, then any others."""
  present = {d.name for d in (results / "ablations").glob("*") if d.is_dir()}
  names = [n for n in ABLATION_ORDER if n in present] + sorted(present - set(ABLATION_ORDER))
  rows = [(name, load_runs(results / "ablations", name),
           load_diverged(results / "ablations", name)) for name in names]
  rows = [row for row in rows if row[1] or row[2]]
  if not rows:
    return []
  lines = ["", "## Ablations", "",
           "One change each from a baseline (`python -m experiments.sweep "
           "--sweep=ablations`, defined in `experiments/sweeps.py`), LeNet-5's from today's "
           "default except the mu grid `weight_init=efficient_backprop,mu=*`, run from its "
           "previous default (our init, mu = 0.5; its runs are `weight_init=efficient_backprop`"
           "). The change is read off the runs' recorded configs against "
           "the baseline's; the baseline is the committed runs of the ablation's base config "
           "(linked). Mean +- sample "
           "standard deviation over the seeds that finished; a run whose loss diverged is counted "
           "in n and its error is in its `failure.json`. Per seed: each run's test error, in "
           "seed order.", "",
           "| ablation | change | test error (%) | per seed (%) | n | baseline (%) | difference | "
           "training error (%) | runs | commit |",
           "|---|---|---|---|---|---|---|---|---|---|"]
  for name, runs, diverged in rows:
    any_run = (runs or diverged)[0]
    base_dir, base = _baseline(results, name)
    change = changed_fields(any_run["config"], base[0]["config"]) if base else "-"
    if runs:
      mean, std = mean_std([100 * r["summary"]["test_error"] for r in runs])
      once = _deterministic(name, runs)
      test = spread(mean, std, once)
      trains = [r["summary"]["train_error"] for r in runs]  # None: not measured (neighbours)
      train_error = "-" if None in trains else spread(*mean_std([100 * e for e in trains]), once)
    else:
      mean, test, train_error = None, "", "-"
    if diverged:
      test += f"{'; ' if runs else ''}diverged in {len(diverged)} of {len(runs) + len(diverged)}"
    baseline, diff = "-", "-"
    if base:
      b_mean, b_std = mean_std([100 * r["summary"]["test_error"] for r in base])
      baseline = (f"{spread(b_mean, b_std, _deterministic(name, base))} "
                  f"([{base_dir}/]({base_dir}/))")
      diff = f"{mean - b_mean:+.2f}" if mean is not None else "-"
    commits = sorted({r["versions"].get("git_commit", "unknown")[:12] for r in runs + diverged})
    per_seed = ", ".join(f"{100 * r['summary']['test_error']:.2f}" if "summary" in r else "diverged"
                         for r in sorted(runs + diverged, key=lambda r: r["config"]["seed"]))
    lines.append(f"| `{name}` | {change} | {test} | {per_seed} | {len(runs) + len(diverged)} "
                 f"| {baseline} | {diff} | {train_error} | [ablations/{name}/](ablations/{name}/) "
                 f"| {', '.join(f'`{c}`' for c in commits)} |")
  return lines


def _deterministic(name: str, runs: list[dict]) -> bool:
  """Whether the runs (of ablation `name` or of its baseline) have nothing random; False for an
  ablation not in the sweep."""
  if name not in sweeps.ABLATIONS:
    return False
  config = tables.recorded_config(sweeps.ABLATIONS[name].config, runs[0]["config"])
  return methods.deterministic(config)


def _baseline(results: pathlib.Path, name: str) -> tuple[str, list[dict]]:
  """The committed runs of an ablation's base config (none for an ablation not in the sweep)."""
  if name not in sweeps.ABLATIONS:
    return "", []
  ablation = sweeps.ABLATIONS[name]
  config = sweeps.Run(ablation.config, ablation.base, 0, "").build_config()
  return runs_of_config(results, baseline_directories(), config)


FIGURES = (("misclassified.png", "Misclassified test digits, true->predicted (as Fig. 8)"),
           ("rbf_codes.png", "The RBF output codes (Fig. 3's glyphs)"),
           ("feature_maps.png", "LeNet-5's C1, S2 and C3 maps for three test digits"))


def figures_section(results: pathlib.Path) -> list[str]:
  """The PNGs `python -m experiments.tools.figures` wrote into results/figures."""
  present = [(f, title) for f, title in FIGURES if (results / "figures" / f).exists()]
  if not present:
    return []
  lines = ["", "## Figures", "", "Made by `python -m experiments.tools.figures` from the run "
           "directories.", ""]
  for f, title in present:
    lines += [f"{title}:", "", f"![{title}](figures/{f})", ""]
  return lines[:-1]


def tutorial_section(results: pathlib.Path, rows: dict) -> list[str]:
  """The tutorial versions beside the paper's recipe of the same network (sweeps.TUTORIAL);
  `rows` maps a network to its Fig. 9 row (tables.network_row)."""
  present = [(t, f) for t, f in sweeps.TUTORIAL.items() if t in rows]
  if not present:
    return []
  lines = ["", "## The tutorial versions", "",
           "LeNet-5 and LeNet-1 as popular tutorials build them (`python -m experiments.sweep "
           "--sweep=tutorial`; what each changes is in its config, "
           "`experiments/configs/tutorial_*.py`), beside the paper's recipe of the same network "
           "above. Mean +- sample standard deviation over n seeds.", "",
           "| version | test error (%) | n | paper's recipe, ours (%) | difference | parameters "
           "| wall time per seed (s) | runs |", "|---|---|---|---|---|---|---|---|"]
  for tutorial, faithful in present:
    t, f = rows[tutorial], rows.get(faithful)
    diff = f"{t['error'][0] - f['error'][0]:+.2f}" if f else "-"
    lines.append(f"| {t['classifier']} | {pm(*t['error'])} | {t['n']} | "
                 f"{pm(*f['error']) if f else '-'} ({f['classifier'] if f else faithful}) | "
                 f"{diff} | {t['cost']['params']:,} | {pm(*t['wall_time_s'], ',.0f')} | "
                 f"[{tutorial}/]({tutorial}/) |")
  return lines
