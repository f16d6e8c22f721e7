"""MNIST: IDX files and their verification, fetching, preprocessing, distortions, the training set."""
