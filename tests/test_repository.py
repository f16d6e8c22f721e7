"""The repository as a whole: what travels to a lent GPU machine (scripts/gpu_stage.sh)."""
import pathlib
import shutil
import subprocess

import pytest

from lenet.data import idx

# A device call carries the working tree and the staged .gpu/ folder, 64 MiB in all; .gpu/ holds
# MNIST gzipped (11 MB) and four wheels (2.4 MB), so the tracked files must stay under 50 MiB.
TRACKED_LIMIT = 50 << 20


def test_the_tracked_files_leave_room_for_mnist_on_a_gpu_call():
  if shutil.which("git") is None or not (idx.REPO_ROOT / ".git").exists():
    pytest.skip("not a git checkout")
  names = subprocess.run(["git", "ls-files", "-z"], cwd=idx.REPO_ROOT, capture_output=True,
                         check=True).stdout.split(b"\0")
  sizes = {n.decode(): (idx.REPO_ROOT / n.decode()).stat().st_size
           for n in names if n and (idx.REPO_ROOT / n.decode()).is_file()}
  total = sum(sizes.values())
  biggest = sorted(sizes, key=sizes.get, reverse=True)[:3]
  assert total <= TRACKED_LIMIT, (
      f"tracked files take {total >> 20} MiB, over {TRACKED_LIMIT >> 20}: a GPU call could not "
      f"carry them with MNIST (largest: {biggest}); commit fewer weights (.gitignore)")
  weights = [n for n in sizes if pathlib.PurePath(n).name == "params.msgpack"]
  assert weights and not [n for n in weights if n.startswith(("results/selection/",
                                                              "results/ablations/"))]


def test_accel_must_name_a_known_backend():
  if shutil.which("make") is None:
    pytest.skip("no make")
  bad = subprocess.run(["make", "-n", "venv", "ACCEL=gpu"], cwd=idx.REPO_ROOT,
                       capture_output=True, text=True, check=False)
  assert bad.returncode != 0 and "ACCEL=gpu is not one of cpu, cuda12, cuda13" in bad.stderr
  plan = subprocess.run(["make", "-n", "venv", "ACCEL=cuda12", "VENV=/nonexistent/v"],
                        cwd=idx.REPO_ROOT, capture_output=True, text=True, check=True).stdout
  assert "-r requirements-cuda12.txt" in plan and "/nonexistent/v/.installed-cuda12" in plan
