"""How a sandbox business is configured: the only knobs that change what it contains.

Everything the simulation produces is a pure function of this object (and of ``advance`` calls,
which only move ``as_of``). The default ``as_of`` is the one wall-clock read in the sandbox: it
makes a fresh ``milemarker-sandbox`` look current, while tests pin it for reproducibility.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime


def _today_utc() -> date:
    """Today's date in UTC: the default clock of a sandbox started without an explicit ``as_of``."""
    return datetime.now(UTC).date()


@dataclass(frozen=True)
class SandboxConfig:
    """Seed, size and clock of one simulated business.

    ``scale`` multiplies every volume linearly (1.0 is a ~40-person MSP with ~6 reps);
    ``history_years`` is how far before ``as_of`` the business started trading; ``timezone`` is
    the organisation's IANA zone, used to bucket days and months exactly as the marts do.
    """

    seed: int = 42
    scale: float = 1.0
    as_of: date = field(default_factory=_today_utc)
    history_years: int = 3
    timezone: str = "America/New_York"

    def __post_init__(self) -> None:
        if self.scale <= 0:
            raise ValueError("scale must be positive")
        if self.history_years < 1:
            raise ValueError("history_years must be at least 1")
