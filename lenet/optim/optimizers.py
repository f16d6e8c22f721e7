"""The optimizer of a config's `optimizer` section: SDLM with the paper's eta schedule (Section
III-C), or an ablation (SGD, Adam, a constant eta)."""
from __future__ import annotations

import jax
import numpy as np
import optax

from lenet.optim import curvature
from lenet.optim import sdlm

OPTIMIZERS = ("sdlm", "sgd", "adam")
SCHEDULES = ("paper", "constant")
CURVATURE_UPDATES = ("every_pass", "first_pass")


def _learning_rates(cfg) -> tuple[float, ...]:
  """eta of each pass, eta_scale applied (later passes keep the last)."""
  if cfg.schedule == "paper":
    rates = sdlm.PAPER_ETA
  elif cfg.schedule == "constant":
    rates = (cfg.learning_rate,)
  else:
    raise ValueError(f"unknown optimizer.schedule={cfg.schedule!r}; choose from {SCHEDULES}")
  return tuple(cfg.eta_scale * eta for eta in rates)


def pass_learning_rate(cfg, pass_index: int) -> float:
  """The global rate eta of pass `pass_index` (0-based)."""
  rates = _learning_rates(cfg)
  return rates[min(pass_index, len(rates) - 1)]


def make(cfg, steps_per_pass: int) -> optax.GradientTransformation:
  """The optimizer named by the `optimizer` config; "sdlm" with the "paper" schedule by default."""
  rates = _learning_rates(cfg)
  lr = rates[0] if cfg.schedule == "constant" else sdlm.per_pass_schedule(rates, steps_per_pass)
  if cfg.name == "sdlm":
    return sdlm.sdlm(lr, cfg.mu)
  if cfg.name == "sgd":
    return optax.sgd(lr)
  if cfg.name == "adam":
    return optax.adam(lr)
  raise ValueError(f"unknown optimizer.name={cfg.name!r}; choose from {OPTIMIZERS}")


def refreshes_curvature(cfg, pass_index: int) -> bool:
  """Whether h_kk is (re-)estimated before pass `pass_index` (0-based): SDLM only."""
  return cfg.name == "sdlm" and (pass_index == 0 or cfg.curvature_update == "every_pass")


def step_size_range(h, eta: float, mu: float) -> tuple[float, float]:
  """min and max of eta/(mu+h) over entries with h > 0 (masked kernel entries have h = 0 and
  zero gradient: they are not parameters). No h > 0 (a network saturated everywhere): eta/mu."""
  hs = np.concatenate([np.asarray(x).ravel() for x in jax.tree.leaves(h)])
  hs = hs[hs > 0]
  if not hs.size:
    return float(eta / mu), float(eta / mu)
  return float(eta / (mu + hs.max())), float(eta / (mu + hs.min()))


def check(cfg, model_output: str) -> None:
  """Refuses unknown values of the `optimizer` section, naming the field."""
  if cfg.name not in OPTIMIZERS:
    raise ValueError(f"unknown optimizer.name={cfg.name!r}; choose from {OPTIMIZERS}")
  _learning_rates(cfg)
  if cfg.output_curvature not in curvature.OUTPUT_CURVATURES:
    raise ValueError(f"unknown optimizer.output_curvature={cfg.output_curvature!r}; "
                     f"choose from {curvature.OUTPUT_CURVATURES}")
  if cfg.output_curvature == "mle" and model_output not in ("rbf", "place"):
    raise ValueError("optimizer.output_curvature='mle' needs model.output='rbf' or 'place'; "
                     "use 'loss'")
  if cfg.curvature_update not in CURVATURE_UPDATES:
    raise ValueError(f"unknown optimizer.curvature_update={cfg.curvature_update!r}; "
                     f"choose from {CURVATURE_UPDATES}")
  if cfg.eta_scale <= 0:
    raise ValueError(f"optimizer.eta_scale must be positive, got {cfg.eta_scale}")
