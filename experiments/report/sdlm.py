"""The report's "Does SDLM matter?": LeNet-5's default recipe on the validation split with SDLM
at several mu (the candidates of the question lenet5) against plain SGD whose eta is scaled to
SDLM's median step after pass 1 (sweeps.SGD_MATCHING_SDLM, from results/sdlm/*.json). Test error
is not read here."""
from __future__ import annotations

import json
import pathlib

from experiments import sweeps
from experiments.report.runs import load_runs, mean_std, pm


def _errors(results: pathlib.Path, directory: str) -> list[float]:
  return [100 * r["summary"]["validation_error"] for r in load_runs(results, directory)]


def rows(results: pathlib.Path) -> list[dict]:
  """Per mu: SDLM's and SGD's validation errors (%), SDLM's step-size quantiles after pass 1."""
  out = []
  for mu, scale in sweeps.SGD_MATCHING_SDLM.items():
    steps = results / "sdlm" / f"mu={mu}.after_pass_1.json"
    out.append({
        "mu": mu, "eta_scale": scale, "steps": json.loads(steps.read_text()),
        "sdlm_dir": f"selection/{sweeps.SDLM_CANDIDATE.format(mu=mu)}",
        "sgd_dir": f"sdlm/{sweeps.sgd_name(scale)}"})
    out[-1]["sdlm"] = _errors(results, out[-1]["sdlm_dir"])
    out[-1]["sgd"] = _errors(results, out[-1]["sgd_dir"])
  return out


def section(results: pathlib.Path) -> list[str]:
  found = [r for r in rows(results) if r["sdlm"] and r["sgd"]] if (results / "sdlm").is_dir() else []
  if not found:
    return []
  lines = ["", "## Does SDLM matter?", "",
           "LeNet-5's default recipe on the validation split (50,000 patterns trained, 10,000 "
           "measured; `python -m experiments.sweep --sweep=sdlm`): SDLM at each mu against plain "
           "SGD with the same eta schedule scaled by SDLM's median step after pass 1 over eta "
           "(every parameter's eta/(mu+h_kk), `scripts/sdlm_steps.sh`, seed 0), so that the two "
           "differ only in how the step is spread over the parameters. Step sizes: 5%, 50% and "
           "95% quantiles over the parameters, before pass 2 (eta = 5e-4).", "",
           "| mu | SDLM steps after pass 1 | eta/mu | SDLM validation (%) | SGD eta scale | "
           "SGD validation (%) | SGD - SDLM | runs |", "|---|---|---|---|---|---|---|---|"]
  for r in found:
    q, (sdlm, sgd) = r["steps"]["all"], (mean_std(r["sdlm"]), mean_std(r["sgd"]))
    lines.append(
        f"| {r['mu']:g} | {q['q05']:.1e} / {q['median']:.1e} / {q['q95']:.1e} | "
        f"{r['steps']['eta_over_mu']:.1e} | {pm(*sdlm)} ({len(r['sdlm'])}) | {r['eta_scale']:g} | "
        f"{pm(*sgd)} ({len(r['sgd'])}) | {sgd[0] - sdlm[0]:+.2f} | [{r['sdlm_dir']}/]"
        f"({r['sdlm_dir']}/), [{r['sgd_dir']}/]({r['sgd_dir']}/) |")
  lines += ["", "Step sizes per layer after pass 1 at mu = 0.5 (red: eta/mu; "
            "`results/sdlm/mu=0.5.after_pass_1.txt` has each layer's h_kk):", "",
            "![SDLM step sizes](sdlm/mu=0.5.after_pass_1.png)"]
  return lines
