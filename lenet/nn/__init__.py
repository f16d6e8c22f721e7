"""Fully connected, convolutional, subsampling and RBF layers; LeNet-1, -4, -5; losses; counts."""
