"""A JAX/Flax reproduction of LeCun, Bottou, Bengio and Haffner (1998),
"Gradient-Based Learning Applied to Document Recognition".

    import lenet
    net = lenet.load_run("results/lenet5/seed_0")
    images, labels = lenet.read_mnist("test")
    predicted = net.classify(images)

Packages: nn (layers, networks, losses, counts), optim (SDLM, its curvature), data (MNIST,
preprocessing, distortions, the training set), train (the compiled pass and the training loop),
methods (one module per kind of classifier of Fig. 9); rundir (the run directory), paper (the
paper's numbers), streams (the random streams).
"""
from lenet.platform import configure_matmul_precision
from lenet.platform import configure_xla_flags

configure_xla_flags()  # before anything imports jax's backend
configure_matmul_precision()  # float32 products on GPUs and TPUs too

_PUBLIC = {"load_run": "lenet.public", "read_mnist": "lenet.public",
           "TrainedNetwork": "lenet.public"}


def __getattr__(name):  # the public surface, imported on first use (so `import lenet` is cheap)
  if name in _PUBLIC:
    import importlib  # pylint: disable=g-import-not-at-top
    return getattr(importlib.import_module(_PUBLIC[name]), name)
  raise AttributeError(f"module 'lenet' has no attribute {name!r}")
