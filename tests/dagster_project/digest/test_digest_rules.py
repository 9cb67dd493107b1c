"""The digest's rules without a warehouse: yesterday as the checks saw it, small samples, the chart."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, timedelta

import pytest
from matplotlib import image

from dagster_project.digest.chart import weekly_chart_png
from dagster_project.digest.daily import day_before
from dagster_project.digest.weekly import MIN_SAMPLE, WeeklyReport, WeekRow, rate_text, versus_trailing
from dagster_project.goals.checks import PacingRow
from dagster_project.goals.evaluation import PacingSnapshot
from tests.dagster_project.pacing_rows import ON_TRACK, TODAY


def _day(row: PacingRow, days_back: int) -> PacingRow:
    return replace(row, as_of_date=TODAY - timedelta(days=days_back))


def test_yesterday_is_each_lines_row_of_the_day_before_and_the_history_before_it() -> None:
    leads = [_day(ON_TRACK, 3), _day(ON_TRACK, 2), _day(ON_TRACK, 1)]
    new_period = replace(ON_TRACK, goal_target_id="mrr", period_start=TODAY)  # began today: no yesterday
    gap = replace(ON_TRACK, goal_target_id="gap")
    snapshot = PacingSnapshot(
        as_of=TODAY,
        today={"leads": ON_TRACK, "mrr": new_period, "gap": gap},
        history={"leads": leads, "gap": [_day(gap, 2)]},  # the gap line has no row yesterday
    )
    before = day_before(snapshot)
    assert before.as_of == TODAY - timedelta(days=1)
    assert before.today == {"leads": leads[-1]}
    assert before.history == {"leads": leads[:-1]}


@pytest.mark.parametrize(
    ("numerator", "denominator", "shown"),
    [
        (0, 0, "-"),
        (1, 1, "1/1"),
        (3, 1, "3/1"),
        (2, MIN_SAMPLE - 1, "2/4"),
        (2, MIN_SAMPLE, "40%"),
        (7, 5, "140%"),
    ],
)
def test_a_rate_on_a_small_sample_shows_its_counts(numerator: int, denominator: int, shown: str) -> None:
    assert rate_text(numerator, denominator) == shown


def _week(start: date, **values: float | None) -> WeekRow:
    base = {
        "week_start": start,
        "leads": 40,
        "qualified_leads": 10,
        "first_appointments": 6,
        "proposals": 4,
        "deals_won": 1,
        "deals_lost": 1,
        "qualified_rate": 0.25,
        "appointment_rate": 0.6,
        "proposal_rate": 4 / 6,
        "close_rate": 0.5,
        "won_amount": 1000,
        "avg_sale": 1000,
        "median_days_to_close": 30.0,
        "trailing_qualified_rate": 0.2,
        "trailing_appointment_rate": None,
        "trailing_proposal_rate": 0.5,
        "trailing_close_rate": 0.3,
    }
    return WeekRow({**base, **values})


def test_the_week_is_compared_with_the_trailing_rate_only_on_a_fair_sample() -> None:
    week = _week(date(2026, 11, 16))
    assert versus_trailing(week, "qualified_rate", "qualified_leads", "leads") == (
        "25% vs 20% over the 8 weeks before (+5 pts)"
    )
    assert versus_trailing(week, "appointment_rate", "first_appointments", "qualified_leads") == (
        "60% (no earlier weeks to compare)"
    )
    assert versus_trailing(week, "close_rate", "deals_won", "closed") == "1/2 (too few to compare)"


def test_the_chart_is_a_png_of_the_weeks_and_of_no_weeks() -> None:
    weeks = tuple(_week(date(2026, 9, 28) + timedelta(weeks=n), leads=30 + n) for n in range(8))
    for report in (
        WeeklyReport(as_of=TODAY, currency="GBP", weeks=weeks, reps=()),
        WeeklyReport(as_of=TODAY, currency="GBP", weeks=(), reps=()),
    ):
        pixels = image.imread(io.BytesIO(weekly_chart_png(report)), format="png")
        assert pixels.shape[:2] == (400, 800)
