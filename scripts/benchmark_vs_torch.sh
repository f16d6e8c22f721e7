#!/usr/bin/env bash
# Training throughput of our rows beside a PyTorch peer of the same shape, in one sitting:
# LeNet-5 (paper recipe: SDLM, MAP) against ../shared/bench/torch_lenet5.py at batch 1, 32 and
# 256, and the MLPs 28x28-300-10 and 28x28-1000-10 (SDLM, place codes) against
# scripts/bench/torch_mlp.py at batch 1. One line per measurement, then the versions.
#   scripts/benchmark_vs_torch.sh /path/to/torch-venv/bin/python | tee results/speed/FILE.txt
# PyTorch is never a dependency of this project: make its environment separately, e.g.
#   python3 -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch==2.13.0 numpy
set -euo pipefail
cd "$(dirname "$0")/.."
TORCH_PY=${1:?usage: $0 TORCH_PYTHON}
PEER=${PEER:-../shared/bench/torch_lenet5.py}
make --no-print-directory venv >&2
ours() {  # CONFIG BATCH IMAGES
  .venv/bin/python -m experiments.tools.benchmark --config="$1" --config.train.batch_size="$2" \
    --images="$3" 2>/dev/null | tail -1
}
for b in ${BATCHES:-1 32 256}; do
  images=$([ "$b" = 1 ] && echo 10000 || echo 60000)
  echo "lenet5 batch=$b ours: $(ours experiments/configs/lenet5.py "$b" "$images")" \
       "| torch: $("$TORCH_PY" "$PEER" --batch "$b" --images "$images" | tail -1)"
done
for hidden in ${MLP_HIDDEN:-300 1000}; do
  echo "mlp$hidden batch=1 ours: $(ours "experiments/configs/mlp$hidden.py" 1 10000)" \
       "| torch: $("$TORCH_PY" scripts/bench/torch_mlp.py --hidden "$hidden" --batch 1 \
                    --images 10000 | tail -1)"
done
echo "commit=$(git rev-parse --short HEAD) cpu=\"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)\"" \
     "cores=$(nproc) jax=$(.venv/bin/python -c 'import jax; print(jax.__version__)')" \
     "torch=$("$TORCH_PY" -c 'import torch; print(torch.__version__)')"
