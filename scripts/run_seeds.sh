#!/usr/bin/env bash
# The runs behind results/NETWORK/: experiments/configs/NETWORK.py for seeds FIRST..NUM-1, each
# into results/NETWORK/seed_K (resumable; finished seeds are skipped), then the summary and plot.
#   scripts/run_seeds.sh NETWORK [NUM_SEEDS=5] [FIRST_SEED=0]
#   e.g. scripts/run_seeds.sh lenet5 5
set -euo pipefail
cd "$(dirname "$0")/.."
network=${1:?usage: scripts/run_seeds.sh NETWORK [NUM_SEEDS] [FIRST_SEED]}
make --no-print-directory data
PY=.venv/bin/python
for seed in $(seq "${3:-0}" $(( ${2:-5} - 1 ))); do
  $PY -m experiments.train --config="experiments/configs/$network.py" \
      --workdir="results/$network/seed_$seed" --config.seed="$seed"
done
$PY -m experiments.summarize --results="results/$network"
