"""The weekly pipeline report: the last eight complete weeks of the funnel, overall and by rep.

Read from ``marts.mart_pipeline_weekly`` (whose YAML defines every rate): leads, % qualified, % to
first appointment, % to proposal, close rate, median time to close and average sale per week, and
the latest week's conversion against the eight weeks before it. Only complete weeks are reported:
the report of a Monday covers the weeks up to the Sunday before.

A rate on a small sample says little ("close rate 100 %" on one deal), so a rate whose denominator
is below :data:`MIN_SAMPLE` is reported with its counts ("1 of 1") and is not compared with the
trailing average.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from dagster_project.warehouse.connection import open_warehouse

WEEKS = 8
MIN_SAMPLE = 5
"""Denominators below this show counts instead of a rate, and get no comparison."""

STEPS: tuple[tuple[str, str, str, str], ...] = (
    # label, rate column, numerator column, denominator column
    ("% qualified", "qualified_rate", "qualified_leads", "leads"),
    ("% to first appointment", "appointment_rate", "first_appointments", "qualified_leads"),
    ("% to proposal", "proposal_rate", "proposals", "first_appointments"),
    ("Close rate", "close_rate", "deals_won", "closed"),
)
"""The four conversion steps, each with the counts its rate divides."""

_COLUMNS = (
    "week_start",
    "breakdown_value",
    "leads",
    "qualified_leads",
    "first_appointments",
    "proposals",
    "deals_won",
    "deals_lost",
    "qualified_rate",
    "appointment_rate",
    "proposal_rate",
    "close_rate",
    "won_amount",
    "avg_sale",
    "median_days_to_close",
    "trailing_qualified_rate",
    "trailing_appointment_rate",
    "trailing_proposal_rate",
    "trailing_close_rate",
)


@dataclass(frozen=True)
class WeekRow:
    """One week of one breakdown value (``all`` or a rep), as the mart has it."""

    values: Mapping[str, Any]

    def __getitem__(self, column: str) -> Any:
        if column == "closed":
            return self.values["deals_won"] + self.values["deals_lost"]
        return self.values[column]

    @property
    def week_start(self) -> date:
        return self.values["week_start"]


@dataclass(frozen=True)
class RepWeek:
    """A rep's latest complete week, and the sums of their eight weeks."""

    name: str
    latest: WeekRow
    totals: Mapping[str, float]


@dataclass(frozen=True)
class WeeklyReport:
    """The report of the weeks up to (and excluding) the week of ``as_of``."""

    as_of: date
    currency: str
    weeks: tuple[WeekRow, ...]
    """The last complete weeks, oldest first (at most :data:`WEEKS`)."""
    reps: tuple[RepWeek, ...]

    @property
    def latest(self) -> WeekRow | None:
        return self.weeks[-1] if self.weeks else None

    @property
    def title(self) -> str:
        if self.latest is None:
            return "Weekly pipeline report: no complete week yet"
        return f"Weekly pipeline report, week of {self.latest.week_start:%-d %b %Y}"


def read_weekly_report(warehouse: Path, currency: str) -> WeeklyReport:
    """The report from the warehouse's latest build (read-only)."""
    columns = ", ".join(f"weekly.{name}" for name in _COLUMNS)
    with open_warehouse(warehouse, read_only=True) as con:
        cursor = con.execute(
            f"""
            select {columns}, weekly.breakdown, owners.owner_name
            from marts.mart_pipeline_weekly as weekly
            left join marts.dim_owner as owners
                on weekly.breakdown = 'owner'
                and weekly.breakdown_value = cast(owners.owner_id as varchar)
            where not weekly.is_partial_week
                and weekly.week_start >= (
                    select max(week_start) - interval {WEEKS * 7} day
                    from marts.mart_pipeline_weekly
                    where not is_partial_week
                )
            order by weekly.week_start
            """
        )
        names = [column[0] for column in cursor.description]
        records = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
        [(as_of,)] = con.execute("select max(as_of_date) from marts.mart_goal_status").fetchall()
    if as_of is None:
        raise LookupError(f"{warehouse} has no goal pacing rows yet: run the pipeline first")
    overall = [WeekRow(r) for r in records if r["breakdown"] == "all"][-WEEKS:]
    first_week = overall[0].week_start if overall else None
    by_rep: dict[str, list[WeekRow]] = {}
    rep_names: dict[str, str] = {}
    for record in records:
        if record["breakdown"] != "owner" or first_week is None or record["week_start"] < first_week:
            continue
        key = record["breakdown_value"]
        by_rep.setdefault(key, []).append(WeekRow(record))
        rep_names[key] = record["owner_name"] or ("Unassigned" if key == "unassigned" else f"Owner {key}")
    reps = [
        RepWeek(name=rep_names[key], latest=rows[-1], totals=_totals(rows))
        for key, rows in by_rep.items()
        if any(_totals(rows).values())
    ]
    reps.sort(key=lambda rep: (-rep.totals["deals_won"], -rep.totals["leads"], rep.name))
    return WeeklyReport(as_of=as_of, currency=currency, weeks=tuple(overall), reps=tuple(reps))


def _totals(rows: Sequence[WeekRow]) -> dict[str, float]:
    counts = ("leads", "qualified_leads", "first_appointments", "proposals", "deals_won", "closed")
    totals: dict[str, float] = {name: sum(row[name] for row in rows) for name in counts}
    totals["won_amount"] = float(sum(row["won_amount"] for row in rows))
    return totals


def rate_text(numerator: float, denominator: float) -> str:
    """``35%`` on a sample of at least :data:`MIN_SAMPLE`; the counts (``3/1``) below it; ``-`` on
    none. Counts, not ``n of m``: a week's flow can move more deals on than arrived (3 proposals
    from last week's appointments against 1 this week)."""
    if not denominator:
        return "-"
    if denominator < MIN_SAMPLE:
        return f"{numerator:.0f}/{denominator:.0f}"
    return f"{numerator / denominator:.0%}"


def versus_trailing(row: WeekRow, rate: str, numerator: str, denominator: str) -> str:
    """``35% vs 28% over the 8 weeks before (+7 pts)``, or why there is no comparison."""
    this_week = rate_text(row[numerator], row[denominator])
    trailing = row[f"trailing_{rate}"]
    if row[denominator] < MIN_SAMPLE or row[rate] is None:
        return f"{this_week} (too few to compare)"
    if trailing is None:
        return f"{this_week} (no earlier weeks to compare)"
    points = (row[rate] - trailing) * 100
    return f"{this_week} vs {trailing:.0%} over the {WEEKS} weeks before ({points:+.0f} pts)"
