"""Two runs of one config side by side, pass by pass: errors as pattern counts, and wall time.

    python -m experiments.tools.compare_runs --run=/tmp/lenet5_gpu \
        --reference=results/lenet5/seed_0

For a run on another backend or machine against a committed one (scripts/gpu_check.sh): with the
same seed and recipe the two differ only by the order of floating-point operations, so the
differences, in patterns, show how far that order moved the training. Compares the passes both
runs have; the last line is `max_held_out_diff=N max_train_diff=M passes=P` (held out: the
test set, or the validation split of a selection run).
"""
from absl import flags
import ml_collections

from experiments import cli
from lenet import rundir
from lenet.data import dataset

_RUN = flags.DEFINE_string("run", None, "Run directory to compare.")
_REFERENCE = flags.DEFINE_string("reference", None, "Run directory to compare it with.")


def differing_fields(run: dict, reference: dict) -> list[str]:
  """The config sections that differ between two recorded configs, fields added to the configs
  since the older run counted as their defaults and provenance fields left out."""
  a = rundir.identity(rundir.with_new_fields(run, reference))
  b = rundir.identity(rundir.with_new_fields(reference, run))
  return [k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]


MNIST_TEST_SIZE = 10_000


def set_sizes(config: dict) -> tuple[int, int]:
  """Patterns in the training originals (lenet.data.dataset.train_size) and in the held-out set
  (the validation split, or MNIST's test set) of a recorded config."""
  data = ml_collections.ConfigDict(config.get("data", {}))
  return dataset.train_size(data), data.get("validation_size", 0) or MNIST_TEST_SIZE


def compare(run: rundir.RunDir, reference: rundir.RunDir) -> tuple[list[str], dict]:
  """Lines of the table and the largest differences, in patterns, over the passes both have."""
  ours, theirs = run.read_metrics(), reference.read_metrics()
  n_train, n_held = set_sizes(run.recorded_config() or {})
  held = rundir.held_out(ours[0]) if ours else "test"
  lines = [f"pass  {held} errors (ref, diff)   train errors (ref, diff)   wall s (ref)"]
  worst = {"held_out": 0, "train": 0}
  for a, b in zip(ours, theirs):
    cols = []
    for key, name, n in ((f"{held}_error", "held_out", n_held), ("train_error", "train", n_train)):
      x, y = round(a[key] * n), round(b[key] * n)
      worst[name] = max(worst[name], abs(x - y))
      cols.append(f"{x:>6} ({y:>5}, {x - y:>+4})")
    lines.append(f"{a['pass']:>4}  {cols[0]:>24}   {cols[1]:>24}   "
                 f"{a['wall_time_s']:>6.1f} ({b['wall_time_s']:.1f})")
  return lines, {**worst, "passes": min(len(ours), len(theirs))}


def main(argv):
  del argv
  run, reference = rundir.RunDir(_RUN.value), rundir.RunDir(_REFERENCE.value)
  for r in (run, reference):
    if not (r / "metrics.jsonl").exists():
      cli.fail(f"{r} has no metrics.jsonl: not a run directory, or no pass has finished")
  differ = differing_fields(run.recorded_config() or {}, reference.recorded_config() or {})
  if differ:
    print(f"# the configs differ in: {', '.join(differ)}")
  lines, worst = compare(run, reference)
  print("\n".join(lines))
  print(f"max_held_out_diff={worst['held_out']} max_train_diff={worst['train']} "
        f"passes={worst['passes']}")


if __name__ == "__main__":
  flags.mark_flag_as_required("run")
  flags.mark_flag_as_required("reference")
  cli.run(main)
