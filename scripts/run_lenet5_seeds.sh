#!/usr/bin/env bash
# The runs behind results/lenet5/: the paper recipe (experiments/configs/lenet5.py) for seeds
# 0..N-1 (default 5), each into results/lenet5/seed_K, resumable, then the summary and plot.
#   scripts/run_lenet5_seeds.sh [NUM_SEEDS]
set -euo pipefail
cd "$(dirname "$0")/.."
make --no-print-directory data
PY=.venv/bin/python
for seed in $(seq 0 $(( ${1:-5} - 1 ))); do
  $PY -m experiments.train --config=experiments/configs/lenet5.py \
      --workdir=results/lenet5/seed_$seed --config.seed=$seed
done
$PY -m experiments.summarize --results=results/lenet5
