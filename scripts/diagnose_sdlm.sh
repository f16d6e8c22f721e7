#!/usr/bin/env bash
# The SDLM diagnosis behind the README's account of mu = 0.02, written to results/diagnose_sdlm/
# (about 5 minutes on 2 cores): LeNet-5, seed 0, 2 passes with mu = 0.02, once with our init and
# once with the paper's; for each, its metrics.jsonl and diagnose_sdlm at initialization and after
# pass 1 (saturation per layer, h_kk, the largest step eta/(mu+h)).
#
#     scripts/diagnose_sdlm.sh            (PY=path/to/python to use another interpreter)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
OUT=results/diagnose_sdlm
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"

diagnose() {  # name, config overrides...
  local name=$1; shift
  "$PY" -m experiments.train --config=experiments/configs/lenet5.py --workdir="$WORK/$name" \
      --config.train.passes=2 --config.seed=0 "$@" > /dev/null
  cp "$WORK/$name/metrics.jsonl" "$OUT/$name.metrics.jsonl"
  for pass in 0 1; do
    { echo "# experiments.tools.diagnose_sdlm --after_pass=$pass of lenet5 $* --config.train.passes=2"
      echo "# (seed 0, commit $(git rev-parse --short=12 HEAD))"
      "$PY" -m experiments.tools.diagnose_sdlm --workdir="$WORK/$name" --after_pass=$pass
    } > "$OUT/$name.after_pass_$pass.txt"
  done
}

diagnose "weight_init=efficient_backprop,mu=0.02" \
    --config.model.weight_init=efficient_backprop --config.optimizer.mu=0.02
diagnose "weight_init=fan_in,mu=0.02" --config.model.weight_init=fan_in --config.optimizer.mu=0.02
ls "$OUT"
