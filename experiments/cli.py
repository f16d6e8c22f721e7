"""What every launcher shares: flags parsed, and a user's mistake reported as one line.

An unknown config field (`--config.foo=1`), a bad value (`--config.model.pooling=median`),
missing or corrupt data, or a run directory that holds another config: one line on stderr that
names the cause, exit status 2 (flags) or 1 (the rest), no traceback, nothing written.
"""
from __future__ import annotations

import sys

from absl import app
from absl import flags

from lenet import errors
from lenet.data import idx

USER_ERRORS = (errors.ConfigError, errors.WorkdirConflict, idx.DataError)


def fail(message: str, status: int = 1):
  print(f"error: {' '.join(str(message).split())}", file=sys.stderr)
  sys.exit(status)


def _unknown_field(argv, error: Exception) -> str:
  """The --config.X flags whose last part is the field ml_collections did not find."""
  while error.__cause__ is not None or error.__context__ is not None:
    error = error.__cause__ or error.__context__
  field = str(error).strip("'\"").split("'")[0]
  given = [a.split("=", 1)[0] for a in argv if a.startswith("--config.")]
  named = [a for a in given if a.rsplit(".", 1)[-1] == field] or given
  return (f"unknown config field {', '.join(named)}: the config has no {field!r} there (its "
          "fields are in the config file)")


def parse_flags(argv):
  try:
    return flags.FLAGS(argv)
  except (AttributeError, KeyError) as e:  # ml_collections: a --config.X that the config lacks
    fail(_unknown_field(argv, e), 2)
  except flags.Error as e:
    fail(str(e), 2)


def run(main) -> None:
  """app.run(main), with the user's mistakes as one line each."""
  def guarded(argv):
    try:
      return main(argv)
    except USER_ERRORS as e:
      fail(str(e))
  app.run(guarded, flags_parser=parse_flags)
