"""``SimulatedBusiness``: the deterministic MSP behind the sandbox HTTP server (``model.Business``).

The business is a :class:`~sandbox.simulation.timeline.Timeline` of whole lives plus a clock. The
clock (``now``) is the end of the ``as_of`` day in the organisation's time zone, an exclusive bound:
an event is visible when its timestamp is earlier. Views of HubSpot, Xero, ConnectWise PSA and the
truth are built lazily on first use (the PSA only when a PSA request or the truth asks) and cached
for the current clock, because the server asks for the same
collections over and over while paging; ``advance`` extends the timeline and drops the cache.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

from sandbox.connectwise.view import ConnectwiseView
from sandbox.hubspot.catalog import deal_pipelines, owner_payload, property_definitions
from sandbox.hubspot.fx import exchange_rates
from sandbox.hubspot.view import HubspotView
from sandbox.simulation.clock import utc_datetime
from sandbox.simulation.config import SandboxConfig
from sandbox.simulation.ledger import Ledger
from sandbox.simulation.model import Association, HubspotRecord, XeroDocument
from sandbox.simulation.psa import PsaModel
from sandbox.simulation.timeline import HUBSPOT_TYPES, Timeline
from sandbox.simulation.truth import build_truth
from sandbox.xero.view import XeroView


@dataclass
class _Snapshot:
    """Everything derived for one clock; the parts are built on first access."""

    timeline: Timeline
    now_ms: int

    @cached_property
    def hubspot(self) -> HubspotView:
        return HubspotView(self.timeline, self.now_ms)

    @cached_property
    def ledger(self) -> Ledger:
        return Ledger(self.timeline, self.now_ms)

    @cached_property
    def xero(self) -> XeroView:
        return XeroView(self.timeline, self.ledger, self.now_ms)

    @cached_property
    def psa(self) -> PsaModel:
        return PsaModel(self.timeline, self.now_ms)

    @cached_property
    def connectwise(self) -> ConnectwiseView:
        return ConnectwiseView(self.psa)

    @cached_property
    def truth(self) -> dict[str, Any]:
        return build_truth(self.timeline, self.hubspot, self.ledger, self.psa, self.now_ms)


class SimulatedBusiness:
    """A seeded, scalable simulated MSP answering for the instant its clock shows."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self._as_of = config.as_of
        self._timeline = Timeline(config)
        self._lock = threading.Lock()
        self._snapshot: _Snapshot | None = None

    # -- clock -------------------------------------------------------------------------------
    @property
    def _now_ms(self) -> int:
        return self._timeline.calendar.day_start_ms(self._as_of + timedelta(days=1))

    @property
    def now(self) -> datetime:
        """End of the ``as_of`` day in the organisation's time zone, as an aware UTC datetime."""
        return utc_datetime(self._now_ms)

    @property
    def as_of(self) -> date:
        return self._as_of

    @property
    def timezone(self) -> str:
        return self.config.timezone

    def advance(self, days: int) -> None:
        """Move the clock forward ``days`` whole days (new lives are generated, nothing is rewritten)."""
        if days < 0:
            raise ValueError("the sandbox clock only moves forward")
        with self._lock:
            self._as_of += timedelta(days=days)
            self._timeline.extend_to(self._as_of)
            self._snapshot = None

    def _view(self) -> _Snapshot:
        with self._lock:
            if self._snapshot is None:
                self._snapshot = _Snapshot(self._timeline, self._now_ms)
            return self._snapshot

    # -- HubSpot -----------------------------------------------------------------------------
    def hubspot_owners(self) -> Sequence[Mapping[str, Any]]:
        now = self._now_ms
        return [owner_payload(o, now) for o in self._timeline.owners if o.created_ms < now]

    def hubspot_pipelines(self, object_type: str) -> Sequence[Mapping[str, Any]]:
        if object_type not in ("deals", "0-3"):
            raise KeyError(f"no pipelines for object type {object_type!r}")
        return deal_pipelines()

    def hubspot_exchange_rates(self) -> Sequence[Mapping[str, Any]]:
        return exchange_rates(self.config.seed, self._timeline.start_month, self._now_ms)

    def hubspot_properties(self, object_type: str) -> Sequence[Mapping[str, Any]]:
        if object_type not in HUBSPOT_TYPES:
            raise KeyError(f"unknown object type {object_type!r}")
        return property_definitions(object_type)

    def hubspot_records(self, object_type: str) -> Sequence[HubspotRecord]:
        if object_type not in HUBSPOT_TYPES:
            raise KeyError(f"unknown object type {object_type!r}")
        snapshot = self._view()
        with self._lock:
            return snapshot.hubspot.records(object_type)

    def hubspot_associations(self, from_type: str, to_type: str) -> Mapping[int, Sequence[Association]]:
        snapshot = self._view()
        with self._lock:
            return snapshot.hubspot.associations(from_type, to_type)

    # -- Xero --------------------------------------------------------------------------------
    def xero_organisation(self) -> Mapping[str, Any]:
        snapshot = self._view()
        with self._lock:
            return snapshot.xero.organisation()

    def xero_collection(self, collection: str) -> Sequence[XeroDocument]:
        snapshot = self._view()
        with self._lock:
            return snapshot.xero.collection(collection)

    def xero_profit_and_loss(
        self, from_date: date, to_date: date, comparisons: int = 0, months_per_period: int = 1
    ) -> Mapping[str, Any]:
        snapshot = self._view()
        with self._lock:
            return snapshot.xero.profit_and_loss(from_date, to_date, comparisons, months_per_period)

    # -- ConnectWise PSA --------------------------------------------------------------------
    def connectwise_records(self, entity: str) -> Sequence[Mapping[str, Any]]:
        snapshot = self._view()
        with self._lock:
            return snapshot.connectwise.records(entity)

    # -- truth -------------------------------------------------------------------------------
    def truth(self) -> Mapping[str, Any]:
        snapshot = self._view()
        with self._lock:
            return snapshot.truth


def write_truth(config: SandboxConfig, path: str | Path) -> Path:
    """Build the business for ``config`` and write its truth as JSON with sorted keys."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(SimulatedBusiness(config).truth(), sort_keys=True, indent=1) + "\n")
    return target
