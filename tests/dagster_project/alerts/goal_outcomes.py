"""Goal check outcomes made by the project's own goal check code, from pacing rows the tests vary.

The rows go through :func:`dagster_project.goals.checks.decide` and
:func:`dagster_project.defs.checks.goals.check_result`, exactly as the daily run's goal checks do,
so the alerts are tested on the real wording and metadata ("you need 5,923 a day ...", unit USD).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import dagster as dg

from dagster_project.alerts.outcomes import CheckOutcome
from dagster_project.config.goals import Drift, Thresholds
from dagster_project.defs.checks.goals import GOAL_STATUS_ASSET, check_result
from dagster_project.goals.checks import PacingRow, decide
from dagster_project.goals.evaluation import GoalLine, GoalOutcome
from tests.dagster_project.pacing_rows import ON_TRACK as LEADS_ON_TRACK

JOB = "materialize_all"

BOOKINGS_LINE = GoalLine(
    check_name="goal_bookings_monthly",
    goal_target_id="bookings_monthly",
    goal_id="bookings_monthly",
    goal_name="Bookings per month",
    owner_key=None,
    first_day=date(2026, 1, 1),
    drift=Drift(),
    thresholds=Thresholds(),
)

ON_TRACK = replace(
    LEADS_ON_TRACK,
    goal_target_id="bookings_monthly",
    goal_id="bookings_monthly",
    goal_name="Bookings per month",
    metric_unit="money",
    target=400_000.0,
    actual_to_date=266_000.0,
    expected_to_date=266_666.67,
    pace_index=0.998,
    projected_finish=399_000.0,
    projected_attainment=0.9975,
    projected_attainment_rr=0.9975,
    required_run_rate_per_week=93_100.0,
    current_run_rate_per_week=93_100.0,
    best_run_rate_per_week=120_000.0,
)
"""November's bookings goal on track on 20 November: the leads row of the goal check tests, in money."""

AT_RISK = replace(
    ON_TRACK,
    actual_to_date=234_000.0,
    pace_index=0.8775,
    projected_finish=351_000.0,
    projected_attainment=0.8775,
    projected_attainment_rr=0.8775,
    required_run_rate_per_week=116_200.0,
    current_run_rate_per_week=81_900.0,
    status="at_risk",
    status_reason="behind pace",
)
OFF_TRACK_DAY_1 = replace(
    AT_RISK,
    actual_to_date=200_000.0,
    pace_index=0.75,
    projected_finish=300_000.0,
    projected_attainment=0.75,
    projected_attainment_rr=0.75,
    required_run_rate_per_week=140_000.0,
    current_run_rate_per_week=70_000.0,
    status="off_track",
    consecutive_off_track_days=1,
)
OFF_TRACK_DAY_2 = replace(OFF_TRACK_DAY_1, consecutive_off_track_days=2)
AHEAD = replace(
    ON_TRACK, pace_index=1.2, projected_attainment=1.2, projected_attainment_rr=1.2, status="ahead"
)


def goal_outcome(
    row: PacingRow, history: Sequence[PacingRow] = (), run_id: str = "run-1", line: GoalLine = BOOKINGS_LINE
) -> CheckOutcome:
    """The goal check's result for ``row`` (as of its day, after ``history``), as the sensor reads it."""
    verdict = decide(row, history, line.drift, line.thresholds)
    result = check_result(GoalOutcome(line=line, verdict=verdict, row=row), "USD")
    return outcome_of(result, run_id)


def outcome_of(result: dg.AssetCheckResult, run_id: str) -> CheckOutcome:
    metadata: dict[str, Any] = {key: value.value for key, value in result.metadata.items()}
    assert result.check_name is not None
    return CheckOutcome(
        asset=GOAL_STATUS_ASSET.to_user_string(),
        check_name=result.check_name,
        passed=result.passed,
        severity=None if result.passed else result.severity.value,
        description=result.description,
        metadata=metadata,
        is_goal=True,
        run_id=run_id,
        job_name=JOB,
    )


def earlier(row: PacingRow, days: int) -> PacingRow:
    """``row`` as it was ``days`` before (its history, for the check's hysteresis)."""
    return replace(row, as_of_date=row.as_of_date - timedelta(days=days))


def quality_outcome(
    passed: bool, severity: str = "ERROR", description: str | None = None, run_id: str = "run-1"
) -> CheckOutcome:
    """A raw-table key check's outcome."""
    return CheckOutcome(
        asset="raw_hubspot/deals",
        check_name="primary_key_unique",
        passed=passed,
        severity=None if passed else severity,
        description=description,
        metadata={},
        is_goal=False,
        run_id=run_id,
        job_name=JOB,
    )
