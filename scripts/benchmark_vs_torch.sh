#!/usr/bin/env bash
# Training throughput of LeNet-5 (paper recipe: SDLM, MAP, batch B) beside the PyTorch peer
# ../shared/bench/torch_lenet5.py, in one sitting, at batch sizes 1, 32 and 256.
#   scripts/benchmark_vs_torch.sh /path/to/torch-venv/bin/python
# PyTorch is never a dependency of this project: make its environment separately, e.g.
#   python3 -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch==2.13.0 numpy
set -euo pipefail
cd "$(dirname "$0")/.."
TORCH_PY=${1:?usage: $0 TORCH_PYTHON}
PEER=${PEER:-../shared/bench/torch_lenet5.py}
make --no-print-directory venv
for b in ${BATCHES:-1 32 256}; do
  images=$([ "$b" = 1 ] && echo 10000 || echo 60000)
  ours=$(.venv/bin/python -m experiments.tools.benchmark --config=experiments/configs/lenet5.py \
         --config.train.batch_size="$b" --images="$images" 2>/dev/null | tail -1)
  peer=$("$TORCH_PY" "$PEER" --batch "$b" --images "$images" | tail -1)
  echo "batch=$b ours: $ours | torch: $peer"
done
