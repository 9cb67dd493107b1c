"""The goal check's decision: today's pacing row and its history -> pass, WARN or ERROR, and why.

dbt owns every number (``fct_goal_pacing_daily``: status band, pace index, projections, run-rates,
off-track streak); this module only turns them into an alarm, by these rules:

- pass: ``achieved``, ``not_assessed`` (the mart's noise guards), ``ahead``, ``on_track``;
- WARN: ``at_risk``; the first days ``off_track`` (fewer than ``drift.error_after_days``); or
  *drifting*: still on track or ahead, but the run-rate attainment fell by at least
  ``drift.warn_drop`` over ``drift.window_days`` while the projection is below ``ahead`` -- the goal
  that is fine today but sliding, caught the morning it starts;
- ERROR: ``off_track`` on ``error_after_days`` consecutive days, or off track because the required
  run-rate is beyond reach (the mart's ``is_infeasible``); and, by hysteresis, every later day of the
  same period until the pace index is back at ``drift.clear_at`` -- so a goal hovering around the
  off-track band does not flap between ERROR and WARN from one morning to the next.
- Finished: once the row's period has ended (its ``as_of_date`` is after ``period_end``: a one-off
  goal, or a recurring goal past its ``to``), there is nothing left to pace, so the check reports the
  final outcome instead of alarming on the pace: pass when achieved, a WARN ``missed`` naming the
  shortfall ("missed by 20,000") when not -- never an ERROR, and no open alarm carries over.

The alarm state is rebuilt from the mart's own history on every evaluation rather than read back
from earlier check results: a check is then reproducible for any as-of day (backfills, tests), and
a wiped Dagster instance does not forget an open alarm.

Pure and Dagster-free: the asset checks, the ``status`` command and the tests all call
:func:`decide`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from dagster_project.config.goals import Drift, Thresholds


class Severity(StrEnum):
    WARN = "WARN"
    ERROR = "ERROR"


class Reason(StrEnum):
    """Why a goal passed or raised its alarm; stable codes for metadata, tests and reports."""

    ACHIEVED = "achieved"
    NOT_ASSESSED = "not_assessed"
    NOT_STARTED = "not_started"
    AHEAD = "ahead"
    ON_TRACK = "on_track"
    DRIFTING = "drifting"
    AT_RISK = "at_risk"
    OFF_TRACK_STARTED = "off_track_started"
    OFF_TRACK = "off_track"
    INFEASIBLE = "infeasible"
    NOT_RECOVERED = "not_recovered"
    NO_PACING_ROW = "no_pacing_row"
    MISSED = "missed"


STATUS_LABELS: dict[Reason, str] = {
    Reason.ACHIEVED: "achieved",
    Reason.NOT_ASSESSED: "not assessed",
    Reason.NOT_STARTED: "not started",
    Reason.AHEAD: "ahead",
    Reason.ON_TRACK: "on track",
    Reason.DRIFTING: "drifting",
    Reason.AT_RISK: "at risk",
    Reason.OFF_TRACK_STARTED: "off track",
    Reason.OFF_TRACK: "off track",
    Reason.INFEASIBLE: "out of reach",
    Reason.NOT_RECOVERED: "still off track",
    Reason.NO_PACING_ROW: "no data",
    Reason.MISSED: "missed",
}
"""The one status vocabulary: the word the terminal table shows for a goal line is the word its
check's explanation starts with, and the check's severity follows it (``_SEVERITY``)."""

_PASSING_STATUSES = {
    "achieved": Reason.ACHIEVED,
    "not_assessed": Reason.NOT_ASSESSED,
    "ahead": Reason.AHEAD,
    "on_track": Reason.ON_TRACK,
}


@dataclass(frozen=True)
class PacingRow:
    """The columns of one ``fct_goal_pacing_daily`` row that the decision and its explanation read."""

    goal_target_id: str
    goal_id: str
    goal_name: str
    owner_key: str | None
    metric_kind: str
    metric_unit: str
    period_type: str
    period_start: date
    period_end: date
    days_remaining: int
    as_of_date: date
    target: float
    actual_to_date: float | None
    expected_to_date: float | None
    pace_index: float | None
    projected_finish: float | None
    projection_method: str
    projected_attainment: float | None
    projected_attainment_rr: float | None
    required_run_rate_per_week: float | None
    current_run_rate_per_week: float | None
    best_run_rate_per_week: float | None
    is_infeasible: bool | None
    status: str
    status_reason: str | None
    consecutive_off_track_days: int

    @classmethod
    def columns(cls) -> tuple[str, ...]:
        """The mart columns to select, in field order."""
        return tuple(field.name for field in fields(cls))

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> PacingRow:
        return cls(**{name: record[name] for name in cls.columns()})


@dataclass(frozen=True)
class Verdict:
    """A goal check's outcome: ``severity`` is None exactly when the goal passed."""

    passed: bool
    severity: Severity | None
    reason: Reason
    explanation: str
    drift: float | None
    """Change of the run-rate attainment over the drift window (None without a row that old)."""

    @property
    def label(self) -> str:
        """The status word (``STATUS_LABELS``): what the table shows and the explanation starts with."""
        return STATUS_LABELS[self.reason]


def decide(
    today: PacingRow, history: Iterable[PacingRow], drift_settings: Drift, thresholds: Thresholds
) -> Verdict:
    """The verdict for ``today``; ``history`` holds the goal target's earlier rows (any order, any
    period: rows of other periods and of later days are ignored)."""
    earlier = sorted(
        (
            row
            for row in history
            if row.period_start == today.period_start and row.as_of_date < today.as_of_date
        ),
        key=lambda row: row.as_of_date,
    )
    drift = _drift(today, earlier, drift_settings.window_days)
    reason = _reason(today, earlier, drift, drift_settings, thresholds)
    severity = _SEVERITY.get(reason)
    return Verdict(
        passed=severity is None,
        severity=severity,
        reason=reason,
        explanation=f"{_headline(reason, today, drift, drift_settings)}. {describe_numbers(today)}",
        drift=drift,
    )


def missing_row_verdict(
    goal_name: str, owner_key: str | None, first_day: date, as_of: date | None
) -> Verdict:
    """The verdict for a goal line the mart has no row for as of ``as_of``.

    Before the goal's first day that is expected (pass); afterwards dbt could not pace it: a
    ``per_owner`` rep who is not a HubSpot owner, or marts not rebuilt since goals.yml changed
    (WARN, so the mistake gets fixed rather than silently unchecked).
    """
    if as_of is not None and as_of < first_day:
        starts = f"Not started: {goal_name} starts on {first_day:%d %b %Y}."
        return Verdict(True, None, Reason.NOT_STARTED, starts, None)
    hint = (
        f"is {owner_key} a HubSpot owner?"
        if owner_key
        else "were the goals landed and the marts rebuilt after goals.yml changed?"
    )
    when = f"as of {as_of.isoformat()}" if as_of else "in the warehouse"
    who = f" ({owner_key})" if owner_key else ""
    return Verdict(
        passed=False,
        severity=Severity.WARN,
        reason=Reason.NO_PACING_ROW,
        explanation=f"No data: {goal_name}{who} has no pacing row {when}; {hint}",
        drift=None,
    )


_SEVERITY = {
    Reason.DRIFTING: Severity.WARN,
    Reason.AT_RISK: Severity.WARN,
    Reason.OFF_TRACK_STARTED: Severity.WARN,
    Reason.NO_PACING_ROW: Severity.WARN,
    Reason.MISSED: Severity.WARN,
    Reason.OFF_TRACK: Severity.ERROR,
    Reason.INFEASIBLE: Severity.ERROR,
    Reason.NOT_RECOVERED: Severity.ERROR,
}


def _reason(
    today: PacingRow,
    earlier: Sequence[PacingRow],
    drift: float | None,
    settings: Drift,
    thresholds: Thresholds,
) -> Reason:
    if is_finished(today):
        # the period is over: its final outcome, not its pace (the mart's status is `achieved`
        # on a finished period exactly when the target was met, for either direction)
        return Reason.ACHIEVED if today.status == "achieved" else Reason.MISSED
    if _raises_error(today, settings):
        return Reason.INFEASIBLE if today.is_infeasible else Reason.OFF_TRACK
    if _alarm_open(earlier, settings) and not _clears(today, settings):
        return Reason.NOT_RECOVERED
    if today.status == "off_track":
        return Reason.OFF_TRACK_STARTED
    if today.status == "at_risk":
        return Reason.AT_RISK
    if (
        today.status in ("on_track", "ahead")
        and drift is not None
        and drift <= -settings.warn_drop
        and (today.projected_attainment is None or today.projected_attainment < thresholds.ahead)
    ):
        return Reason.DRIFTING
    return _PASSING_STATUSES[today.status]


def is_finished(row: PacingRow) -> bool:
    """Whether the row's period ended before its day: the goal has no later period to pace."""
    return row.as_of_date > row.period_end


def _raises_error(row: PacingRow, settings: Drift) -> bool:
    return row.status == "off_track" and (
        bool(row.is_infeasible) or row.consecutive_off_track_days >= settings.error_after_days
    )


def _clears(row: PacingRow, settings: Drift) -> bool:
    """Whether an open ERROR closes on this row: target reached, or pace back at ``clear_at``."""
    return row.status == "achieved" or (row.pace_index is not None and row.pace_index >= settings.clear_at)


def _alarm_open(earlier: Sequence[PacingRow], settings: Drift) -> bool:
    """Whether an ERROR raised earlier in the period is still open after the last of ``earlier``."""
    open_alarm = False
    for row in earlier:
        open_alarm = _raises_error(row, settings) or (open_alarm and not _clears(row, settings))
    return open_alarm


def _drift(today: PacingRow, earlier: Sequence[PacingRow], window_days: int) -> float | None:
    """Run-rate attainment now minus ``window_days`` ago, within the period (the mart's drift basis)."""
    then = today.as_of_date - timedelta(days=window_days)
    past = next((row for row in earlier if row.as_of_date == then), None)
    if past is None or past.projected_attainment_rr is None or today.projected_attainment_rr is None:
        return None
    return today.projected_attainment_rr - past.projected_attainment_rr


# -- explanation -------------------------------------------------------------------------------


def _headline(reason: Reason, row: PacingRow, drift: float | None, settings: Drift) -> str:
    pace = _pace(row.pace_index)
    days = row.consecutive_off_track_days
    if is_finished(row):
        return _final_headline(row)
    match reason:
        case Reason.ACHIEVED:
            return "Achieved: target reached"
        case Reason.NOT_ASSESSED:
            return f"Not assessed yet ({row.status_reason or 'too early in the period'})"
        case Reason.AHEAD:
            return f"Ahead of pace (pace index {pace})"
        case Reason.ON_TRACK:
            return f"On track ({row.status_reason or 'on pace'}, pace index {pace})"
        case Reason.DRIFTING:
            now = row.projected_attainment_rr or 0.0
            return (
                f"Drifting: still {row.status.replace('_', ' ')}, but the run-rate projection fell from "
                f"{now - (drift or 0.0):.0%} to {now:.0%} of target in {settings.window_days} days"
            )
        case Reason.AT_RISK:
            return f"At risk ({row.status_reason or 'behind pace'}, pace index {pace})"
        case Reason.OFF_TRACK_STARTED:
            return f"Off track since today ({row.status_reason or 'behind pace'}, pace index {pace})"
        case Reason.OFF_TRACK:
            return f"Off track for {days} days in a row (pace index {pace})"
        case Reason.INFEASIBLE:
            return f"Out of reach: off track ({row.status_reason or 'required run-rate too high'})"
        case Reason.NOT_RECOVERED:
            return f"Still off track: pace index {pace} has not recovered to {settings.clear_at:.2f}"
    raise ValueError(f"no headline for {reason}")


def _final_headline(row: PacingRow) -> str:
    """A finished period's outcome: "Missed by 20,000 (period ended 31 Dec 2026)"."""
    ended = f"the {_PERIOD_NOUNS.get(row.period_type, 'period')} ended {row.period_end:%d %b %Y}"
    if row.status == "achieved":
        return f"Achieved: target reached ({ended})"
    if row.actual_to_date is None:
        return f"Missed: nothing to measure ({ended})"
    return f"Missed by {shortfall(row.actual_to_date, row.target, row.metric_unit)} ({ended})"


def shortfall(actual: float, target: float, unit: str) -> str:
    """How far ``actual`` is from ``target``, unsigned, in the metric's unit (rates in points)."""
    gap = abs(actual - target)
    if unit == "rate":
        return f"{gap * 100:.1f} points"
    return _amount(gap, unit)


def describe_numbers(row: PacingRow) -> str:
    """The row in one sentence: where the goal is, where it is heading, what it needs."""
    name = row.goal_name + (f" ({row.owner_key})" if row.owner_key else "")
    label = period_label(row.period_type, row.period_start)
    if is_finished(row) and row.metric_kind != "ratio":
        unit = row.metric_unit
        return (
            f"{name} for {label}: finished at {_amount(row.actual_to_date, unit)} "
            f"of {_amount(row.target, unit)}"
        )
    if row.metric_kind == "ratio":
        unit = row.metric_unit
        rate, target = _amount(row.actual_to_date, unit), _amount(row.target, unit)
        return f"{name} for {label}: {rate} against a target of {target}"
    unit = row.metric_unit
    parts = [
        f"{name} for {label}: {_amount(row.actual_to_date, unit)} of {_amount(row.target, unit)}, "
        f"expected {_amount(row.expected_to_date, unit)} by today"
    ]
    if row.projected_finish is not None and row.days_remaining > 0:
        basis = "on the forecast" if row.projection_method == "model" else "at the current rate"
        attainment = f" ({row.projected_attainment:.0%})" if row.projected_attainment is not None else ""
        parts.append(f"{basis} you finish at {_amount(row.projected_finish, unit)}{attainment}")
    if row.required_run_rate_per_week is not None and row.days_remaining > 0:
        per_day = row.period_type in ("week", "month")
        rate = row.required_run_rate_per_week / 7 if per_day else row.required_run_rate_per_week
        noun = _PERIOD_NOUNS.get(row.period_type, "period")
        needed = (
            "nothing more"
            if rate <= 0
            else f"{_amount(rate, unit, precise=True)} a {'day' if per_day else 'week'}"
        )
        parts.append(f"you need {needed} for the rest of the {noun}")
    return "; ".join(parts)


_PERIOD_NOUNS = {
    "week": "week",
    "month": "month",
    "quarter": "quarter",
    "year": "year",
    "fiscal_year": "fiscal year",
}


def period_label(period_type: str, start: date) -> str:
    """A period as a sentence names it: "November 2026", "the week of 02 Nov 2026", "2026"."""
    if period_type == "month":
        return start.strftime("%B %Y")
    if period_type == "week":
        return f"the week of {start:%d %b %Y}"
    if period_type == "year":
        return str(start.year)
    return f"the {_PERIOD_NOUNS.get(period_type, 'period')} from {start:%b %Y}"


def _pace(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _amount(value: float | None, unit: str, *, precise: bool = False) -> str:
    """A number as a person reads it: rates in percent, money and counts with thousands separators
    (one decimal for small per-day counts, where 4.1 a day and 4 a day differ), multiples as 2.50x."""
    if value is None:
        return "n/a"
    if unit == "rate":
        return f"{value:.1%}"
    if unit == "multiple":
        return f"{value:,.2f}x"
    if precise and abs(value) < 100:
        return f"{value:,.1f}"
    return f"{value:,.0f}"
