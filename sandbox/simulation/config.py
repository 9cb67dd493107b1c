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

    ``volume_shifts`` simulates a slowdown or a surge: from each ``(day, factor)`` on (until the
    next shift) new leads arrive at ``factor`` times the normal rate, and with them the prospecting,
    deals and revenue they bring. Days before the first shift are exactly those of the same
    business without shifts, which is what lets a test watch a goal slide off course.
    """

    seed: int = 42
    scale: float = 1.0
    as_of: date = field(default_factory=_today_utc)
    history_years: int = 3
    timezone: str = "America/New_York"
    volume_shifts: tuple[tuple[date, float], ...] = ()

    def __post_init__(self) -> None:
        if self.scale <= 0:
            raise ValueError("scale must be positive")
        if self.history_years < 1:
            raise ValueError("history_years must be at least 1")
        days = [day for day, _ in self.volume_shifts]
        if days != sorted(set(days)):
            raise ValueError("volume_shifts must be in date order, one per day")
        if any(factor < 0 for _, factor in self.volume_shifts):
            raise ValueError("volume_shifts factors must be 0 or more")

    def volume_factor(self, day: date) -> float:
        """How many times the normal rate of new leads arrives on ``day`` (1.0 without shifts)."""
        factor = 1.0
        for start, shift in self.volume_shifts:
            if start > day:
                break
            factor = shift
        return factor
