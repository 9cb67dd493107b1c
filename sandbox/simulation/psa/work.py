"""Tickets and time entries: the technicians' months, split over clients, projects and the firm.

Each month is derived on its own from what was true when it began: the technicians employed, the
clients with an active agreement and the projects already started. A technician's capacity goes
partly to service tickets (shared over clients by size and service intensity), partly to internal
time; projects add their budgeted hours (with overruns) on top. Every draw is keyed by client,
project or member and month, ids are numbered month after month, and the lives of entries (edits,
hard deletes, billing at month end) are drawn with them, so a later clock derives the same past.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sandbox.simulation.clock import DAY_MS, OrgCalendar, month_start, rng_for
from sandbox.simulation.psa.accounts import AgreementFact, Books, ProjectFact
from sandbox.simulation.psa.catalog import (
    INTERNAL_COMPANY_ID,
    INTERNAL_WORK_TYPES,
    PROJECT_ROLE,
    PROJECT_WORK_TYPE,
    PSA_SHAPE,
    SERVICE_WORK_TYPES,
    WORK_ROLES,
    WORK_TYPES,
)
from sandbox.simulation.psa.roster import MemberFact
from sandbox.simulation.timeline import Timeline

_HOUR_MS = 3_600_000
_QUARTER_MS = _HOUR_MS // 4
SERVICE_SUMMARIES = (
    "Password reset",
    "Outlook not syncing",
    "New user onboarding",
    "VPN connection drops",
    "Printer offline",
    "Laptop running slow",
    "MFA enrolment",
    "Shared mailbox access",
    "Backup job failed",
    "Firewall alert review",
    "Patch failure on server",
    "Teams audio issues",
    "Offboard leaver",
    "Phishing email reported",
)


@dataclass(slots=True)
class TicketFact:
    id: int
    company_id: int
    summary: str
    record_type: str  # ServiceTicket | ProjectTicket
    agreement_id: int | None
    project_id: int | None
    entered_ms: int
    closed_ms: int


@dataclass(slots=True)
class TimeEntryFact:
    """One time entry over its life: entered, maybe edited (hours change), billed or hard-deleted."""

    id: int
    member_id: int
    company_id: int
    client_serial: int | None
    charge_type: str  # ServiceTicket | ProjectTicket | Company
    ticket: TicketFact | None
    project_id: int | None
    agreement_id: int | None
    work_type: int
    work_role: int
    start_ms: int
    hours: float
    billable: str  # Billable | NoCharge | DoNotBill
    rate: float
    cost: float | None
    """The member's cost rate that day as the entry stores it; ``None`` when hidden (no field)."""
    entered_ms: int
    edit_ms: int | None = None
    edit_hours: float = 0.0
    billed_ms: int | None = None
    deleted_ms: int | None = None

    def hours_at(self, now_ms: int) -> float:
        edited = self.edit_ms is not None and self.edit_ms < now_ms
        return self.hours + self.edit_hours if edited else self.hours

    def updated_at(self, now_ms: int) -> int:
        return max(
            ms for ms in (self.entered_ms, self.edit_ms, self.billed_ms) if ms is not None and ms < now_ms
        )

    def billed_by(self, now_ms: int) -> bool:
        return self.billed_ms is not None and self.billed_ms < now_ms


@dataclass
class _Slot:
    """Who can work on one weekday of the month: members and cumulative capacity weights."""

    day: date
    members: list[MemberFact]
    weights: list[float]


class _MonthWork:
    """Generates one month's tickets and entries (ids are assigned by the caller)."""

    def __init__(self, timeline: Timeline, month: int, roster: Sequence[MemberFact]) -> None:
        self.timeline, self.month, self.seed = timeline, month, timeline.seed
        self.calendar: OrgCalendar = timeline.calendar
        first, day = month_start(month), month_start(month)
        self.slots: list[_Slot] = []
        technicians = [m for m in roster if m.is_technician]
        while day < month_start(month + 1):
            if day.weekday() < 5:
                working = [m for m in technicians if m.employed_on(day)]
                if working:
                    weights, total = [], 0.0
                    for member in working:
                        total += member.daily_capacity or 0.0
                        weights.append(total)
                    self.slots.append(_Slot(day, working, weights))
            day += timedelta(days=1)
        self.first = first
        self.close_ms = self.calendar.at(month_start(month + 1), 5 * 3600)
        self.tickets: list[TicketFact] = []
        self.entries: list[TimeEntryFact] = []

    @property
    def capacity(self) -> float:
        return sum(slot.weights[-1] for slot in self.slots)

    def _entry(
        self,
        rng: random.Random,
        hours: float,
        member: MemberFact,
        day: date,
        **fields: object,
    ) -> TimeEntryFact:
        shape = PSA_SHAPE
        start = self.calendar.at(day, 0) + int(rng.uniform(8, 16.5) * 4) * _QUARTER_MS
        end = start + int(hours * _HOUR_MS)
        lag = rng.uniform(0.05, 3) * _HOUR_MS if rng.random() < 0.75 else rng.uniform(1, 3) * DAY_MS
        entered = end + int(lag)
        entry = TimeEntryFact(
            0,
            member.id,
            start_ms=start,
            hours=hours,
            cost=None if rng.random() < shape.hidden_cost_rate else member.cost_on(day),
            entered_ms=entered,
            **fields,  # type: ignore[arg-type]
        )
        if rng.random() < shape.delete_rate:
            entry.deleted_ms = entered + int(rng.uniform(0.1, 5) * DAY_MS)
            return entry
        if rng.random() < shape.edit_rate:
            entry.edit_ms = entered + int(rng.uniform(0.5, 10) * DAY_MS)
            entry.edit_hours = 0.25 if hours <= 0.25 or rng.random() < 0.5 else -0.25
        if entry.billable == "Billable":
            entry.billed_ms = self.close_ms if entered < self.close_ms else entered + DAY_MS
        return entry

    def _pick(self, rng: random.Random) -> tuple[MemberFact, date]:
        slot = rng.choice(self.slots)
        member = rng.choices(slot.members, cum_weights=slot.weights)[0]
        return member, slot.day

    def _ticket(
        self,
        company_id: int,
        summary: str,
        record_type: str,
        agreement_id: int | None,
        project_id: int | None,
        entries: list[TimeEntryFact],
        rng: random.Random,
    ) -> None:
        ticket = TicketFact(
            0,
            company_id,
            summary,
            record_type,
            agreement_id,
            project_id,
            min(e.start_ms for e in entries) - int(rng.uniform(0.5, 6) * _HOUR_MS),
            max(e.start_ms + int(e.hours * _HOUR_MS) for e in entries) + int(rng.uniform(1, 48) * _HOUR_MS),
        )
        for entry in entries:
            entry.ticket = ticket
        self.tickets.append(ticket)
        self.entries.extend(entries)

    def service(self, agreement: AgreementFact, hours: float) -> None:
        """A client's service tickets of the month, ``hours`` in all, in entries of an hour or two."""
        shape, client = PSA_SHAPE, agreement.client
        rng = rng_for(self.seed, "psa", "service", client.serial, self.month)
        count = max(1, round(hours / rng.uniform(*shape.hours_per_entry)))
        work_types = [w for w, _ in SERVICE_WORK_TYPES]
        shares = [s for _, s in SERVICE_WORK_TYPES]
        pending: list[TimeEntryFact] = []
        for position in range(count):
            member, day = self._pick(rng)
            work_type = rng.choices(work_types, shares)[0]
            billable = WORK_TYPES[work_type - 1].bill_time
            if rng.random() < shape.no_charge_rate:
                billable = "NoCharge"
            size = max(0.25, round(hours / count * rng.uniform(0.6, 1.4) * 4) / 4)
            pending.append(
                self._entry(
                    rng,
                    size,
                    member,
                    day,
                    company_id=agreement.company_id,
                    client_serial=client.serial,
                    charge_type="ServiceTicket",
                    ticket=None,
                    project_id=None,
                    agreement_id=agreement.id,
                    work_type=work_type,
                    work_role=member.work_role(day),
                    billable=billable,
                    rate=member.bill_rate(day),
                )
            )
            if position == count - 1 or rng.random() < 0.5:
                self._ticket(
                    agreement.company_id,
                    rng.choice(SERVICE_SUMMARIES),
                    "ServiceTicket",
                    agreement.id,
                    None,
                    pending,
                    rng,
                )
                pending = []

    def project(self, project: ProjectFact, hours: float, phase: int) -> None:
        """The month's work on a project: one project ticket (a phase), entries of about 3 hours."""
        rng = rng_for(self.seed, "psa", "project-work", project.id, self.month)
        count = max(1, round(hours / 3))
        entries = []
        for _ in range(count):
            member, day = self._pick(rng)
            entries.append(
                self._entry(
                    rng,
                    max(0.5, round(hours / count * rng.uniform(0.7, 1.3) * 4) / 4),
                    member,
                    day,
                    company_id=project.company_id,
                    client_serial=project.client.serial,
                    charge_type="ProjectTicket",
                    ticket=None,
                    project_id=project.id,
                    agreement_id=None,
                    work_type=PROJECT_WORK_TYPE,
                    work_role=PROJECT_ROLE,
                    billable="Billable",
                    rate=WORK_ROLES[PROJECT_ROLE - 1].hourly_rate,
                )
            )
        self._ticket(
            project.company_id,
            f"{project.name}: phase {phase}",
            "ProjectTicket",
            None,
            project.id,
            entries,
            rng,
        )

    def internal(self, member: MemberFact) -> None:
        """Admin, meetings and training: charged to the MSP's own company, never billed."""
        rng = rng_for(self.seed, "psa", "internal", member.id, self.month)
        days = [slot.day for slot in self.slots if member in slot.members]
        if not days:
            return
        hours = len(days) * (member.daily_capacity or 0) * rng.uniform(*PSA_SHAPE.internal_share)
        count = max(1, round(hours / 2.5))
        for _ in range(count):
            day = rng.choice(days)
            self.entries.append(
                self._entry(
                    rng,
                    max(0.25, round(hours / count * rng.uniform(0.5, 1.5) * 4) / 4),
                    member,
                    day,
                    company_id=INTERNAL_COMPANY_ID,
                    client_serial=None,
                    charge_type="Company",
                    ticket=None,
                    project_id=None,
                    agreement_id=None,
                    work_type=rng.choice(INTERNAL_WORK_TYPES),
                    work_role=member.work_role(day),
                    billable="DoNotBill",
                    rate=member.bill_rate(day),
                )
            )


def client_demand(seed: int, agreement: AgreementFact, month: int) -> float:
    """A client's relative service demand in a month: size, its own intensity, monthly noise."""
    shape, client = PSA_SHAPE, agreement.client
    rng = rng_for(seed, "psa", "intensity", client.serial)
    intensity = rng.lognormvariate(0, shape.intensity_sigma)
    if rng.random() < shape.over_serviced_share:
        intensity *= rng.uniform(*shape.over_serviced_factor)
    noise = rng_for(seed, "psa", "demand", client.serial, month).lognormvariate(0, 0.25)
    return client.seats**shape.seat_power * intensity * noise


@dataclass
class Work:
    tickets: list[TicketFact]
    entries: list[TimeEntryFact]


def build_work(timeline: Timeline, roster: Sequence[MemberFact], books: Books, through_month: int) -> Work:
    """Every ticket and entry of the months from the business start through ``through_month``."""
    calendar = timeline.calendar
    project_months: dict[int, list[tuple[ProjectFact, float, int]]] = defaultdict(list)
    for project in books.projects:
        first = calendar.local_month(project.start_ms) + 1
        months = range(first, max(first, calendar.local_month(project.finish_ms)) + 1)
        overrun = rng_for(timeline.seed, "psa", "overrun", project.id).uniform(*PSA_SHAPE.project_overrun)
        for phase, month in enumerate(months, 1):
            project_months[month].append((project, project.budget_hours * overrun / len(months), phase))
    tickets: list[TicketFact] = []
    entries: list[TimeEntryFact] = []
    for month in range(timeline.start_month, through_month + 1):
        work = _MonthWork(timeline, month, roster)
        if not work.slots:
            continue
        active: dict[int, AgreementFact] = {}
        for agreement in books.agreements:
            if agreement.active_in(month):
                active.setdefault(agreement.client.serial, agreement)
        demand = {serial: client_demand(timeline.seed, a, month) for serial, a in active.items()}
        total = sum(demand.values())
        share = rng_for(timeline.seed, "psa", "service-share", month).uniform(*PSA_SHAPE.service_share)
        service_hours = work.capacity * share
        for serial, agreement in sorted(active.items()):
            work.service(agreement, service_hours * demand[serial] / total)
        for project, hours, phase in project_months.get(month, ()):
            work.project(project, hours, phase)
        for member in {m.id: m for slot in work.slots for m in slot.members}.values():
            work.internal(member)
        work.tickets.sort(key=lambda t: (t.entered_ms, t.company_id))
        for ticket in work.tickets:
            ticket.id = len(tickets) + 1
            tickets.append(ticket)
        work.entries.sort(key=lambda e: (e.entered_ms, e.start_ms, e.member_id))
        for entry in work.entries:
            entry.id = len(entries) + 1
            entries.append(entry)
    return Work(tickets, entries)
