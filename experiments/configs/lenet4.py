"""LeNet-4 (Section III-C; paper: 1.1%).

    python -m experiments.train --config=experiments/configs/lenet4.py --workdir=runs/lenet4

C1 4 maps, S2 8 maps (two per C1 map), C3 16, S4 16, C5 120, 10 outputs. The paper gives neither
the input nor the kernel sizes: ours are a 32x32 input (as LeNet-5) and 5x5 kernels with partial
C3 and C5 tables, which give 18,098 parameters and 269,306 connections against "about 17,000"
and "about 260,000" (lenet/models.py; README, assumptions). Trained like LeNet-1 (configs/
lenet1.py): LeNet-5's recipe with the paper's mu, +-1 place-code outputs.
"""
from experiments.configs import lenet1


def get_config():
  c = lenet1.get_config()
  c.network = "lenet4"
  c.data.input_format = "pad32"     # 28x28 padded to 32x32, as LeNet-5 (our choice)
  c.model.name = "lenet4"
  c.model.tables = "lenet4"         # partial C3 and C5 tables (ours); "full"
  return c
