"""The choices made on the validation split (sweeps.QUESTIONS): each candidate's validation error,
the rule's choice, and whether the config states it. Test error is never read here."""
from __future__ import annotations

import math
import pathlib
import statistics

from experiments import sweeps
from experiments.report.runs import load_diverged, load_runs, mean_std, spread
from lenet import fields
from lenet import methods
from lenet import paper


def candidates(results: pathlib.Path, key: str) -> list[dict]:
  """Per candidate of the question: name, overrides, runs' validation errors (%; seeds, or each
  fold's), diverged runs, the paper's stated values it changes, the validation patterns of one
  run, and whether the config's default is it."""
  q = sweeps.QUESTIONS[key]
  default = sweeps.Run(q.config, (), 0, "").build_config()
  out = []
  for overrides in q.candidates:
    name = f"{key}/{sweeps.candidate_name(overrides)}"
    dirs = q.runs_of(key, overrides)
    config = sweeps.Run(q.config, next(iter(dirs.values())), 0, "").build_config()
    out.append({
        "name": name, "overrides": overrides,
        "errors": [100 * r["summary"]["validation_error"] for d in dirs
                   for r in load_runs(results / "selection", d)],
        "diverged": sum(len(load_diverged(results / "selection", d)) for d in dirs),
        "departures": paper.departures(config),
        "deterministic": methods.deterministic(config),
        "validation_size": fields.get(config, "data.validation_size"),
        "default": all(fields.get(default, f) == v for f, v in overrides
                       if f not in q.revised_fields)})
  return out


def seed_spread(cands: list[dict]) -> float | None:
  """One seed spread: the median standard deviation across seeds of the candidates that
  trained, those within a factor 2 of the lowest mean validation error (a saturated network's
  chance-level error has no spread to speak of)."""
  means = [mean_std(c["errors"])[0] for c in cands if c["errors"] and not c["diverged"]]
  sds = [mean_std(c["errors"])[1] for c in cands if len(c["errors"]) > 1 and not c["diverged"]
         and mean_std(c["errors"])[0] <= 2 * min(means)]
  return statistics.median(sds) if sds else None


def sampling_noise(c: dict) -> float:
  """One binomial standard error (%) of a validation error p measured on n patterns,
  100 sqrt(p (1 - p) / n): what a deterministic candidate's error is known to (n: every fold's
  patterns)."""
  p = mean_std(c["errors"])[0] / 100
  return 100 * math.sqrt(p * (1 - p) / (c["validation_size"] * len(c["errors"])))


def choose(key: str, cands: list[dict]) -> dict | None:
  """The rule's choice among the candidates with runs (none diverged): the lowest mean
  validation error; for "fewest_departures", the fewest departures among those within one
  seed spread of the lowest, then the lowest; for "first_within_noise", the first listed within
  one binomial standard error (sampling_noise) of the lowest."""
  ran = [c for c in cands if c["errors"] and not c["diverged"]]
  if not ran:
    return None
  def mean(c):
    return mean_std(c["errors"])[0]
  best = min(ran, key=mean)
  if sweeps.QUESTIONS[key].rule == "lowest":
    return best
  if sweeps.QUESTIONS[key].rule == "first_within_noise":
    return next(c for c in ran if mean(c) <= mean(best) + sampling_noise(best))
  within = [c for c in ran if mean(c) <= mean(best) + (seed_spread(cands) or 0.0)]
  return min(within, key=lambda c: (len(c["departures"]), mean(c)))


def section(results: pathlib.Path) -> list[str]:
  """The report's "How each choice was made": one line per question, then each question's
  candidates."""
  asked = {k: candidates(results, k) for k in sweeps.QUESTIONS}
  asked = {k: cands for k, cands in asked.items() if any(c["errors"] or c["diverged"]
                                                          for c in cands)}
  if not asked:
    return []
  lines = ["", "## How each choice was made", "",
           "Each candidate trained on 50,000 training patterns and was measured on the other "
           "10,000 (`data.validation_size`, one fixed split; `python -m experiments.sweep "
           "--sweep=selection`, questions in `experiments/sweeps.py`). Test error is not used. "
           "Rules: *lowest*, the lowest mean validation error; *fewest departures*, the fewest "
           "of the paper's stated values changed (`lenet/paper.py`) among the candidates "
           "within one seed spread of the lowest, then the lowest. One seed spread: the median "
           "standard deviation across seeds of the candidates within a factor 2 of the lowest "
           "(those that trained). *First within noise*, for deterministic candidates listed "
           "the config's or the simplest first: the first within one binomial standard error "
           "of the lowest, 100 sqrt(p (1 - p) / n) for the lowest error p on the n validation "
           "patterns (about 0.1% at 1% on 10,000). A question with folds runs each candidate "
           "on disjoint held-out blocks of 10,000 (`data.validation_fold`); its error is their "
           "mean.", "",
           "| question | candidates | rule | choice | validation error (%) | seeds | the config "
           "states it |", "|---|---|---|---|---|---|---|"]
  chosen_of = {key: choose(key, cands) for key, cands in asked.items()}
  for key, cands in asked.items():
    chosen = chosen_of[key]
    lines.append(
        f"| {sweeps.QUESTIONS[key].text} | {len(cands)} | {sweeps.QUESTIONS[key].rule} | "
        + (f"`{chosen['name'].split('/', 1)[1]}` | {_error(chosen)} | "
           f"{len(chosen['errors'])} | {_states(key, chosen)} |"
           if chosen else "- | - | - | - |"))
  for key, cands in asked.items():
    lines += _candidates_table(key, cands, chosen_of[key])
  return lines


def _states(key: str, chosen: dict) -> str:
  """Whether the config states the choice; the fields a later question chose again named."""
  q = sweeps.QUESTIONS[key]
  if not chosen["default"]:
    return "**no**"
  if not q.revised_fields:
    return "yes"
  revised = ", ".join(f"`{f.rsplit('.', 1)[-1]}`" for f in sorted(q.revised_fields))
  return f"yes, but {revised} as chosen by {q.revised_by}"


def _candidates_table(key: str, cands: list[dict], chosen: dict | None) -> list[str]:
  q = sweeps.QUESTIONS[key]
  s = seed_spread(cands)
  lines = ["", f"### {q.text[0].upper()}{q.text[1:]}", "",
           f"Config `experiments/configs/{q.config}.py`"
           + "".join(f", every candidate with `{f}={v}`" for f, v in q.fixed)
           + (f", {q.folds} validation folds" if q.folds > 1 else "")
           + f"; one {'fold' if q.folds > 1 else 'seed'} spread "
           + f"{'-' if s is None else f'{s:.2f}'}%.", "",
           "| candidate | paper's stated values changed | validation error (%) "
           "| per seed or fold (%) | chosen | runs |", "|---|---|---|---|---|---|"]
  for c in cands:
    per_seed = ", ".join(f"{e:.2f}" for e in c["errors"])
    if c["diverged"]:
      per_seed += f"{', ' if per_seed else ''}{c['diverged']} diverged"
    error = _error(c) if c["errors"] and not c["diverged"] else "-"
    changed = len(c["departures"]) if q.rule == "fewest_departures" else "-"
    lines.append(f"| `{c['name'].split('/', 1)[1]}` | {changed} | {error} | {per_seed or 'not run'}"
                 f" | {'yes' if c is chosen else ''} | [selection/{c['name']}/]"
                 f"(selection/{c['name']}/) |")
  return lines


def _error(c: dict) -> str:
  """A candidate's mean validation error and spread (over seeds or folds), or its one
  deterministic run."""
  return spread(*mean_std(c["errors"]), c["deterministic"] and len(c["errors"]) == 1)
