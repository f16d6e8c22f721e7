"""The paper's reported numbers, read from the data files in lenet/paper_data (one place)."""
import csv
import functools
import pathlib

PAPER_DATA = pathlib.Path(__file__).parent / "paper_data"
# Our model names -> the classifier names of Figs. 9-12.
CLASSIFIER = {"lenet5": "LeNet-5"}


def _rows(name: str) -> list[dict]:
  with open(PAPER_DATA / name) as f:
    return list(csv.DictReader(line for line in f if not line.startswith("#")))


@functools.cache
def fig9_11_12() -> dict[str, dict]:
  """Per classifier: err (test error %, Fig. 9), macs_k (Fig. 11), mem_k (Fig. 12), reject_pct."""
  return {r["classifier"]: r for r in _rows("fig9_11_12_10.csv")}


def test_error_pct(model: str) -> float | None:
  row = fig9_11_12().get(CLASSIFIER.get(model, model))
  return float(row["err"]) if row and row["err"] else None


def fig5() -> list[tuple[int, float, float]]:
  """(pass, training error % on the fly, test error %) read off Fig. 5."""
  return [(int(r["marker"]), float(r["train_error_on_the_fly_pct"]), float(r["test_error_pct"]))
          for r in _rows("fig5_digitized.csv")]
