"""Goal pacing and the forecast, held to the sandbox's truth.

The shared ``sandbox_warehouse`` (seed 7, scale 0.3, the shipped goals.yml) checks that what the
pacing marts call "actual to date" is exactly the truth's realised series over the same days.
The shipped goals are sized for the demo business (seed 42, scale 1.0), so the status mix is
checked on that business, built once by the module's own fixture at the same fixed as-of day.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
from dbt_warehouse import SandboxWarehouse, dbt_build, land_sandbox

from dagster_project.goals.report import goal_outcomes, goals_report
from dagster_project.settings import SHIPPED_GOALS_FILE
from sandbox.simulation.config import SandboxConfig

pytestmark = pytest.mark.slow

DEMO_CONFIG = SandboxConfig(seed=42, scale=1.0, as_of=date(2026, 11, 23))
"""``make demo``'s business (SandboxResource defaults) at a fixed day."""


def _status(warehouse: SandboxWarehouse) -> dict[str, dict[str, Any]]:
    rows = warehouse.records("select * from marts.mart_goal_status")
    return {row["goal_target_id"]: row for row in rows}


def _months(series: Mapping[str, Any], first: str, last: str) -> list[Any]:
    return [value for month, value in series.items() if first <= month <= last]


def test_actuals_to_date_equal_the_truth(sandbox_warehouse: SandboxWarehouse) -> None:
    realised = sandbox_warehouse.truth["realised"]
    status = _status(sandbox_warehouse)
    won = realised["deals_won_by_month"]

    leads = realised["leads_by_month_source"]["2026-11"]
    assert status["leads_monthly"]["actual_to_date"] == sum(leads.values())
    assert status["deals_won_quarterly"]["actual_to_date"] == sum(
        row["count"] for row in _months(won, "2026-10", "2026-11")
    )
    assert status["bookings_monthly"]["actual_to_date"] == pytest.approx(won["2026-11"]["amount"], abs=0.01)
    assert status["new_mrr_monthly"]["actual_to_date"] == pytest.approx(won["2026-11"]["mrr"], abs=0.01)
    revenue_ytd = sum(_months(realised["revenue_by_month"], "2026-01", "2026-11"))
    assert status["revenue_fy"]["actual_to_date"] == pytest.approx(revenue_ytd, abs=0.01 * 11)
    mrr, mrr_by_month = status["mrr_year_end"], realised["mrr_by_month"]
    assert mrr["actual_to_date"] == pytest.approx(mrr_by_month["2026-11"], abs=0.01)
    assert mrr["baseline_value"] == pytest.approx(mrr_by_month["2025-12"], abs=0.01)


def test_close_rate_goal_counts_the_quarters_closed_deals(sandbox_warehouse: SandboxWarehouse) -> None:
    realised = sandbox_warehouse.truth["realised"]
    row = _status(sandbox_warehouse)["close_rate_quarterly"]
    won = sum(r["count"] for r in _months(realised["deals_won_by_month"], "2026-10", "2026-11"))
    lost = sum(_months(realised["deals_lost_by_month"], "2026-10", "2026-11"))

    assert (row["ratio_numerator"], row["ratio_denominator"]) == (won, won + lost)
    assert row["wilson_lower_rate"] <= row["actual_to_date"] <= row["wilson_upper_rate"]


def test_pacing_history_is_daily_and_consistent(sandbox_warehouse: SandboxWarehouse) -> None:
    days, first, last = sandbox_warehouse.query(
        "select count(distinct as_of_date), min(as_of_date), max(as_of_date) from marts.fct_goal_pacing_daily"
    )[0]
    assert (days, last) == (28, sandbox_warehouse.as_of)
    # a monthly flow goal's actual never decreases within its month
    decreasing = sandbox_warehouse.query(
        """
        select count(*) from (
            select actual_to_date < lag(actual_to_date) over (
                partition by period_start order by as_of_date
            ) as dips
            from marts.fct_goal_pacing_daily where goal_id = 'leads_monthly'
        ) where dips
        """
    )[0][0]
    assert decreasing == 0 and first > date(2026, 10, 1)


def test_forecast_backtest_beats_the_weighted_pipeline(sandbox_warehouse: SandboxWarehouse) -> None:
    ours, baseline, months = sandbox_warehouse.query(
        """
        select avg(forecast_abs_pct_error_rate), avg(baseline_abs_pct_error_rate), count(*)
        from marts.fct_forecast_accuracy where metric_name = 'bookings'
        """
    )[0]
    assert months == 12
    assert ours < baseline


@pytest.fixture(scope="module")
def demo_warehouse() -> Iterator[SandboxWarehouse]:
    """The demo business landed and built as of DEMO_CONFIG.as_of (a few minutes: scale 1.0)."""
    with tempfile.TemporaryDirectory(prefix="milemarker-demo-") as tmp:
        scratch = Path(tmp)
        warehouse = scratch / "warehouse.duckdb"
        truth = land_sandbox(DEMO_CONFIG, warehouse, scratch)
        dbt_build(warehouse, DEMO_CONFIG.as_of, scratch)
        yield SandboxWarehouse(path=warehouse, as_of=DEMO_CONFIG.as_of, truth=truth)


def test_shipped_goals_show_every_status_on_the_demo_business(demo_warehouse: SandboxWarehouse) -> None:
    statuses = {row["status"] for row in _status(demo_warehouse).values()}
    assert {"ahead", "on_track", "at_risk", "off_track"} <= statuses

    report = goals_report(demo_warehouse.path, SHIPPED_GOALS_FILE).text
    assert "Goal pacing as of 2026-11-23" in report
    assert all(label in report for label in ("ahead", "on track", "AT RISK (WARN)", "OFF TRACK ("))


def test_the_tables_status_is_the_checks_verdict_in_the_same_words(demo_warehouse: SandboxWarehouse) -> None:
    outcomes = goal_outcomes(demo_warehouse.path, SHIPPED_GOALS_FILE)
    table = goals_report(demo_warehouse.path, SHIPPED_GOALS_FILE).text.split("\n\n", 1)[0].splitlines()
    for outcome in outcomes:
        verdict = outcome.verdict
        word = f"{verdict.label.upper()} ({verdict.severity})" if verdict.severity else verdict.label
        rep = (outcome.line.owner_key or "").split("@")[0]
        name = outcome.line.goal_name + (f" ({rep})" if rep else "")
        [line] = [line for line in table if line.startswith(name + " ")]
        assert line.endswith(word), (line, word)
        assert verdict.explanation.lower().startswith(verdict.label), verdict.explanation


STREAK_LONGER_THAN_ITS_PERIOD = """
    select goal_target_id, as_of_date, period_start, consecutive_off_track_days
    from marts.fct_goal_pacing_daily
    where consecutive_off_track_days > date_diff('day', period_start, as_of_date) + 1
"""
"""Rows whose off-track streak reaches back before their own period began (the period is its unit)."""


def streaks_across_periods(warehouse: Path) -> list[tuple[object, ...]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(STREAK_LONGER_THAN_ITS_PERIOD).fetchall()


@pytest.mark.parametrize("business", ["sandbox_warehouse", "demo_warehouse"])
def test_the_off_track_streak_never_crosses_a_period_boundary(
    business: str, request: pytest.FixtureRequest
) -> None:
    """Seeds 7 and 42 as of 2026-11-23: the 28 days written cross the start of November."""
    warehouse: SandboxWarehouse = request.getfixturevalue(business)
    assert warehouse.query(
        "select count(*) from marts.fct_goal_pacing_daily where as_of_date = '2026-11-01'"
    )[0][0]
    assert streaks_across_periods(warehouse.path) == []
