"""The README against the committed runs: every measured percentage it states is in results/."""
import pathlib
import re

from experiments import report
from experiments import sweeps
from lenet import paper

ROOT = pathlib.Path(__file__).resolve().parents[2]
# "0.99 +- 0.11" (a mean and spread, % or not), "2.17%": numbers with two or more decimals
# (one-decimal figures are the paper's or rounded statements of checked ones).
PERCENT = re.compile(r"(\d+\.\d{2,})(?:\s*\+-\s*(\d+\.\d{2,})|\s*%)")
NUMBER = re.compile(r"-?\d+\.\d+(?:e-?\d+)?")


LINK = re.compile(r"\]\((results/[^)#\s]*)|`(results/[^`\s]*)`")


def _numbers_in(path: pathlib.Path) -> set[float]:
  """Every number in the files at path (a file or a directory), JSON numbers also x 100."""
  found = set()
  for f in [path] if path.is_file() else sorted(path.rglob("*")):
    if f.suffix in (".md", ".csv", ".txt", ".json", ".jsonl"):
      values = [abs(float(x)) for x in NUMBER.findall(f.read_text())]
      found.update(values)
      if f.suffix in (".json", ".jsonl"):
        found.update(100 * x for x in values)
  return found


def _units(text: str) -> list[str]:
  """Paragraphs and list items; a code block belongs to the paragraph before it."""
  units = []
  for block in re.split(r"\n\s*\n", text):
    if block.lstrip().startswith("```") and units:
      units[-1] += "\n" + block
    else:
      units += re.split(r"\n(?=- |\* |\| )", block)
  return units


def _prose() -> str:
  """README.md without the block the report writes."""
  text = (ROOT / "README.md").read_text()
  head, rest = text.split(report.BEGIN, 1)
  return head + rest.split(report.END, 1)[1]


def test_every_percentage_in_the_readme_is_in_the_results_its_paragraph_links():
  unheld = []
  for unit in _units(_prose()):
    figures = [g for m in PERCENT.finditer(unit) for g in m.groups() if g]
    if not figures:
      continue
    linked = set()
    for link in LINK.findall(unit):
      path = ROOT / (link[0] or link[1])
      linked |= _numbers_in(path) if path.exists() else set()
    unheld += [f for f in figures
               if not any(round(x, len(f.split(".")[1])) == float(f) for x in linked)]
  assert not unheld, f"README percentages not in the results their paragraph links: {unheld}"


def test_the_readme_states_the_default_recipes_departures():
  config = sweeps.Run("lenet5", (), 0, "").build_config()
  count = len(paper.departures(config))
  first_paragraph = (ROOT / "README.md").read_text().split("\n\n")[1]
  words = {0: "no departure", 1: "one departure", 2: "two departures", 3: "three departures"}
  assert words[count] in first_paragraph, (count, paper.departures(config))
