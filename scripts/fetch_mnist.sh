#!/usr/bin/env bash
# Puts the four MNIST IDX files, verified by SHA-256, in the data directory
# (default data/mnist, or $LENET_DATA_DIR). Extra arguments go to `python -m lenet.data.fetch`,
# e.g. --from_dir=DIR to copy them from a directory you already have.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
[ -x "$PY" ] || PY=python3
exec "$PY" -m lenet.data.fetch "$@"
