"""A config field named by its dotted path (`optimizer.mu`), in an ml_collections ConfigDict or
the dict of a recorded config.json: the one place that walks the path."""
from __future__ import annotations

MISSING = object()


def get(config, dotted: str, default=MISSING):
  """The field's value; `default` where the config lacks it (KeyError naming it if no default)."""
  node = config
  for key in dotted.split("."):
    if not hasattr(node, "keys") or key not in node:
      if default is MISSING:
        raise KeyError(f"unknown config field {dotted!r}")
      return default
    node = node[key]
  return node


def parent(config, dotted: str):
  """(the section holding the field, the field's last name); KeyError naming it if the config
  lacks the field."""
  *path, last = dotted.split(".")
  node = get(config, ".".join(path)) if path else config
  if not hasattr(node, "keys") or last not in node:
    raise KeyError(f"unknown config field {dotted!r}")
  return node, last
