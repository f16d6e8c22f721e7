#!/usr/bin/env python3
"""The PyTorch peer of our fully connected rows (experiments/configs/mlp.py), for training
throughput side by side: 28x28 inputs, fully connected layers of --hidden units with the scaled
tanh 1.7159 tanh(2a/3), 10 outputs (+-1 place codes, squared error), plain SGD, eager, the
machine's default thread count, random inputs (throughput does not depend on the pixels). The
same shape of program as ../shared/bench/torch_lenet5.py. PyTorch is not a dependency of this
project: run it from a separate environment (scripts/benchmark_vs_torch.sh).

    python scripts/bench/torch_mlp.py --hidden 300 --batch 1 --images 10000

Prints one line:  torch-mlp hidden=H batch=B images=N seconds=S img_per_s=R
"""
import argparse
import time

import torch
import torch.nn as nn


def squash(a):
  return 1.7159 * torch.tanh(a * (2.0 / 3.0))


class MLP(nn.Module):
  def __init__(self, hidden):
    super().__init__()
    sizes = [28 * 28, *hidden, 10]
    self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))

  def forward(self, x):
    x = x.flatten(1)
    for layer in self.layers:
      x = squash(layer(x))
    return x


def main():
  p = argparse.ArgumentParser()
  p.add_argument("--hidden", type=int, nargs="+", default=[300])
  p.add_argument("--batch", type=int, default=1)
  p.add_argument("--images", type=int, default=10000)
  p.add_argument("--lr", type=float, default=1e-3)
  a = p.parse_args()
  torch.manual_seed(0)
  x = torch.rand(a.images, 1, 28, 28) * 1.275 - 0.1
  y = torch.randint(0, 10, (a.images,))
  targets = 2.0 * nn.functional.one_hot(y, 10).float() - 1.0  # +-1 place codes
  model = MLP(a.hidden)
  opt = torch.optim.SGD(model.parameters(), lr=a.lr)

  def step(xb, tb):
    opt.zero_grad(set_to_none=True)
    loss = ((model(xb) - tb) ** 2).sum(1).mean()
    loss.backward()
    opt.step()

  n = (a.images // a.batch) * a.batch
  for i in range(0, min(n, 50 * a.batch), a.batch):  # warm-up, not timed
    step(x[i:i + a.batch], targets[i:i + a.batch])
  t = time.perf_counter()
  for i in range(0, n, a.batch):
    step(x[i:i + a.batch], targets[i:i + a.batch])
  dt = time.perf_counter() - t
  hidden = "-".join(map(str, a.hidden))
  print(f"torch-mlp hidden={hidden} batch={a.batch} images={n} seconds={dt:.3f} "
        f"img_per_s={n / dt:.0f}")


if __name__ == "__main__":
  main()
