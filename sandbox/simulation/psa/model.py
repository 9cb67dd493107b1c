"""``PsaModel``: the PSA records that exist at one clock reading, built only when asked for.

Months are derived through the clock's month (whole months: an entry of later this month is simply
not entered yet); then what the clock has not reached is hidden: members, companies, agreements and
projects entered later, entries and tickets entered later, entries hard-deleted before it.
"""

from __future__ import annotations

from sandbox.simulation.psa.accounts import AgreementFact, CompanyFact, ProjectFact, build_books
from sandbox.simulation.psa.roster import MemberFact, build_roster
from sandbox.simulation.psa.work import TicketFact, TimeEntryFact, build_work
from sandbox.simulation.timeline import Timeline


class PsaModel:
    """Everything the PSA holds at ``now_ms`` (see the module docstring)."""

    def __init__(self, timeline: Timeline, now_ms: int) -> None:
        self.timeline = timeline
        self.now_ms = now_ms
        self.now_month = timeline.calendar.local_month(now_ms - 1)
        roster = build_roster(timeline, self.now_month)
        books = build_books(timeline, now_ms)
        work = build_work(timeline, roster, books, self.now_month)
        self.members: list[MemberFact] = [m for m in roster if m.entered_ms < now_ms]
        self.companies: list[CompanyFact] = books.companies
        self.company_of_client = books.company_of_client
        self.agreements: list[AgreementFact] = books.agreements
        self.projects: list[ProjectFact] = books.projects
        self.tickets: list[TicketFact] = [t for t in work.tickets if t.entered_ms < now_ms]
        self.time_entries: list[TimeEntryFact] = [
            e
            for e in work.entries
            if e.entered_ms < now_ms and (e.deleted_ms is None or e.deleted_ms >= now_ms)
        ]
        self.all_entries = work.entries
        """Every entry derived for the months so far, future and deleted ones included (for tests)."""
