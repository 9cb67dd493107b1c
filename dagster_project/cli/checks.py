"""One line per check, OK / WARN / FAIL and what to do: the shared output of ``connect`` and ``doctor``.

WARN means a run works but reports less than it could (a missing custom property, an unmapped
stage); FAIL means a run would stop. The exit status is 1 only on a FAIL, so a script can gate on
"usable" without treating every imperfection as an outage.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    OK = "OK"
    WARN = "WARN"
    FAIL = "FAIL"


@dataclass(frozen=True)
class Check:
    """The outcome of one check: what was looked at, what was found, and (unless OK) what to do."""

    status: Status
    name: str
    found: str
    todo: str = ""

    def line(self) -> str:
        todo = f" -> {self.todo}" if self.todo and self.status is not Status.OK else ""
        return f"{self.status.value:<4}  {self.name}: {self.found}{todo}"


def report(checks: Iterable[Check]) -> int:
    """Print every check; 1 if any failed, else 0."""
    checks = list(checks)
    for check in checks:
        print(check.line(), flush=True)
    return 1 if any(check.status is Status.FAIL for check in checks) else 0


def mask(secret: str) -> str:
    """Enough of a secret to tell two apart, never enough to use: ``pat-…(44 chars)``."""
    return f"{secret[:4]}…({len(secret)} chars)" if len(secret) > 8 else "…"
