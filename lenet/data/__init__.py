"""MNIST: IDX files, their verification and fetching; preprocessing; distortions; training set."""
