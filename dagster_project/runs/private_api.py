"""Shape checks for the few private Dagster and dagster-dbt hooks Milemarker overrides for speed.

A private hook can be renamed or reshaped by any upgrade. Each override is therefore checked
before it is used: the hook must still exist with exactly the shape the override replaces or
calls, otherwise the override is left out and the stock (slower) behaviour runs. An upgrade may
cost a shortcut, never a run.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence


class PrivateApiChanged(Exception):
    """A private hook is gone, or no longer has the shape an override expects."""


def require_method(owner: type, name: str, params: Sequence[str]) -> None:
    """Raise :class:`PrivateApiChanged` unless ``owner.name`` is a function taking exactly ``params``.

    Exactly, not "at least": an override replaces the hook, so a parameter added upstream would
    never reach it.
    """
    found = inspect.getattr_static(owner, name, None)
    if not inspect.isfunction(found):
        raise PrivateApiChanged(f"{owner.__qualname__}.{name} is gone")
    actual = tuple(inspect.signature(found).parameters)
    if actual != tuple(params):
        raise PrivateApiChanged(
            f"{owner.__qualname__}.{name} takes ({', '.join(actual)}), not ({', '.join(params)})"
        )


def require_attribute(owner: type, name: str, kind: type) -> None:
    """Raise :class:`PrivateApiChanged` unless ``owner.name`` is a ``kind`` (e.g. a ``cached_property``),
    looked up without running it."""
    found = inspect.getattr_static(owner, name, None)
    if not isinstance(found, kind):
        raise PrivateApiChanged(f"{owner.__qualname__}.{name} is not a {kind.__name__} any more")
