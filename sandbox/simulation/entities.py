"""Compact internal records of the simulation: whole lives, not snapshots.

A HubSpot record is stored once with its initial values and the list of later changes; a Xero
document with its status transitions. The views (``hubspot_view``, ``xero_view``) cut these lives
at the clock. Nothing here is mutated after generation except by appending (``advance`` only adds
new lives), so a view can be rebuilt for any later clock without regenerating history.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any


def status_as_of(events: list[tuple[int, str]], now_ms: int) -> tuple[str, int]:
    """The latest ``(ms, status)`` event before ``now_ms`` as ``(status, ms)``; the first event
    (the creation) when none is, as a document is asked about only once it exists."""
    status, at = events[0][1], events[0][0]
    for ms, value in events:
        if ms >= now_ms:
            break
        status, at = value, ms
    return status, at


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference to another HubSpot record by type and serial; served as that record's id."""

    object_type: str
    serial: int


@dataclass(frozen=True, slots=True)
class RefList:
    """Several references served as HubSpot serves multi-ids (``hs_merged_object_ids``): ``;``-joined."""

    refs: tuple[Ref, ...]


@dataclass(slots=True)
class CrmRecord:
    """One HubSpot record over its whole life, stored compactly.

    ``serial`` is the generation order within its type (stable across clocks); the served id is
    derived from creation time and serial by the view. ``values`` are the properties at creation
    (strings, ``Ref``/``RefList`` or ``None``) in the order of ``fields``, a name -> position map
    shared by every record of the type (a tuple per record instead of a dict: a million records
    fit in half the memory). ``changes`` are ``(ms, property, value)`` in time order.
    """

    serial: int
    created_ms: int
    fields: Mapping[str, int]
    values: tuple[Any, ...]
    changes: list[tuple[int, str, Any]] | tuple[()] = ()
    archived_ms: int | None = None

    def get(self, name: str) -> Any:
        """A property's value at creation."""
        return self.values[self.fields[name]]

    def change(self, ms: int, name: str, value: Any) -> None:
        """Schedule a property change (kept sorted: generators may append out of order)."""
        if not self.changes:
            self.changes = []
        changes = self.changes
        assert isinstance(changes, list)
        changes.append((ms, name, value))
        if len(changes) > 1 and changes[-2][0] > ms:
            changes.sort(key=lambda c: c[0])


@dataclass(frozen=True, slots=True)
class Owner:
    """A HubSpot owner (sales rep): ``id`` and ``user_id`` are different numbers, as in HubSpot."""

    index: int
    id: int
    user_id: int
    first_name: str
    last_name: str
    email: str
    created_ms: int
    archived_ms: int | None
    lead_weight: float
    activity_level: float
    connect_skill: float


@dataclass(frozen=True, slots=True)
class Line:
    """One Xero line item, amounts in the document's currency, exclusive of tax.

    ``line_amount`` and ``tax_amount`` are computed once (rounded to cents as Xero stores them):
    every view and the truth read them many times.
    """

    item_code: str | None
    description: str
    quantity: float
    unit_amount: float
    account_code: str
    service_line: str | None
    client_option: str | None
    tax_rate: float
    line_amount: float = field(init=False)
    tax_amount: float = field(init=False)

    def __post_init__(self) -> None:
        amount = round(self.quantity * self.unit_amount, 2)
        object.__setattr__(self, "line_amount", amount)
        object.__setattr__(self, "tax_amount", round(amount * self.tax_rate, 2))


@dataclass(slots=True)
class LedgerDoc:
    """A Xero invoice, bill, credit note or bank transaction over its life.

    ``events`` are ``(ms, status)`` transitions, the first one being the creation. ``paid_ms``
    (when set) is the instant the single full payment is recorded, ``paid_on`` its local date.
    """

    key: tuple[Any, ...]
    kind: str  # ACCREC, ACCPAY, ACCRECCREDIT, SPEND
    contact_key: tuple[Any, ...]
    day: date
    due: date | None
    lines: tuple[Line, ...]
    currency: str
    rate: float
    events: list[tuple[int, str]]
    reference: str = ""
    repeating_key: tuple[Any, ...] | None = None
    paid_ms: int | None = None
    paid_on: date | None = None

    @property
    def created_ms(self) -> int:
        return self.events[0][0]

    @property
    def sub_total(self) -> float:
        return round(sum(line.line_amount for line in self.lines), 2)

    @property
    def total_tax(self) -> float:
        return round(sum(line.tax_amount for line in self.lines), 2)

    def status_at(self, now_ms: int) -> tuple[str, int]:
        """The status and the instant it was set, as of ``now_ms`` (creation must precede it)."""
        status, at = status_as_of(self.events, now_ms)
        if self.paid_ms is not None and self.paid_ms < now_ms and status == "AUTHORISED":
            return "PAID", max(at, self.paid_ms)
        return status, at


@dataclass(slots=True)
class Client:
    """A won client as the accounts know it: a Xero contact plus its billing life."""

    serial: int
    company_serial: int
    name: str
    email: str
    currency: str
    created_ms: int
    start_month: int
    churn_month: int | None  # first month without recurring billing; None: never churns
    churn_notice_ms: int | None
    archived_ms: int | None
    match_kind: str  # exact_name | fuzzy_name | id_only
    seats: int
    lead_source: str | None

    @property
    def key(self) -> tuple[str, int]:
        return ("client", self.serial)


@dataclass(slots=True)
class Recurring:
    """A Xero RepeatingInvoice template: monthly lines billed from ``start_month`` until the client churns."""

    serial: int
    client_serial: int
    created_ms: int
    start_month: int
    lines: tuple[Line, ...]

    @property
    def key(self) -> tuple[str, int]:
        return ("repeating", self.serial)


@dataclass(slots=True)
class DealFact:
    """What the simulation knows about a deal, for the ground truth."""

    serial: int
    created_ms: int
    close_ms: int | None
    won: bool
    dealtype: str
    lead_source: str | None
    mrr: float
    project: float
    archived_ms: int | None
    proposal_ms: int | None
    owner_index: int
    currency: str
    """``deal_currency_code``; ``mrr`` and ``project`` are in it."""


@dataclass(slots=True)
class LeadFact:
    """What the simulation knows about a lead contact's funnel, for the ground truth."""

    serial: int
    source: str
    owner_index: int
    lead_ms: int
    qualified_ms: int | None = None
    appointment_ms: int | None = None
    proposal_ms: int | None = None
    won_ms: int | None = None
    archived_ms: int | None = None
