"""Goal status alerts: one when a goal's status changes for the worse, one when it recovers.

A goal check runs every day and a goal behind pace stays behind for weeks; an alert every morning
would be read once and then filtered. So the alert is about the *change*: the state file keeps each
goal check's last status (:func:`goal_state`) and an alert is raised only when it differs, and only
when the goal is failing now or was failing before (on track -> ahead is not news; at risk -> off
track and off track -> on track are).

Statuses that a reader takes as one are one state: off track on its first day (WARN), for days in
a row (ERROR) and not yet recovered (the check's hysteresis) are all "off track" -- the check's
severity escalating is not a new fact about the goal. The alert carries the check's own sentence,
which already says what to do ("you need 11.8 a day for the rest of the month"), and the numbers
behind it in the goal's unit.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from dagster_project.alerts.amounts import amount, weekly
from dagster_project.alerts.events import Alert, AlertKind, AlertSeverity, Fact, GoalFigures
from dagster_project.alerts.outcomes import CheckOutcome
from dagster_project.goals.checks import STATUS_LABELS, Reason

_ONE_STATUS = {Reason.OFF_TRACK_STARTED: Reason.OFF_TRACK, Reason.NOT_RECOVERED: Reason.OFF_TRACK}
_FAILING, _PASSING = "fail", "pass"


def goal_state(outcome: CheckOutcome) -> str:
    """``fail:off_track``, ``pass:on_track``: whether the check passed, and the goal's status."""
    reason = str(outcome.metadata.get("reason") or "unknown")
    if reason in set(Reason):
        reason = _ONE_STATUS.get(Reason(reason), Reason(reason)).value
    return f"{_PASSING if outcome.passed else _FAILING}:{reason}"


def goal_alert(outcome: CheckOutcome, previous_state: str | None, raised_at: datetime) -> Alert | None:
    """The alert for ``outcome`` given the goal's last recorded state, or None when it is not news."""
    state = goal_state(outcome)
    was_failing = previous_state is not None and previous_state.startswith(f"{_FAILING}:")
    if state == previous_state or (outcome.passed and not was_failing):
        return None
    status = _label(state)
    previous = _label(previous_state) if previous_state else None
    name = _goal_name(outcome)
    if outcome.passed:
        title, severity = f"{name} recovered: {previous} → {status}", AlertSeverity.INFO
    else:
        title = f"{name}: {previous} → {status}" if previous else f"{name}: {status}"
        severity = AlertSeverity.ERROR if outcome.severity == "ERROR" else AlertSeverity.WARNING
    figures = _figures(outcome, status, previous)
    return Alert(
        kind=AlertKind.GOAL_STATUS,
        severity=severity,
        title=title,
        text=outcome.description or f"{name} is {status}.",
        raised_at=raised_at,
        facts=_facts(figures, outcome.metadata),
        run_id=outcome.run_id,
        job_name=outcome.job_name,
        goal=figures,
        asset=outcome.asset,
        check=outcome.check_name,
        as_of_date=_text(outcome.metadata.get("as_of_date")),
    )


def _label(state: str) -> str:
    """The status word the goal checks use (``at risk``), for a state."""
    reason = state.partition(":")[2]
    return STATUS_LABELS[Reason(reason)] if reason in set(Reason) else reason.replace("_", " ")


def _goal_name(outcome: CheckOutcome) -> str:
    name = _text(outcome.metadata.get("goal_name")) or outcome.check_name
    owner = _text(outcome.metadata.get("owner"))
    return f"{name} ({owner})" if owner else name


def _figures(outcome: CheckOutcome, status: str, previous: str | None) -> GoalFigures:
    metadata = outcome.metadata
    return GoalFigures(
        check_name=outcome.check_name,
        goal_id=_text(metadata.get("goal_id")),
        owner=_text(metadata.get("owner")),
        status=status,
        previous_status=previous,
        unit=_text(metadata.get("unit")),
        actual=_number(metadata.get("actual")),
        target=_number(metadata.get("target")),
        expected=_number(metadata.get("expected")),
        projected_finish=_number(metadata.get("projected_finish")),
        required_run_rate_per_week=_number(metadata.get("required_run_rate_per_week")),
        current_run_rate_per_week=_number(metadata.get("current_run_rate_per_week")),
    )


def _facts(figures: GoalFigures, metadata: Mapping[str, Any]) -> tuple[Fact, ...]:
    unit = figures.unit
    status = (
        f"{figures.status} (was {figures.previous_status})" if figures.previous_status else figures.status
    )
    amounts = [
        ("Actual", figures.actual, amount),
        ("Target", figures.target, amount),
        ("Expected by now", figures.expected, amount),
        ("Projected finish", figures.projected_finish, amount),
        ("Required run-rate", figures.required_run_rate_per_week, weekly),
        ("Current run-rate", figures.current_run_rate_per_week, weekly),
    ]
    facts = [Fact("Status", status)]
    facts += [Fact(name, render(value, unit)) for name, value, render in amounts if value is not None]
    if as_of := _text(metadata.get("as_of_date")):
        facts.append(Fact("As of", as_of))
    return tuple(facts)


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
