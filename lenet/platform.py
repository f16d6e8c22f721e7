"""Process-wide XLA settings, applied once before JAX starts its backend.

jaxlib 0.10.2 can return wrong results on CPU unless the YNN fusion pass is disabled
(jax issues 39103, 39257); disabling it is also faster for LeNet-sized layers. The flag only
concerns the CPU backend; the XLA of jaxlib 0.11.2 and of its CUDA plugin know it too.

Dot products and convolutions of float32 are computed in float32 on every backend. JAX's default
lets recent NVIDIA GPUs round their inputs to TF32 (10 bits of mantissa) and TPUs to bfloat16, a
departure from the paper's arithmetic; CPUs compute float32 either way (the same bits, tested).
$JAX_DEFAULT_MATMUL_PRECISION, when set (e.g. tensorfloat32), chooses otherwise: an ablation.
"""
import os
import sys
import warnings

YNN_FIX = "--xla_cpu_experimental_ynn_fusion_type="


def configure_xla_flags() -> None:
  flags = os.environ.get("XLA_FLAGS")
  if flags is None:
    os.environ["XLA_FLAGS"] = YNN_FIX
  elif "xla_cpu_experimental_ynn_fusion_type" not in flags:
    warnings.warn(
        f"XLA_FLAGS is set by the user without {YNN_FIX!r}; jaxlib 0.10.2 may compute wrong "
        "results on CPU (jax issues 39103, 39257).", stacklevel=2)


MATMUL_PRECISION_ENV = "JAX_DEFAULT_MATMUL_PRECISION"


def configure_matmul_precision() -> None:
  if MATMUL_PRECISION_ENV in os.environ:
    return  # the user's choice, which jax reads itself
  os.environ[MATMUL_PRECISION_ENV] = "float32"  # read by jax when it is imported
  if "jax" in sys.modules:  # imported before lenet: it has read its environment already
    sys.modules["jax"].config.update("jax_default_matmul_precision", "float32")
