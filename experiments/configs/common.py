"""What every row's config shares: the infrastructure fields and the assumptions common to all
rows (the distortion ranges). Each row's config (one file per row of Fig. 9) states the fields
that define it: its data format, model, loss, optimizer and training; nothing is inherited from
another row's file except where a row is by definition built on another (K-NN, Local and the
boosted committee on LeNet-4; [dist] LeNet-5 on LeNet-5).

Every field is a config field: override any of them with --config.FIELD=VALUE.
"""
import ml_collections


def data(input_format: str, copies: int = 0) -> ml_collections.ConfigDict:
  d = ml_collections.ConfigDict()
  d.source = "idx"             # "idx": IDX files in data.dir; "tfds": a prepared tfds MNIST
  d.dir = ""                   # "" = $LENET_DATA_DIR or ./data/mnist
  d.checksums = "mnist"        # known digests to verify against; "" for other data sets
  d.input_format = input_format  # "pad32", "center16in28", "raw" (lenet/data/preprocess.py)
  d.validation_size = 0        # patterns held out of the 60,000 for choosing values (a fixed
                               # split, lenet/data/dataset.py); 0 = train on all of them
  d.validation_fold = 0        # which block of that size is held out (0: the split of every
                               # choice; others for a question one split cannot answer)
  d.train_size = 0             # 0 = all 60,000 (Fig. 6 uses 15k and 30k)
  d.tfds_dir = ""
  # Section III-C: random planar affine distortions, on the device (lenet/data/distortions.py).
  # The paper gives no ranges; ours are from the look of Fig. 7 (README, assumptions). copies = 9
  # makes the paper's 60,000 originals + 540,000 distorted copies; 0 = no distortion.
  d.distortion = ml_collections.ConfigDict()
  d.distortion.copies = copies
  d.distortion.seed = -1        # the copies' random stream; -1 = the run's seed
  d.distortion.translate = 2.0  # pixels, horizontal and vertical, uniform in +-
  d.distortion.scale = 0.1      # size factor uniform in 1 +- 0.1
  d.distortion.squeeze = 0.15   # width x q, height / q, q uniform in 1 +- 0.15
  d.distortion.shear = 0.3      # x += shear * y, shear uniform in +-0.3
  d.distortion.range_scale = 1.0  # multiplies the four ranges above (0.5: half, 2.0: double)
  return d


def loss(name: str, j: float = 1.0) -> ml_collections.ConfigDict:
  """name: "map" (Eq. 9), "mle" (Eq. 8), "cross_entropy"; j: Eq. 9's constant (not stated)."""
  return ml_collections.ConfigDict({"name": name, "j": j})


def optimizer(name: str, *, mu: float, schedule: str = "paper", learning_rate: float = 0.0005,
              output_curvature: str = "mle") -> ml_collections.ConfigDict:
  """name: "sdlm" (App. C), "sgd", "adam". schedule: "paper" (eta per pass: 5e-4 x2, 2e-4 x3,
  1e-4 x3, 5e-5 x4, then 1e-5) or "constant" (learning_rate). mu: Eq. 21's constant.
  output_curvature: d2E/dx2 at the outputs, "mle" (2 at an RBF, App. C) or "loss" (the diagonal
  Hessian of the criterion itself)."""
  o = ml_collections.ConfigDict()
  o.name = name
  o.schedule = schedule
  o.learning_rate = learning_rate  # used by schedule="constant"
  o.eta_scale = 1.0                # multiplies every eta (e.g. by the batch size for minibatches)
  o.mu = mu
  o.curvature_samples = 500        # h_kk re-estimated on 500 patterns before each pass
  o.curvature_update = "every_pass"  # the paper; "first_pass": estimated once, kept
  o.output_curvature = output_curvature
  return o


def train(passes: int = 20, batch_size: int = 1, order: str = "fixed") -> ml_collections.ConfigDict:
  t = ml_collections.ConfigDict()
  t.passes = passes
  t.batch_size = batch_size       # 1: one pattern per update, as the paper
  t.order = order                 # "fixed": one constant random order; "reshuffle" every pass
  t.patterns_per_pass = 0         # 0 = the training set's size (60,000 originals); more cycles
                                  # through the order, e.g. Fig. 6's small sets at 60,000 updates
  t.eval_batch_size = 1000
  t.grad_chunk = 64               # minibatches only: gradient computed in chunks of 64 (same
                                  # mean, faster on CPU); 0 = one piece
  return t


def make(network: str, *, data, model: dict, loss, optimizer, train,
         method: str = "network") -> ml_collections.ConfigDict:
  """A row's config. network: the row of Fig. 9 it reproduces (lenet/paper.py); method: how it
  is built (lenet/methods: "network", "boosted", "knn", "local")."""
  c = ml_collections.ConfigDict()
  c.network = network
  c.method = method
  c.seed = 0
  c.data = data
  c.model = ml_collections.ConfigDict(model)
  c.loss = loss
  c.optimizer = optimizer
  c.train = train
  return c


# The SVM rows' fields a config does not change (lenet/methods/svm.py): one machine, libsvm's
# defaults, no reduced set; virtual_copies is read by svm.virtual=distort only.
SVM = dict(pixels="normalized", multiclass="one_vs_one", tolerance=1e-3, cache_mb=2000,
           virtual="none", virtual_copies=4, reduced=0, reduced_steps=0,
           reduced_learning_rate=0.01)


def make_pixels(network: str, *, method: str, input_format: str,
                **sections: dict) -> ml_collections.ConfigDict:
  """A classical row's config (Section III-C): a classifier on the pixels, no network, no
  training recipe. `sections` are the method's own (linear, neighbors, rbf, tangent)."""
  c = ml_collections.ConfigDict()
  c.network = network
  c.method = method
  c.seed = 0  # unused by the deterministic rows; K-means' start for the RBF network
  c.data = data(input_format)
  for name, fields in sections.items():
    c[name] = ml_collections.ConfigDict(fields)
  return c
