"""Training: the compiled pieces (kernels), pattern orders, the loop (fit), seeds together."""
