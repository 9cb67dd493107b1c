"""The records the simulated business exposes, in vendor-neutral containers the HTTP layer serves.

This module is the contract between the simulation (``sandbox.simulation.business``) and the HTTP
server (``sandbox.service.server`` and its HubSpot/Xero route modules). The simulation decides
*what* exists at the sandbox clock; the server decides *how* it is paged, filtered and encoded.

Everything here is plain data: no I/O, no clock reads. A ``Business`` answers for the instant its
clock shows (``Business.now``); advancing the clock replaces what it answers, never mutates a
record a caller already holds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class PropertyChange:
    """One entry of HubSpot's ``propertiesWithHistory`` list (newest first when served)."""

    value: str | None
    timestamp: datetime  # UTC, aware
    source_type: str = "CRM_UI"
    updated_by_user_id: int | None = None


@dataclass(frozen=True, slots=True)
class HubspotRecord:
    """A HubSpot CRM object as of the sandbox clock.

    ``properties`` holds every property value *as HubSpot serves it*: strings (numbers, booleans and
    datetimes included) or ``None``. Datetime-valued properties use ISO-8601 UTC with milliseconds
    and a ``Z`` (``2024-05-01T10:00:00.123Z``); date-valued ones ``YYYY-MM-DD``. ``history`` holds the
    full change list for the properties HubSpot can return with history (at least ``dealstage`` on
    deals and ``lifecyclestage`` on contacts), oldest first.
    """

    id: int
    created_at: datetime
    updated_at: datetime
    properties: Mapping[str, str | None]
    archived: bool = False
    archived_at: datetime | None = None
    history: Mapping[str, Sequence[PropertyChange]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Association:
    """A directed HubSpot association edge (v4 shape: HUBSPOT_DEFINED category + type id)."""

    to_id: int
    type_id: int
    label: str | None = None


@dataclass(frozen=True, slots=True)
class XeroDocument:
    """A Xero resource as of the sandbox clock, already in the API's JSON shape.

    ``body`` is the exact mapping the Accounting API returns for one element of the collection
    (``Invoices[i]``, ``Contacts[i]``...), with ``/Date(ms+0000)/`` strings for dates and
    ``UpdatedDateUTC``. ``updated_at`` repeats ``UpdatedDateUTC`` as a datetime so the server can
    apply ``If-Modified-Since`` and ``order=UpdatedDateUTC`` without parsing.
    """

    id: str  # the resource's GUID (InvoiceID, ContactID, AccountID...)
    updated_at: datetime
    body: Mapping[str, Any]


class Business(Protocol):
    """What the HTTP server needs from the simulation. Implemented by ``business.SimulatedBusiness``."""

    @property
    def now(self) -> datetime:
        """The sandbox clock (UTC, aware). Nothing later than this is visible; served as ``Date``."""

    @property
    def as_of(self) -> date:
        """The business's current calendar day in its own time zone."""

    @property
    def timezone(self) -> str:
        """IANA time zone of the organisation (e.g. ``America/New_York``)."""

    def advance(self, days: int) -> None:
        """Move the clock forward: new and changed records, archives, voids appear."""

    # -- HubSpot -----------------------------------------------------------------------------
    def hubspot_owners(self) -> Sequence[Mapping[str, Any]]:
        """Owners exactly as ``GET /crm/v3/owners`` returns them (``results`` elements)."""

    def hubspot_pipelines(self, object_type: str) -> Sequence[Mapping[str, Any]]:
        """Pipelines exactly as ``GET /crm/v3/pipelines/{object_type}`` returns them."""

    def hubspot_exchange_rates(self) -> Sequence[Mapping[str, Any]]:
        """Rates as ``GET /settings/v3/currencies/exchange-rates`` returns them (``results`` elements)."""

    def hubspot_properties(self, object_type: str) -> Sequence[Mapping[str, Any]]:
        """Property definitions as ``GET /crm/v3/properties/{object_type}`` returns them."""

    def hubspot_records(self, object_type: str) -> Sequence[HubspotRecord]:
        """Every record of the type that exists at ``now``, live and archived, sorted by ``id``.

        ``object_type`` is one of contacts, companies, deals, calls, emails, meetings, tasks.
        """

    def hubspot_associations(self, from_type: str, to_type: str) -> Mapping[int, Sequence[Association]]:
        """Association edges from each live record of ``from_type`` to ``to_type``."""

    # -- Xero --------------------------------------------------------------------------------
    def xero_organisation(self) -> Mapping[str, Any]:
        """The ``Organisations[0]`` element (name, base currency, timezone, financial year end)."""

    def xero_collection(self, collection: str) -> Sequence[XeroDocument]:
        """Every document of a collection at ``now`` (deleted and voided included), sorted by id.

        ``collection`` is the API's path segment: Accounts, Contacts, Invoices, CreditNotes, Payments,
        BankTransactions, Items, RepeatingInvoices, TrackingCategories, Currencies.
        """

    def xero_profit_and_loss(
        self, from_date: date, to_date: date, comparisons: int = 0, months_per_period: int = 1
    ) -> Mapping[str, Any]:
        """The ``Reports[0]`` element of ``GET /Reports/ProfitAndLoss`` for the range (accrual basis),
        with ``comparisons`` earlier periods ``months_per_period`` months apart."""

    # -- ConnectWise PSA ----------------------------------------------------------------------
    def connectwise_records(self, entity: str) -> Sequence[Mapping[str, Any]]:
        """Every record of a PSA entity at ``now`` in the API's JSON shape, sorted by ``id``.

        ``entity`` is one of ``sandbox.connectwise.view.ENTITIES`` (time_entries, members,
        agreements, additions, agreement_types, companies, tickets, projects, work_roles,
        work_types). Null fields are absent; ``_info`` carries ``lastUpdated``/``dateEntered``
        strings (``yyyy-MM-ddTHH:mm:ssZ``); hard-deleted records are simply absent.
        """

    # -- Ground truth ------------------------------------------------------------------------
    def truth(self) -> Mapping[str, Any]:
        """Parameters and realised totals at ``now`` (JSON-serialisable, deterministic)."""
