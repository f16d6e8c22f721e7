#!/usr/bin/env bash
# Issue 17's GPU checks in one call on a lent machine, within BUDGET_S seconds (default 520).
# Here, first: scripts/gpu_stage.sh; then, through the device tool:
#   run(command="scripts/gpu_check.sh", carry=[".gpu"], timeout_s=560)
# It uses the machine's own python3 and jax (the image's jax with its CUDA plugin), with our
# pinned flax, optax, orbax-checkpoint and ml_collections from .gpu/whl. Steps, in this order,
# each skipped when less time is left than it needs (STEPS picks some):
#   env     GPU, driver, versions; LeNet-5's penalties with and without lenet/platform.py's
#           CPU-only XLA flag, which must be identical on the GPU           -> $OUT/env.txt
#   speed   training images/s of ours at batch 1, 32, 256, and seeds vmapped at batch 1;
#           where a batch-1 step's time goes (experiments.tools.step_profile) -> $OUT/speed.txt
#   torch   the peer on the same GPU, eager and compiled, batch 1, 32, 256  -> $OUT/torch.txt
#   variants  ours at batch 1 under XLA command-buffer settings (CUDA graphs), and with TF32
#           products instead of float32 at batch 1 and 256              -> $OUT/speed.txt
#   many    (only when STEPS names it) SEEDS=100 seeds of LeNet-5 vmapped, one whole pass, through
#           the sweep launcher: per-pass time, evaluation and checkpoints included -> $OUT/many.txt
#   tests   the test suite's fast subset (not mnist, not slow)              -> $OUT/tests.txt
#   lenet5  LeNet-5 seed 0, the paper's recipe, PASSES passes (default 20), beside the committed
#           CPU run pass by pass (experiments.tools.compare_runs), in the time left
#                                                         -> $OUT/lenet5.txt, lenet5_metrics.jsonl
# SMOKE=1 runs each step on this machine's CPU with tiny sizes, to check the script itself.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/gpu_check}
mkdir -p "$OUT"
export END=$(($(date +%s) + ${BUDGET_S:-520}))
STEPS=${STEPS:-env speed torch variants tests lenet5}
export PY=${PY:-python3} SMOKE=${SMOKE:-0}
export TORCH_PY=${TORCH_PY:-$PY} DEVICE=cuda
if [ "$SMOKE" = 1 ]; then
  export JAX_PLATFORMS=cpu DEVICE=cpu
fi

if [ -d .gpu/whl ] && [ -z "${SMOKE_KEEP_SITE:-}" ]; then
  "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/lenet_site .gpu/whl/*.whl || exit 1
  export PYTHONPATH=/tmp/lenet_site
fi
mkdir -p /tmp/lenet_mnist
for f in .gpu/mnist/*.gz; do gunzip -c "$f" > "/tmp/lenet_mnist/$(basename "$f" .gz)"; done
export LENET_DATA_DIR=/tmp/lenet_mnist PYTHONUNBUFFERED=1

left() { echo $((END - $(date +%s))); }
# step NAME NEEDED_S CAP_S FILE FUNCTION: FUNCTION's output into $OUT/FILE, cut off after CAP_S
# or at the budget's end; skipped when less than NEEDED_S is left.
step() {
  local name=$1 needed=$2 cap=$3 file=$4 fn=$5
  if [[ " $STEPS " != *" $name "* ]]; then return; fi
  if [ "$(left)" -lt "$needed" ]; then
    echo "# $name skipped: $(left) s left, it needs $needed" | tee -a "$OUT/$file"
    return
  fi
  local t0 limit
  t0=$(date +%s) limit=$(left)
  [ "$limit" -gt "$cap" ] && limit=$cap
  timeout "$limit" bash -c "$fn" >> "$OUT/$file" 2>&1
  echo "# $name: rc=$? in $(($(date +%s) - t0)) s" | tee -a "$OUT/$file"
}

bench() {  # CONFIG BATCH IMAGES [SEEDS]: our training throughput, the tool's last line
  echo "ours config=$1 batch=$2 images=$3 seeds=${4:-1}" \
       "$("$PY" -m experiments.tools.benchmark --config="experiments/configs/$1.py" \
           --config.train.batch_size="$2" --images="$3" --seeds="${4:-1}" --repeats=2 \
           2>&1 | tail -1)"
}

peer() {  # BATCH IMAGES [--compile]
  "$TORCH_PY" .gpu/bench/torch_lenet5.py --device "$DEVICE" --batch "$1" --images "$2" "${@:3}" \
    2>&1 | tail -1
}

env_report() {
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1 || true
  "$PY" - <<'EOF'
import importlib.metadata as md, platform
for p in ("jax", "jaxlib", "jax-cuda13-plugin", "jax-cuda12-plugin", "flax", "optax",
          "orbax-checkpoint", "ml_collections", "numpy", "torch"):
  try:
    print(f"{p}=={md.version(p)}")
  except md.PackageNotFoundError:
    print(f"{p}: not installed")
print("python", platform.python_version())
EOF
  # The same penalties with lenet/platform.py's flag (set on import) and without it (XLA_FLAGS
  # set empty, which lenet leaves alone with a warning).
  local probe='import sys, numpy as np, jax, jax.numpy as jnp, lenet
from experiments.configs import lenet5
from lenet.nn import models
from lenet.train import kernels
model = models.build(lenet5.get_config().model, seed=0)
fns, params = kernels.ModelFns.split(model)
x = jax.random.uniform(jax.random.PRNGKey(1), (1000, *model.input_shape), minval=-0.1,
                       maxval=1.175)
np.save(sys.argv[1], np.asarray(jax.jit(fns.penalties)(params, x)))
print("backend", jax.default_backend(), jax.devices(), "matmul precision",
      jax.config.jax_default_matmul_precision,
      "XLA_FLAGS=%r" % __import__("os").environ["XLA_FLAGS"])'
  "$PY" -c "$probe" /tmp/with_flag.npy && XLA_FLAGS= "$PY" -c "$probe" /tmp/without_flag.npy &&
    "$PY" -c 'import numpy as np
a, b = np.load("/tmp/with_flag.npy"), np.load("/tmp/without_flag.npy")
print("penalties with and without the CPU-only flag: identical" if (a == b).all() else
      f"penalties DIFFER: max |diff| {abs(a - b).max()}")'
}

speed() {
  local n1=5000 n=60000 ns=2000
  [ "$SMOKE" = 1 ] && n1=200 n=512 ns=50
  for b in 1 32 256; do bench lenet5 "$b" "$([ "$b" = 1 ] && echo $n1 || echo $n)"; done
  for s in 8 100; do bench lenet5 1 "$ns" "$s"; done
  "$PY" -m experiments.tools.step_profile --config=experiments/configs/lenet5.py \
    --steps="$([ "$SMOKE" = 1 ] && echo 50 || echo 2000)" 2>&1 | grep -v '^[IW]'
}

variants() {  # batch 1 under XLA's command buffers (CUDA graphs): none, more, loops unrolled
  local n1=5000 cb="--xla_gpu_graph_min_graph_size=1 --xla_gpu_enable_command_buffer"
  local all=FUSION,CUBLAS,CUBLASLT,CUSTOM_CALL,CUDNN,WHILE,CONDITIONAL
  [ "$SMOKE" = 1 ] && n1=200
  for flags in "--xla_gpu_enable_command_buffer=" "$cb=$all" \
               "$cb=$all --xla_gpu_command_buffer_unroll_loops=true"; do
    echo "XLA_FLAGS+=$flags:" \
         "$(XLA_FLAGS="--xla_cpu_experimental_ynn_fusion_type= $flags" bench lenet5 1 $n1)"
  done
  local n256=60000
  [ "$SMOKE" = 1 ] && n256=512
  for bn in "1 $n1" "256 $n256"; do  # what float32 products cost against TF32 (lenet/platform.py)
    echo "JAX_DEFAULT_MATMUL_PRECISION=tensorfloat32:" \
         "$(JAX_DEFAULT_MATMUL_PRECISION=tensorfloat32 bench lenet5 $bn)"
  done
}

torch_peer() {
  local n1=5000 n=60000
  [ "$SMOKE" = 1 ] && n1=100 n=512
  for b in 1 32 256; do peer "$b" "$([ "$b" = 1 ] && echo $n1 || echo $n)"; done
  [ "$DEVICE" = cuda ] || return 0  # --compile's CUDA graphs need a GPU
  for b in 1 32 256; do peer "$b" "$([ "$b" = 1 ] && echo $n1 || echo $n)" --compile; done
}

lenet5() {  # leaves 30 s of the budget to set the passes done beside the CPU run
  local passes=${PASSES:-20} extra=()
  [ "$SMOKE" = 1 ] && passes=1 extra=(--config.train.patterns_per_pass=500)
  rm -rf /tmp/lenet5_gpu
  timeout $(($(left) - 30)) "$PY" -m experiments.train --config=experiments/configs/lenet5.py \
    --workdir=/tmp/lenet5_gpu --config.train.passes="$passes" "${extra[@]}" 2>&1 |
    grep -E 'pass +[0-9]+/|Error|error:'
  "$PY" -m experiments.tools.compare_runs --run=/tmp/lenet5_gpu --reference=results/lenet5/seed_0
}

many() {  # 100 seeds of LeNet-5 vmapped, one whole pass each: the 100-seed target's pass time
  local extra=()
  [ "$SMOKE" = 1 ] && extra=(--override=train.patterns_per_pass=200 --override=data.train_size=1000)
  rm -rf /tmp/many
  "$PY" -m experiments.sweep --sweep=paper --only=lenet5 --seeds="${SEEDS:-100}" \
    --vmap_seeds=true --override=train.passes=1 "${extra[@]}" --results=/tmp/many 2>&1 |
    grep -E 'seed_0 pass|seed_0:|Error|error:'
}

fast_tests() {
  local which=(tests)
  [ "$SMOKE" = 1 ] && which=(tests/test_fields.py)
  "$PY" -m pytest -q -p no:cacheprovider -m "not mnist and not slow" "${which[@]}" 2>&1 | tail -40
}

export -f left bench peer env_report speed variants torch_peer many lenet5 fast_tests
step env 60 90 env.txt env_report
step speed 150 200 speed.txt speed
step torch 120 200 torch.txt torch_peer
step variants 60 100 speed.txt variants
step many 90 240 many.txt many
step tests 60 120 tests.txt fast_tests
step lenet5 90 600 lenet5.txt lenet5
cp -r /tmp/lenet5_gpu/metrics.jsonl "$OUT/lenet5_metrics.jsonl" 2>/dev/null
echo "# gpu_check: done in $SECONDS s; files in $OUT"
