#!/usr/bin/env bash
# The runs behind results/<network>/ for the convolutional networks of Fig. 9, JOBS (default 2)
# at a time: each (config, seed) into results/<network>/seed_K (resumable; finished runs are
# skipped), then each network's summary. K-NN and Local adopt the LeNet-4 run of the same seed.
#   scripts/run_fig9.sh [SEEDS=5] [EXPENSIVE_SEEDS=3]
# SEEDS for lenet1, lenet4, lenet4_knn, lenet4_local; EXPENSIVE_SEEDS for lenet5_dist and
# boosted_lenet4 (20 passes over distorted patterns, three networks for the boosted one).
set -euo pipefail
cd "$(dirname "$0")/.."
make --no-print-directory data
seeds=${1:-5}
expensive=${2:-3}
mkdir -p runs/logs
job() {  # network seed [extra flags]; the log goes to runs/logs/
  echo ".venv/bin/python -m experiments.train --config=experiments/configs/$1.py" \
       "--workdir=results/$1/seed_$2 --config.seed=$2 ${3:-} > runs/logs/$1_seed_$2.log 2>&1"
}
{
  # longest first; K-NN and Local last, after every LeNet-4 run has finished
  for s in $(seq 0 $((expensive - 1))); do job boosted_lenet4 "$s"; job lenet5_dist "$s"; done
  for s in $(seq 0 $((seeds - 1))); do job lenet4 "$s"; done
  for s in $(seq 0 $((seeds - 1))); do job lenet1 "$s"; done
  for s in $(seq 0 $((seeds - 1))); do
    for n in lenet4_knn lenet4_local; do
      job "$n" "$s" "--config.neighbors.reuse=results/lenet4/seed_$s"
    done
  done
} | xargs -P "${JOBS:-2}" -I{} bash -c "{} || echo 'FAILED: {}'"
for n in boosted_lenet4 lenet5_dist lenet4 lenet1 lenet4_knn lenet4_local; do
  .venv/bin/python -m experiments.summarize --results="results/$n"
done
