"""The errors a user can fix, each reported by the launchers as one line (experiments/cli.py)."""
from __future__ import annotations

import contextlib


class ConfigError(ValueError):
  """A config field has an unknown or out-of-range value; the message names the field."""


class WorkdirConflict(ValueError):
  """A run directory holds a run of another config."""


@contextlib.contextmanager
def config_checks():
  """Turns the ValueErrors that checks of a config raise into ConfigErrors, and a block the
  method reads but the config lacks (ml_collections' AttributeError) into one naming it."""
  try:
    yield
  except ConfigError:
    raise
  except (ValueError, KeyError) as e:
    raise ConfigError(str(e).strip("'\"")) from e
  except AttributeError as e:
    field = str(e).strip("'\"")
    raise ConfigError(f"the config has no field {field!r}, which its method reads") from e
