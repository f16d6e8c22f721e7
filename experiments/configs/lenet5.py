"""LeNet-5 trained as the paper trains it: LeCun et al. 1998, Sections II-B, II-C, III-C, App. C.

    python -m experiments.train --config=experiments/configs/lenet5.py --workdir=runs/lenet5

20 passes over the 60,000 MNIST training patterns, one pattern at a time in a constant random
order, stochastic diagonal Levenberg-Marquardt with the paper's per-pass learning rates, MAP
criterion. Paper: 0.95% test error (Fig. 5, flat after about 10 passes).
Every field is the paper's choice where it makes one, except one departure, optimizer.mu
(configs/lenet5_literal.py restores it; README, deviations), chosen on the validation split
(results/selection/lenet5); where the paper is silent the field's comment says so and the README
lists the assumption. A quick local check: --config.data.train_size=2000 --config.train.passes=2.
"""
from experiments.configs import common


def get_config():
  return common.make(
      "lenet5",
      data=common.data("pad32"),          # 28x28 padded to 32x32 (Section II-B)
      model=dict(
          name="lenet5",
          c3_table="table1",              # Table I; "full" connects every S2 map to every C3 map
          activation="scaled_tanh",       # 1.7159 tanh(2a/3) (App. A); "tanh", "relu"
          pooling="trainable",            # coefficient + bias + f (Sec. II-B); "average", "max"
          output="rbf",                   # fixed +-1 glyph codes (Fig. 3); "softmax": learned head
          rbf_polarity="ink_positive",    # not stated by the paper: ink = +1
          # uniform in +-2.4/F_i (Section III-C); "efficient_backprop": standard deviation
          # F_i^-1/2 (Efficient BackProp, Sec. 4.6, the previous default); "sqrt_fan_in"
          weight_init="fan_in",
          bias_init="zero"),              # not stated by the paper; "uniform": like the weights
      loss=common.loss("map", j=1.0),     # Eq. 9; j not stated by the paper
      # Departure (README): the paper's mu = 0.02 (Eq. 21) saturates the network in pass 1.
      # 0.5: the fewest departures within one seed spread of the lowest validation error
      # (results/selection/lenet5).
      optimizer=common.optimizer("sdlm", mu=0.5),
      train=common.train(passes=20, batch_size=1))
