#!/usr/bin/env bash
# Where a batch-1 training step's time goes (experiments/tools/step_profile.py), for the fully
# connected rows 28x28-300-10 and 28x28-1000-10 and for LeNet-5, in one sitting; run it on an
# idle machine and keep its output (the log lines go to stderr):
#     scripts/step_profile.sh | tee results/speed/step_profile_$(date +%F).txt
set -euo pipefail
cd "$(dirname "$0")/.."
make --no-print-directory venv >&2
echo "# scripts/step_profile.sh, $(date +%F), commit $(git rev-parse --short HEAD)," \
     "cpu=\"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)\" cores=$(nproc)" \
     "jax=$(.venv/bin/python -c 'import jax; print(jax.__version__)')"
for config in mlp300 mlp1000 lenet5; do
  .venv/bin/python -m experiments.tools.step_profile --config="experiments/configs/$config.py"
done
