"""State and random draws shared by every timeline generator.

The generators live in separate mixin modules but mutate one object; declaring its attributes once
here (assigned by ``core.Timeline.__init__``) gives every mixin the same typed view of that state.
The draw helpers are shared because several generators use them, and they must stay identical
for the simulation to reproduce the same business from the same seed.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from datetime import date

from sandbox.simulation.clock import DAY_MS, OrgCalendar
from sandbox.simulation.config import SandboxConfig
from sandbox.simulation.entities import Client, CrmRecord, DealFact, LeadFact, LedgerDoc, Owner, Recurring
from sandbox.simulation.params import ANNUAL_GROWTH

HUBSPOT_TYPES = ("contacts", "companies", "deals", "calls", "emails", "meetings", "tasks")
ASSOCIATION_PAIRS = (
    ("contacts", "companies"),
    ("deals", "companies"),
    ("deals", "contacts"),
    ("calls", "contacts"),
    ("emails", "contacts"),
    ("meetings", "contacts"),
    ("tasks", "contacts"),
)
"""Association directions stored by the timeline; the view serves the reverse ones too."""

HOUR = 3_600_000
MINUTE = 60_000


def business_start(config: SandboxConfig) -> date:
    """First day of the simulated history: 1 January, ``history_years`` years before ``as_of``'s year.

    Anchoring on a year boundary (not on ``as_of`` itself) is what lets a clock advanced from D
    agree exactly with a business built at D+n: both start on the same day as long as D and D+n
    fall in the same calendar year.
    """
    return date(config.as_of.year - config.history_years, 1, 1)


def lag_ms(rng: random.Random, mean_days: float) -> int:
    """A positive delay with the given mean (gamma, shape 2: rarely instant, occasionally long)."""
    return max(MINUTE, int(rng.gammavariate(2.0, mean_days / 2.0) * DAY_MS))


def poisson(rng: random.Random, lam: float) -> int:
    """Poisson draw: Knuth for small means, rounded normal for large ones (scale 20+ days)."""
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


class TimelineState:
    """The lists and settings every generator reads or appends to; see the module docstring."""

    seed: int
    scale: float
    volume_factor: Callable[[date], float]
    start: date
    start_month: int
    calendar: OrgCalendar
    records: dict[str, list[CrmRecord]]
    _fields: dict[str, dict[str, int]]
    associations: dict[tuple[str, str], list[tuple[int, int]]]
    owners: list[Owner]
    _disposition_weights: dict[int, list[float]]
    clients: list[Client]
    recurring: list[Recurring]
    docs: list[LedgerDoc]
    deal_facts: list[DealFact]
    lead_facts: list[LeadFact]
    generated_through: date

    def growth(self, day: date) -> float:
        """Business size multiplier relative to the start (compounding ``ANNUAL_GROWTH``)."""
        return (1 + ANNUAL_GROWTH) ** ((day - self.start).days / 365.25)
