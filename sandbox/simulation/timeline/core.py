"""``Timeline``: the generator mixins composed into one object, and the loop that drives them.

The only module that assigns the shared state (declared in ``base``) and walks origin days.
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import accumulate

from sandbox.simulation.clock import OrgCalendar, month_index
from sandbox.simulation.config import SandboxConfig
from sandbox.simulation.params import CALL_DISPOSITIONS
from sandbox.simulation.timeline.base import ASSOCIATION_PAIRS, HUBSPOT_TYPES, business_start
from sandbox.simulation.timeline.leads import LeadsMixin


class Timeline(LeadsMixin):
    """All lives generated so far, in append-only lists; see the package docstring."""

    def __init__(self, config: SandboxConfig) -> None:
        self.seed = config.seed
        self.scale = config.scale
        self.volume_factor = config.volume_factor
        self.start = business_start(config)
        self.start_month = month_index(self.start)
        self.calendar = OrgCalendar(config.timezone, self.start - timedelta(days=60), config.as_of)
        self.records = {t: [] for t in HUBSPOT_TYPES}
        self._fields = {}
        self.associations = {p: [] for p in ASSOCIATION_PAIRS}
        self.owners = self._owners()
        self._disposition_weights = {
            o.index: list(
                accumulate(
                    w * (o.connect_skill if label == "Connected" else 1.0)
                    for label, _, _, w in CALL_DISPOSITIONS
                )
            )
            for o in self.owners
        }
        self.clients = []
        self.recurring = []
        self.docs = []
        self.deal_facts = []
        self.lead_facts = []
        self.generated_through = self.start - timedelta(days=1)
        self.extend_to(config.as_of)

    def extend_to(self, last_day: date) -> None:
        """Generate every origin day up to ``last_day`` (inclusive), in order."""
        day = self.generated_through + timedelta(days=1)
        while day <= last_day:
            if day == self.start:
                self._opening_book(day)
            self._leads_of(day)
            day += timedelta(days=1)
        self.generated_through = max(self.generated_through, last_day)
