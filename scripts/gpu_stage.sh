#!/usr/bin/env bash
# Stages, here, what a lent GPU machine needs beside the working tree, in .gpu/ (git-ignored),
# and checks that the tree and .gpu/ together fit the device tool's 64 MiB transfer:
#   .gpu/mnist/    the four MNIST IDX files, gzipped (11 MB instead of 55); scripts/gpu_check.sh
#                  unpacks them there and the loader verifies them by their SHA-256 as usual
#   .gpu/whl/      wheels of our pinned pure-Python packages: ml_collections (not in the GPU
#                  image) and flax, optax, orbax-checkpoint (so that only jax differs from the pins)
#   .gpu/bench/    the PyTorch peer, ../shared/bench/torch_lenet5.py (../shared does not travel)
# Then, through the device tool (see scripts/gpu_check.sh):
#   run(command="scripts/gpu_check.sh", carry=[".gpu"], timeout_s=560)
set -euo pipefail
cd "$(dirname "$0")/.."
LIMIT=$((64 << 20))
DATA=${LENET_DATA_DIR:-data/mnist}
PEER=${PEER:-../shared/bench/torch_lenet5.py}
WHEELS="ml_collections==1.1.0 flax==0.12.8 optax==0.2.8 orbax-checkpoint==0.12.8"

for name in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte \
            t10k-labels-idx1-ubyte; do
  [ -f "$DATA/$name" ] || { echo "gpu_stage: $DATA/$name is missing; run make data" >&2; exit 1; }
done
[ -f "$PEER" ] || { echo "gpu_stage: the PyTorch peer $PEER is missing" >&2; exit 1; }
for w in $WHEELS; do  # the pins of requirements.txt, so that the two cannot drift apart
  grep -q "^${w} " requirements.txt ||
    { echo "gpu_stage: $w is not pinned in requirements.txt" >&2; exit 1; }
done

rm -rf .gpu.partial && mkdir -p .gpu.partial/mnist .gpu.partial/whl .gpu.partial/bench
for f in "$DATA"/*-ubyte; do gzip -9 -n -c "$f" > ".gpu.partial/mnist/$(basename "$f").gz"; done
python3 -m pip download --quiet --no-deps --only-binary=:all: -d .gpu.partial/whl $WHEELS \
  2> >(grep -v '^WARNING: Location' >&2)
cp "$PEER" .gpu.partial/bench/
rm -rf .gpu && mv .gpu.partial .gpu

# What travels: tracked files, untracked files git does not ignore, and the carried .gpu/.
tree=$( (git ls-files -z; git ls-files -z --others --exclude-standard) | xargs -0 cat | wc -c)
staged=$(find .gpu -type f -print0 | xargs -0 cat | wc -c)
total=$((tree + staged))
echo "gpu_stage: working tree $((tree >> 20)) MiB + .gpu $((staged >> 20)) MiB" \
     "= $((total >> 20)) MiB of the 64 MiB a device call carries"
if [ "$total" -gt "$LIMIT" ]; then
  echo "gpu_stage: too large to travel; commit fewer weights (.gitignore) or stage less" >&2
  exit 1
fi
