#!/usr/bin/env bash
# SDLM's step sizes after pass 1 of LeNet-5's default recipe on the validation split (the
# selection candidates' data), for mu = 0.2, 0.5 and 1.0, written to results/sdlm/ (about 4
# minutes on 2 cores): per mu, the diagnose_sdlm table, the quantiles (JSON) and one histogram
# per layer (PNG). Each JSON's median_step_over_eta is the eta_scale that the sweep `sdlm` gives
# plain SGD to match SDLM's median step (experiments/sweeps.py, SGD_MATCHING_SDLM).
#
#     scripts/sdlm_steps.sh            (PY=path/to/python to use another interpreter)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
OUT=results/sdlm
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"

for mu in 0.2 0.5 1.0; do
  name="mu=$mu"
  "$PY" -m experiments.train --config=experiments/configs/lenet5.py --workdir="$WORK/$name" \
      --config.data.validation_size=10000 --config.optimizer.mu=$mu --config.train.passes=1 \
      --config.seed=0 > /dev/null
  { echo "# experiments.tools.diagnose_sdlm --after_pass=1 of lenet5 --config.optimizer.mu=$mu"
    echo "#   --config.data.validation_size=10000 --config.train.passes=1"
    echo "# (seed 0, commit $(git rev-parse --short=12 HEAD))"
    "$PY" -m experiments.tools.diagnose_sdlm --workdir="$WORK/$name" --after_pass=1 \
        --json="$OUT/$name.after_pass_1.json" --histogram="$OUT/$name.after_pass_1.png"
  } > "$OUT/$name.after_pass_1.txt"
done
ls "$OUT"
