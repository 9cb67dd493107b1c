"""The PSA's members: the technicians the payroll pays, hired as the business grows, and a few others.

The roster is derived month by month from the technicians' wages budget: the expected technicians
line of the payroll journal (``MANUAL_JOURNALS``, account 5300) at that month's growth. A member's
cost rate (``hourlyCost``) is set at hire and raised every hire anniversary; when the roster costs
less than the budget the firm hires (or, between hires, sizes the anniversary raises to catch up),
so summed cost rates x capacity track the wages line month by month. Every draw is keyed by member
and month (``rng_for``), and a month only looks at earlier months, so a later clock derives the
same past roster.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sandbox.simulation import names
from sandbox.simulation.clock import OrgCalendar, month_index, month_start, rng_for
from sandbox.simulation.params import MANUAL_JOURNALS
from sandbox.simulation.psa.catalog import PSA_SHAPE, ROLE_BY_COST, WORK_ROLES
from sandbox.simulation.timeline import Timeline

AVERAGE_WEEKDAYS = 21.74
"""Mean Monday-Friday days per month: the budget is monthly, capacity is per weekday."""
_HOUR = 3600
_EMAIL_DOMAIN = "ourmsp.example"


@dataclass(slots=True)
class MemberFact:
    """One member over their whole employment; ``rates`` are ``(effective day, set at ms, cost)``."""

    id: int
    identifier: str
    first_name: str
    last_name: str
    kind: str  # technician | staff | api
    title: str
    hire_day: date
    entered_ms: int
    daily_capacity: float | None
    rates: list[tuple[date, int, float]]
    leave_day: date | None = None
    """``inactiveDate``: the first day the member no longer works (capacity stops the day before)."""
    leave_ms: int | None = None

    @property
    def is_technician(self) -> bool:
        return self.kind == "technician"

    def employed_on(self, day: date) -> bool:
        return self.hire_day <= day and (self.leave_day is None or day < self.leave_day)

    def cost_on(self, day: date) -> float:
        """The cost rate in force on ``day`` (the hire rate before the first raise)."""
        cost = self.rates[0][2]
        for effective, _, value in self.rates:
            if effective > day:
                break
            cost = value
        return cost

    def cost_at(self, now_ms: int) -> float:
        """The cost rate the PSA shows at ``now_ms`` (``Member.hourlyCost``)."""
        cost = self.rates[0][2]
        for _, at, value in self.rates:
            if at >= now_ms:
                break
            cost = value
        return cost

    def work_role(self, day: date) -> int:
        cost = self.cost_on(day)
        return next(role for limit, role in ROLE_BY_COST if cost < limit)

    def bill_rate(self, day: date) -> float:
        return WORK_ROLES[self.work_role(day) - 1].hourly_rate


def technician_budget(timeline: Timeline, month: int) -> float:
    """The expected technicians' wages of ``month`` (payroll journal line 5300 before its noise)."""
    share = next(share for team, _, share in MANUAL_JOURNALS.payroll_split if team == "technicians")
    payday = month_start(month).replace(day=MANUAL_JOURNALS.payroll_day)
    return MANUAL_JOURNALS.payroll_monthly * timeline.scale * share * timeline.growth(payday)


def first_weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


class _RosterBuilder:
    """Walks the months in order, keeping the running roster (see the module docstring)."""

    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline
        self.calendar: OrgCalendar = timeline.calendar
        self.members: list[MemberFact] = []
        self._identifiers: set[str] = set()
        shape = PSA_SHAPE
        self.typical = sum(shape.cost_rate) / 2 * sum(shape.daily_capacity) / 2 * AVERAGE_WEEKDAYS

    def _identity(self, rng: random.Random) -> tuple[str, str, str]:
        first, last = names.person(rng)
        identifier = f"{first[0]}{last}"[:13]
        suffix = 2
        while identifier in self._identifiers:
            identifier = f"{first[0]}{last}"[:13] + str(suffix)
            suffix += 1
        self._identifiers.add(identifier)
        return first, last, identifier

    def add(
        self, kind: str, title: str, hire_day: date, entered_ms: int, cost: float, capacity: float | None
    ) -> MemberFact:
        member_id = len(self.members) + 1
        rng = rng_for(self.timeline.seed, "psa", "member", member_id)
        first, last, identifier = self._identity(rng)
        member = MemberFact(
            member_id,
            identifier,
            first,
            last,
            kind,
            title,
            hire_day,
            entered_ms,
            capacity,
            [(hire_day, entered_ms, round(cost, 2))],
        )
        self.members.append(member)
        return member

    def hire(self, month: int, day: date, gap: float, *, replacing: bool = False) -> MemberFact:
        """A technician starting on ``day``, their rate sized to the budget ``gap`` they fill.

        A growth hire costs at most their drawn rate (the firm hires when the gap is big enough);
        a replacement takes over the leaver's budget, within a plausible range.
        """
        shape = PSA_SHAPE
        rng = rng_for(self.timeline.seed, "psa", "hire", month, len(self.members))
        capacity = round(rng.uniform(*shape.daily_capacity) * 2) / 2 if rng.random() < 0.3 else 8.0
        capacity = min(max(capacity, shape.daily_capacity[0]), shape.daily_capacity[1])
        fitted = max(shape.min_cost_rate, gap / (capacity * AVERAGE_WEEKDAYS))
        drawn = rng.uniform(*shape.cost_rate)
        cost = min(fitted, shape.cost_rate[1] * 1.3) if replacing else min(drawn, fitted)
        entered = self.calendar.at(max(day - timedelta(days=7), self.timeline.start), 10 * _HOUR)
        return self.add("technician", "Technician", day, entered, cost, capacity)

    def monthly_cost(self, day: date) -> float:
        return sum(
            m.cost_on(day) * (m.daily_capacity or 0) * AVERAGE_WEEKDAYS
            for m in self.members
            if m.is_technician and m.employed_on(day)
        )

    def opening(self) -> None:
        """The staff, the API member and the technicians employed when the business starts."""
        start, calendar = self.timeline.start, self.calendar
        live = calendar.at(start, 9 * _HOUR)
        self.add("api", "Integration", start, live, 0.0, None)
        for title in ("Service Manager", "Office Manager"):
            rng = rng_for(self.timeline.seed, "psa", "staff", title)
            self.add("staff", title, start - timedelta(days=rng.randint(200, 2500)), live, 0.0, None)
        target = technician_budget(self.timeline, self.timeline.start_month) * PSA_SHAPE.roster_target
        team = [
            self.hire(self.timeline.start_month, start, target)
            for _ in range(round(target / self.typical) or 1)
        ]
        fit = target / self.monthly_cost(start)  # the opening pay scale is the budget, exactly
        for member in team:
            rng = rng_for(self.timeline.seed, "psa", "tenure", member.id)
            member.hire_day = start - timedelta(days=rng.randint(60, 2400))
            member.entered_ms = live
            member.rates = [(member.hire_day, live, round(member.rates[0][2] * fit, 2))]

    def month(self, month: int) -> None:
        """Leavers (replaced the same day), anniversary raises, then hires to meet the budget."""
        shape, seed, calendar = PSA_SHAPE, self.timeline.seed, self.calendar
        first = month_start(month)
        target = technician_budget(self.timeline, month) * shape.roster_target
        for member in [m for m in self.members if m.is_technician and m.employed_on(first)]:
            rng = rng_for(seed, "psa", "leave", member.id, month)
            if rng.random() < shape.monthly_leave_rate:
                member.leave_day = first_weekday(first.replace(day=rng.randint(3, 24)))
                member.leave_ms = calendar.at(member.leave_day, 9 * _HOUR)
                gap = target - self.monthly_cost(member.leave_day)
                self.hire(month, member.leave_day, gap, replacing=True)
        for member in self.members:
            hired = month_index(member.hire_day)
            if not member.is_technician or not member.employed_on(first):
                continue
            if hired % 12 != month % 12 or hired >= month:
                continue
            rng = rng_for(seed, "psa", "raise", member.id, month)
            current = member.cost_on(first)
            own = current * (member.daily_capacity or 0) * AVERAGE_WEEKDAYS
            gap = target - self.monthly_cost(first)
            rise = rng.uniform(*shape.raise_rate) + min(shape.catch_up_raise, max(0.0, gap) / own)
            member.rates.append((first, calendar.at(first, 8 * _HOUR), round(current * (1 + rise), 2)))
        day = first_weekday(first)
        while (gap := target - self.monthly_cost(day)) >= shape.hire_gap * self.typical:
            self.hire(month, day, gap)


def build_roster(timeline: Timeline, through_month: int) -> list[MemberFact]:
    """Every member hired by the end of ``through_month`` (the caller hides what is not entered yet)."""
    builder = _RosterBuilder(timeline)
    builder.opening()
    for month in range(timeline.start_month + 1, through_month + 1):
        builder.month(month)
    return builder.members
