"""The one reporting path: from the run directories of a results root to results/README.md
(Figs. 9-12, Fig. 6, the ablations, the tutorial versions, the validation choices, the figures),
each row's page (results/<network>/README.md, summary.json, error_per_pass.png) and the Fig. 9
table at the top of README.md (between its report markers).

The output depends only on the run directories and lenet/paper_data, so re-running it
reproduces the committed files byte for byte.
"""
from __future__ import annotations

import pathlib

from experiments import sweeps
from experiments.report import pages
from experiments.report import sdlm
from experiments.report import sections
from experiments.report import selection
from experiments.report import tables
from experiments.report.runs import load_runs
from lenet import paper

BEGIN, END = "<!-- experiments.report: begin -->", "<!-- experiments.report: end -->"
# Rows of the Fig. 9 table, then the tutorial versions; each with the sweep that makes its runs.
ROWS = {**{n: "paper" for n in paper.NETWORKS}, **{n: "tutorial" for n in sweeps.TUTORIAL}}


def rows_of(results: pathlib.Path) -> dict[str, dict]:
  """Every row with finished runs, by network."""
  return {n: tables.network_row(n, runs) for n in ROWS if (runs := load_runs(results, n))}


def report(results: pathlib.Path, rows: dict | None = None) -> str:
  """results/README.md (`rows`: rows_of(results), if already read)."""
  rows = rows_of(results) if rows is None else rows
  fig9 = [r for n, r in rows.items() if ROWS[n] == "paper"]
  if not fig9:
    raise FileNotFoundError(f"no finished runs under {results}/<network>/seed_*")
  extra = (sections.trainsize_section(results) + sections.ablations_section(results)
           + sections.tutorial_section(results, rows) + selection.section(results)
           + sdlm.section(results)
           + sections.figures_section(results))
  return tables.render(fig9) + ("\n".join(extra) + "\n" if extra else "")


def update_readme(readme: pathlib.Path, results: pathlib.Path, rows: dict | None = None) -> None:
  """Replaces the block between BEGIN and END in the top-level README by the Fig. 9 table."""
  text = readme.read_text()
  if BEGIN not in text or END not in text:
    raise ValueError(f"{readme} has no {BEGIN} ... {END} block to fill")
  rows = rows_of(results) if rows is None else rows
  rows = [r for n, r in rows.items() if ROWS[n] == "paper"]
  table = "\n".join(tables.fig9_table(rows, prefix=f"{results.as_posix()}/"))
  head, rest = text.split(BEGIN, 1)
  readme.write_text(f"{head}{BEGIN}\n{table}\n{END}{rest.split(END, 1)[1]}")


def write_all(results: pathlib.Path, readme: pathlib.Path | None) -> list[pathlib.Path]:
  """Every generated file: each row's page, results/README.md, the README's block."""
  written = []
  for network, sweep in ROWS.items():
    if loaded := load_runs(results, network):
      pages.write(results, network, loaded, sweep)
      written.append(results / network / "README.md")
  rows = rows_of(results)
  (results / "README.md").write_text(report(results, rows))
  written.append(results / "README.md")
  if readme:
    update_readme(readme, results, rows)
    written.append(readme)
  return written
