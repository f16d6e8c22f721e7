"""A JAX/Flax reproduction of LeCun, Bottou, Bengio and Haffner (1998),
"Gradient-Based Learning Applied to Document Recognition"."""
from lenet.platform import configure_xla_flags

configure_xla_flags()  # before anything imports jax's backend
