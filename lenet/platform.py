"""Process-wide XLA settings, applied once before JAX starts its backend.

jaxlib 0.10.2 can return wrong results on CPU unless the YNN fusion pass is disabled
(jax issues 39103, 39257); disabling it is also faster for LeNet-sized layers. The flag only
concerns the CPU backend, so it is harmless on GPU and TPU.
"""
import os
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
