"""The morning digest: the goal table in words -- what changed since yesterday and what needs doing.

Each goal line is judged exactly as its Dagster check judges it (:func:`evaluate_goals`), today and
as it stood yesterday: yesterday's verdict is the check's on the pacing rows up to yesterday, so a
status change here is the change the checks saw, and the sentence a goal gets ("you need 11.8 a
week for the rest of the quarter") is its check's explanation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from dagster_project.goals.checks import PacingRow
from dagster_project.goals.evaluation import (
    GoalOutcome,
    PacingSnapshot,
    evaluate_goals,
    goals_to_judge,
    read_pacing,
)
from dagster_project.warehouse.connection import open_warehouse

STATUS_ORDER = (
    "out of reach",
    "off track",
    "still off track",
    "missed",
    "at risk",
    "drifting",
    "no data",
    "not started",
    "not assessed",
    "on track",
    "ahead",
    "achieved",
)
"""The order goals are listed in: what needs attention first."""


@dataclass(frozen=True)
class GoalNews:
    """One goal line's day: its status today and yesterday, and how far it moved."""

    name: str
    status: str
    explanation: str
    needs_attention: bool
    previous_status: str | None
    """The check's status word yesterday; None when the line had no row yesterday (a new period)."""
    moved_by: float | None
    """actual_to_date today minus yesterday, in the metric's unit (None in a new period)."""
    unit: str | None

    @property
    def changed(self) -> bool:
        return self.previous_status is not None and self.previous_status != self.status


@dataclass(frozen=True)
class DailyDigest:
    """The digest of one as-of day."""

    as_of: date
    goals: tuple[GoalNews, ...]

    @property
    def counts(self) -> Counter[str]:
        return Counter(goal.status for goal in self.goals)

    @property
    def changes(self) -> tuple[GoalNews, ...]:
        return tuple(goal for goal in self.goals if goal.changed)

    @property
    def to_do(self) -> tuple[GoalNews, ...]:
        return tuple(goal for goal in self.goals if goal.needs_attention)

    @property
    def title(self) -> str:
        """``Goals on Thu 3 Dec 2026: 3 off track, 1 at risk, 6 on track or ahead``."""
        counts = self.counts
        parts = [f"{counts[status]} {status}" for status in STATUS_ORDER if counts[status]]
        return f"Goals on {self.as_of:%a %-d %b %Y}: " + (", ".join(parts) or "no goals")


def read_daily_digest(warehouse: Path, goals_file: Path) -> DailyDigest:
    """The digest of the warehouse's latest build (read-only), judged on goals.yml's lines (the last
    valid goals' while the file is invalid, as the checks do)."""
    with open_warehouse(warehouse, read_only=True) as con:
        lines = goals_to_judge(goals_file, con).lines
        snapshot = read_pacing(con)
    if snapshot.as_of is None:
        raise LookupError(f"{warehouse} has no goal pacing rows yet: run the pipeline first")
    today = evaluate_goals(lines, snapshot)
    yesterday = {o.line.goal_target_id: o for o in evaluate_goals(lines, day_before(snapshot))}
    news = [_news(outcome, yesterday.get(outcome.line.goal_target_id)) for outcome in today]
    news.sort(key=lambda goal: STATUS_ORDER.index(goal.status) if goal.status in STATUS_ORDER else 0)
    return DailyDigest(as_of=snapshot.as_of, goals=tuple(news))


def day_before(snapshot: PacingSnapshot) -> PacingSnapshot:
    """The snapshot as the checks saw it a day earlier: each line's row of the day before becomes
    its today, the rows before that its history. A line without a row that day (its period began
    today) has no today."""
    assert snapshot.as_of is not None
    previous_day = snapshot.as_of - timedelta(days=1)
    today: dict[str, PacingRow] = {}
    history: dict[str, list[PacingRow]] = {}
    for line, rows in snapshot.history.items():
        if rows and rows[-1].as_of_date == previous_day:
            today[line] = rows[-1]
            history[line] = rows[:-1]
    return PacingSnapshot(as_of=previous_day, today=today, history=history)


def _news(outcome: GoalOutcome, before: GoalOutcome | None) -> GoalNews:
    row = outcome.row
    earlier = before.row if before is not None else None
    moved_by = None
    if row is not None and earlier is not None and row.actual_to_date is not None:
        moved_by = row.actual_to_date - (earlier.actual_to_date or 0.0)
    name = outcome.line.goal_name + (f" ({outcome.line.owner_key})" if outcome.line.owner_key else "")
    return GoalNews(
        name=name,
        status=outcome.verdict.label,
        explanation=outcome.verdict.explanation,
        needs_attention=outcome.verdict.severity is not None,
        previous_status=before.verdict.label if earlier is not None and before is not None else None,
        moved_by=moved_by,
        unit=row.metric_unit if row is not None else None,
    )


def change_sentence(goal: GoalNews) -> str:
    """``New MRR won per month went from at risk to off track.``"""
    return f"{goal.name} went from {goal.previous_status} to {goal.status}."


def digest_paragraphs(digest: DailyDigest) -> Sequence[tuple[str, Sequence[str]]]:
    """The digest as headed lists of sentences: what changed, what needs doing, everything else.

    Shared by the plain text and the HTML renderings, so they cannot say different things.
    """
    changes = [change_sentence(goal) for goal in digest.changes] or [
        "No goal changed status since yesterday."
    ]
    to_do = [goal.explanation for goal in digest.to_do] or ["Nothing: every assessed goal is on pace."]
    rest = [goal.explanation for goal in digest.goals if not goal.needs_attention]
    sections: list[tuple[str, Sequence[str]]] = [
        ("What changed since yesterday", changes),
        ("What needs doing", to_do),
    ]
    if rest:
        sections.append(("On pace or not assessed yet", rest))
    return sections
