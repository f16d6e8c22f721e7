"""Test-set measures beyond the error rate: rejection performance (Section III-C, Fig. 10)."""
from __future__ import annotations

import numpy as np

REJECTION_TARGET = 0.005  # Fig. 10: the share rejected so that the error on the rest is 0.5%


def margins(penalties: np.ndarray) -> np.ndarray:
  """Confidence of each decision: second-smallest minus smallest penalty (Fig. 10's ranking by
  the difference between the two best scores)."""
  two = np.sort(penalties, axis=1)[:, :2]
  return two[:, 1] - two[:, 0]


def rejected_fraction(penalties: np.ndarray, labels: np.ndarray,
                      target: float = REJECTION_TARGET) -> float:
  """The smallest share of patterns, rejected in order of increasing margin, after which the
  error on the patterns kept is at most `target`."""
  wrong = (penalties.argmin(axis=1) != labels)[np.argsort(-margins(penalties), kind="stable")]
  n = len(labels)
  # After rejecting the r least confident, the kept ones are the first n - r of this order.
  errors_kept = np.concatenate([[0], np.cumsum(wrong)])  # errors among the first k kept
  kept = np.arange(n + 1)
  ok = errors_kept <= target * kept
  return float((n - kept[ok].max()) / n)


def rejection_summary(penalties: np.ndarray, labels: np.ndarray) -> dict:
  return {"rejection_target_error": REJECTION_TARGET,
          "rejected_for_target": rejected_fraction(penalties, labels)}
