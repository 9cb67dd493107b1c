"""The goal check's severity decision over a table of cases (marts.md E5): every status, drift,
hysteresis, the infeasible run-rate and the guards, plus the one-line explanation."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from pacing_rows import ON_TRACK, TODAY

from dagster_project.config.goals import Drift, Thresholds
from dagster_project.goals.checks import (
    PacingRow,
    Reason,
    Severity,
    decide,
    describe_numbers,
    missing_row_verdict,
)

DRIFT = Drift()  # window 14 days, warn_drop 0.10, error after 2 days, clears at 0.90
THRESHOLDS = Thresholds()  # ahead 1.05


def day(days_before: int, **changes: object) -> PacingRow:
    """The goal's row ``days_before`` days before today, with ``changes``."""
    return replace(ON_TRACK, as_of_date=TODAY - timedelta(days=days_before), **changes)


OFF = {"status": "off_track", "pace_index": 0.7, "projected_attainment": 0.7, "projected_attainment_rr": 0.7}
AT_RISK = {"status": "at_risk", "pace_index": 0.88}

CASES = {
    # name: (today, history, passed, severity, reason)
    "achieved": (day(0, status="achieved", pace_index=1.3), [], True, None, Reason.ACHIEVED),
    "not assessed (guards)": (
        day(0, status="not_assessed", pace_index=0.2, status_reason="too early in the period"),
        [],
        True,
        None,
        Reason.NOT_ASSESSED,
    ),
    "ahead": (day(0, status="ahead", pace_index=1.2, projected_attainment=1.2), [], True, None, Reason.AHEAD),
    "on track": (day(0), [], True, None, Reason.ON_TRACK),
    "at risk": (day(0, **AT_RISK), [], False, Severity.WARN, Reason.AT_RISK),
    "first day off track": (
        day(0, **OFF, consecutive_off_track_days=1),
        [day(1, **AT_RISK)],
        False,
        Severity.WARN,
        Reason.OFF_TRACK_STARTED,
    ),
    "second day off track": (
        day(0, **OFF, consecutive_off_track_days=2),
        [day(1, **OFF, consecutive_off_track_days=1)],
        False,
        Severity.ERROR,
        Reason.OFF_TRACK,
    ),
    "infeasible run-rate on its first day": (
        day(0, **OFF, is_infeasible=True, consecutive_off_track_days=1),
        [],
        False,
        Severity.ERROR,
        Reason.INFEASIBLE,
    ),
    "drifting: on track but attainment fell 0.20 in 14 days": (
        day(0),
        [day(14, projected_attainment_rr=1.2), day(7, projected_attainment_rr=1.1)],
        False,
        Severity.WARN,
        Reason.DRIFTING,
    ),
    "drift exactly at warn_drop warns": (
        day(0, projected_attainment_rr=1.0),
        [day(14, projected_attainment_rr=1.1)],
        False,
        Severity.WARN,
        Reason.DRIFTING,
    ),
    "drift smaller than warn_drop passes": (
        day(0),
        [day(14, projected_attainment_rr=1.09)],
        True,
        None,
        Reason.ON_TRACK,
    ),
    "drift of a goal still projected ahead passes": (
        day(0, status="ahead", pace_index=1.3, projected_attainment=1.3, projected_attainment_rr=1.3),
        [day(14, projected_attainment_rr=1.6)],
        True,
        None,
        Reason.AHEAD,
    ),
    "drift needs a row exactly window_days old": (
        day(0),
        [day(13, projected_attainment_rr=1.5), day(15, projected_attainment_rr=1.5)],
        True,
        None,
        Reason.ON_TRACK,
    ),
    "drift never compares across periods": (
        day(0, period_start=date(2026, 11, 10)),
        [day(14, period_start=date(2026, 10, 27), projected_attainment_rr=1.5)],
        True,
        None,
        Reason.ON_TRACK,
    ),
    "hysteresis: an ERROR stays while the pace index is below clear_at": (
        day(0, **AT_RISK),
        [day(2, **OFF, consecutive_off_track_days=1), day(1, **OFF, consecutive_off_track_days=2)],
        False,
        Severity.ERROR,
        Reason.NOT_RECOVERED,
    ),
    "hysteresis: on track by the noise cap is not a recovery": (
        day(0, pace_index=0.89),
        [day(3, **OFF, consecutive_off_track_days=2), day(1, **AT_RISK)],
        False,
        Severity.ERROR,
        Reason.NOT_RECOVERED,
    ),
    "hysteresis: the ERROR clears at clear_at (at risk again is a WARN)": (
        day(0, status="at_risk", pace_index=0.9),
        [day(2, **OFF, consecutive_off_track_days=2), day(1, **AT_RISK)],
        False,
        Severity.WARN,
        Reason.AT_RISK,
    ),
    "hysteresis: a cleared ERROR stays cleared": (
        day(0, **AT_RISK),
        [day(3, **OFF, consecutive_off_track_days=2), day(2, pace_index=0.93), day(1, **AT_RISK)],
        False,
        Severity.WARN,
        Reason.AT_RISK,
    ),
    "hysteresis: reaching the target clears it": (
        day(0, status="achieved", pace_index=0.8),
        [day(1, **OFF, consecutive_off_track_days=3)],
        True,
        None,
        Reason.ACHIEVED,
    ),
    "hysteresis: a new period starts clean": (
        day(0, period_start=date(2026, 11, 16), status="not_assessed", pace_index=0.5),
        [day(5, period_start=date(2026, 11, 9), **OFF, consecutive_off_track_days=4)],
        True,
        None,
        Reason.NOT_ASSESSED,
    ),
    "hysteresis: off track again after an open ERROR is still an ERROR": (
        day(0, **OFF, consecutive_off_track_days=1),
        [day(3, **OFF, consecutive_off_track_days=2), day(1, **AT_RISK)],
        False,
        Severity.ERROR,
        Reason.NOT_RECOVERED,
    ),
    "history after today is ignored": (
        day(0),
        [replace(ON_TRACK, as_of_date=TODAY + timedelta(days=1), **OFF, consecutive_off_track_days=5)],
        True,
        None,
        Reason.ON_TRACK,
    ),
}


@pytest.mark.parametrize(
    ("today", "history", "passed", "severity", "reason"), CASES.values(), ids=CASES.keys()
)
def test_decision_table(
    today: PacingRow, history: list[PacingRow], passed: bool, severity: Severity | None, reason: Reason
) -> None:
    verdict = decide(today, reversed(history), DRIFT, THRESHOLDS)

    assert (verdict.passed, verdict.severity, verdict.reason) == (passed, severity, reason)


def test_error_after_days_is_read_from_the_settings() -> None:
    three_days = Drift(error_after_days=3)
    second_day = day(0, **OFF, consecutive_off_track_days=2)

    assert decide(second_day, [], three_days, THRESHOLDS).severity is Severity.WARN
    assert decide(replace(second_day, consecutive_off_track_days=3), [], three_days, THRESHOLDS).severity is (
        Severity.ERROR
    )


def test_drift_window_and_warn_drop_are_read_from_the_settings() -> None:
    history = [day(7, projected_attainment_rr=1.06)]

    assert decide(day(0), history, DRIFT, THRESHOLDS).reason is Reason.ON_TRACK
    verdict = decide(day(0), history, Drift(window_days=7, warn_drop=0.05), THRESHOLDS)
    assert verdict.reason is Reason.DRIFTING
    assert verdict.drift == pytest.approx(-0.06)


def test_the_explanation_reads_as_one_line_with_the_numbers() -> None:
    row = replace(
        ON_TRACK,
        actual_to_date=31.0,
        expected_to_date=38.0,
        projected_finish=47.0,
        projected_attainment=47 / 60,
        required_run_rate_per_week=4.1 * 7,
        status="at_risk",
        status_reason="behind pace",
        pace_index=31 / 38,
    )

    verdict = decide(row, [], DRIFT, THRESHOLDS)

    assert verdict.explanation == (
        "At risk (behind pace, pace index 0.82). Leads for November 2026: 31 of 60, expected 38 by "
        "today; at the current rate you finish at 47 (78%); you need 4.1 a day for the rest of the month"
    )
    assert "\n" not in verdict.explanation


def test_the_explanation_names_the_rep_the_forecast_and_weekly_rates_of_long_periods() -> None:
    row = replace(
        ON_TRACK,
        goal_name="Bookings",
        owner_key="alice@example.com",
        metric_unit="money",
        period_type="quarter",
        period_start=date(2026, 10, 1),
        target=400_000.0,
        actual_to_date=250_000.0,
        expected_to_date=240_000.0,
        projected_finish=410_000.0,
        projection_method="model",
        projected_attainment=1.025,
        required_run_rate_per_week=25_000.0,
    )

    assert describe_numbers(row) == (
        "Bookings (alice@example.com) for the quarter from Oct 2026: 250,000 of 400,000, expected "
        "240,000 by today; on the forecast you finish at 410,000 (102%); you need 25,000 a week for the "
        "rest of the quarter"
    )


def test_ratio_goals_are_explained_against_their_target_rate() -> None:
    row = replace(ON_TRACK, goal_name="Close rate", metric_kind="ratio", metric_unit="rate", target=0.35)

    assert describe_numbers(replace(row, actual_to_date=0.28)) == (
        "Close rate for November 2026: 28.0% against a target of 35.0%"
    )


def test_a_missing_row_passes_before_the_goal_starts_and_warns_after() -> None:
    before = missing_row_verdict("Leads", None, first_day=date(2026, 12, 1), as_of=TODAY)
    after = missing_row_verdict("Leads", None, first_day=date(2026, 1, 1), as_of=TODAY)
    unknown_rep = missing_row_verdict("Calls", "zoe@example.com", first_day=date(2026, 1, 1), as_of=TODAY)

    assert (before.passed, before.reason) == (True, Reason.NOT_STARTED)
    assert (after.passed, after.severity, after.reason) == (False, Severity.WARN, Reason.NO_PACING_ROW)
    assert "is zoe@example.com a HubSpot owner?" in unknown_rep.explanation


# -- finished periods (issue 16): a goal whose period is over reports its outcome, never alarms ----

MRR_2026 = replace(
    ON_TRACK,
    goal_target_id="mrr_year_end",
    goal_id="mrr_year_end",
    goal_name="MRR by year end",
    metric_kind="level",
    metric_unit="money",
    period_type="year",
    period_start=date(2026, 1, 1),
    period_end=date(2026, 12, 31),
    days_remaining=0,
    target=850_000.0,
    actual_to_date=830_000.0,
    expected_to_date=850_000.0,
    pace_index=0.6,
    projected_finish=830_000.0,
    projected_attainment=830_000 / 850_000,
    required_run_rate_per_week=None,
    **{key: value for key, value in OFF.items() if key not in ("pace_index", "projected_attainment")},
    consecutive_off_track_days=40,
)
"""A one-off 2026 goal, missed and off track for weeks: what every day of 2027 used to ERROR on."""


def in_2027(days: int, **changes: object) -> PacingRow:
    return replace(MRR_2026, as_of_date=date(2026, 12, 31) + timedelta(days=days), **changes)


def test_a_finished_one_off_goal_that_missed_warns_with_its_shortfall_instead_of_erroring() -> None:
    history = [in_2027(day_) for day_ in range(-5, 12)]

    verdict = decide(in_2027(12), history, DRIFT, THRESHOLDS)

    assert (verdict.passed, verdict.severity, verdict.reason) == (False, Severity.WARN, Reason.MISSED)
    assert verdict.explanation == (
        "Missed by 20,000 (the year ended 31 Dec 2026). "
        "MRR by year end for 2026: finished at 830,000 of 850,000"
    )
    assert "by today" not in verdict.explanation


def test_a_finished_goal_that_reached_its_target_passes() -> None:
    achieved = in_2027(30, status="achieved", actual_to_date=862_000.0, consecutive_off_track_days=0)

    verdict = decide(achieved, [in_2027(1, consecutive_off_track_days=41)], DRIFT, THRESHOLDS)

    assert (verdict.passed, verdict.severity, verdict.reason) == (True, None, Reason.ACHIEVED)
    assert verdict.explanation.startswith("Achieved: target reached (the year ended 31 Dec 2026). ")


def test_the_last_day_of_a_period_is_still_paced_and_can_error() -> None:
    """On period_end the day is still running: the ordinary rules apply (the outcome comes after)."""
    last_day = in_2027(0)

    verdict = decide(last_day, [in_2027(-1)], DRIFT, THRESHOLDS)

    assert (verdict.severity, verdict.reason) == (Severity.ERROR, Reason.OFF_TRACK)


def test_a_finished_ratio_goal_states_its_miss_in_points() -> None:
    ratio = replace(
        ON_TRACK,
        goal_name="Close rate",
        metric_kind="ratio",
        metric_unit="rate",
        target=0.35,
        actual_to_date=0.329,
        status="at_risk",
        as_of_date=date(2026, 12, 3),
    )

    verdict = decide(ratio, [], DRIFT, THRESHOLDS)

    assert verdict.reason is Reason.MISSED
    assert verdict.explanation.startswith("Missed by 2.1 points (the month ended 30 Nov 2026). ")
