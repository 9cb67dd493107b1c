"""Period outcomes (issue 16): mart_goal_period_outcomes, held to fct_goal_pacing_daily and the truth.

Two businesses, two boundaries:

- the shared ``sandbox_warehouse`` (seed 7, as of 2026-11-23): its 28 days of pacing history cross
  the end of October, so every monthly goal has October's outcome, checked against the fact's row
  on 31 October and the truth's realised October;
- a business of its own (seed 42, scale 0.1) landed as of 2027-01-12: its history crosses the end
  of 2026 -- December, Q4, the fiscal year and the one-off ``mrr_year_end`` (which used to ERROR
  every day of 2027) all end inside it. Built once for the module with ``dbt run`` (seeds first),
  only the pacing marts and what they need: about a minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from dbt_warehouse import SANDBOX_CONFIG, SandboxWarehouse, dbt_build, land_sandbox

from dagster_project.goals.checks import Reason, Severity
from dagster_project.goals.report import goal_outcomes, goals_report
from dagster_project.settings import SHIPPED_GOALS_FILE

pytestmark = pytest.mark.slow

NEW_YEAR = replace(SANDBOX_CONFIG, seed=42, scale=0.1, as_of=date(2027, 1, 12))
"""A second seed, its 28 days of history (16 Dec 2026 - 12 Jan 2027) across the end of 2026."""

OUTCOMES = "select * from marts.mart_goal_period_outcomes order by goal_target_id, period_start"

FINAL_ROWS_DISAGREEING = """
    select outcomes.goal_target_id, outcomes.period_start
    from marts.mart_goal_period_outcomes as outcomes
    inner join marts.fct_goal_pacing_daily as pacing
        on outcomes.goal_target_id = pacing.goal_target_id
        and pacing.as_of_date = outcomes.period_end
    where pacing.period_start <> outcomes.period_start
        or not pacing.is_period_complete
        or pacing.target <> outcomes.target
        or pacing.actual_to_date is distinct from outcomes.final_actual
        or pacing.status <> outcomes.final_status
"""
"""Outcomes whose final numbers differ from the fact's row on the period's last day."""

PERIODS_ENDED_IN_HISTORY = """
    select count(*)
    from marts.fct_goal_pacing_daily
    where as_of_date = period_end
        and goal_target_id in (select goal_target_id from marts.mart_goal_status)
"""

CHECKPOINTS_DISAGREEING = """
    select outcomes.goal_target_id, outcomes.period_start, checkpoint.pct
    from marts.mart_goal_period_outcomes as outcomes,
        (values (25), (50), (75)) as checkpoint(pct)
    left join marts.fct_goal_pacing_daily as pacing
        on outcomes.goal_target_id = pacing.goal_target_id
        and outcomes.period_start = pacing.period_start
        and pacing.as_of_date = case checkpoint.pct
            when 25 then outcomes.checkpoint_25_date
            when 50 then outcomes.checkpoint_50_date
            else outcomes.checkpoint_75_date
        end
    where pacing.status is distinct from case checkpoint.pct
            when 25 then outcomes.status_at_25pct
            when 50 then outcomes.status_at_50pct
            else outcomes.status_at_75pct
        end
"""
"""Checkpoint statuses that are not the fact's status on that day (null exactly when it has no row)."""


@pytest.fixture(scope="module")
def new_year_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxWarehouse]:
    scratch = tmp_path_factory.mktemp("period-outcomes")
    warehouse = scratch / "warehouse.duckdb"
    truth = land_sandbox(NEW_YEAR, warehouse, scratch)
    dbt_build(warehouse, NEW_YEAR.as_of, scratch, command="seed")
    dbt_build(
        warehouse,
        NEW_YEAR.as_of,
        scratch,
        select=["+mart_goal_period_outcomes", "+mart_goal_status"],
        command="run",
    )
    yield SandboxWarehouse(path=warehouse, as_of=NEW_YEAR.as_of, truth=truth)


def _outcomes(warehouse: SandboxWarehouse) -> dict[tuple[str, date], dict[str, Any]]:
    return {(row["goal_target_id"], row["period_start"]): row for row in warehouse.records(OUTCOMES)}


def _assert_scored(row: dict[str, Any]) -> None:
    """Outcome, margin and attainment follow from target and final actual (docs/pacing.md)."""
    actual, target = row["final_actual"], row["target"]
    sign = 1 if row["direction"] == "increase" else -1
    assert row["margin"] == pytest.approx(sign * (actual - target))
    assert row["outcome"] == ("achieved" if row["margin"] >= 0 else "missed")
    expected = actual / target if sign == 1 else target / actual
    assert row["attainment"] == pytest.approx(expected)


@pytest.mark.parametrize("business", ["sandbox_warehouse", "new_year_warehouse"])
def test_every_period_that_ended_in_the_history_has_the_fact_s_final_numbers(
    business: str, request: pytest.FixtureRequest
) -> None:
    warehouse: SandboxWarehouse = request.getfixturevalue(business)
    outcomes = warehouse.records(OUTCOMES)

    ended = warehouse.query(PERIODS_ENDED_IN_HISTORY)[0][0]
    with_final_row = [row for row in outcomes if row["final_row_date"] == row["period_end"]]
    assert ended > 0 and len(with_final_row) == ended
    assert warehouse.query(FINAL_ROWS_DISAGREEING) == []
    assert warehouse.query(CHECKPOINTS_DISAGREEING) == []
    assert all(row["period_end"] <= warehouse.as_of for row in outcomes)
    for row in outcomes:
        _assert_scored(row)
    counts = {kind: sum(row["outcome"] == kind for row in outcomes) for kind in ("achieved", "missed")}
    print(f"{business}: {len(outcomes)} periods, {counts}")


def test_october_s_outcomes_are_october_s_truth(sandbox_warehouse: SandboxWarehouse) -> None:
    """Across a month boundary: the October rows equal the realised October, whatever November does."""
    realised = sandbox_warehouse.truth["realised"]
    outcomes = _outcomes(sandbox_warehouse)
    october = date(2026, 10, 1)

    leads = outcomes["leads_monthly", october]
    assert leads["final_actual"] == sum(realised["leads_by_month_source"]["2026-10"].values())
    assert (leads["target"], leads["period_end"]) == (280, date(2026, 10, 31))
    bookings = outcomes["bookings_monthly", october]
    assert bookings["final_actual"] == pytest.approx(
        realised["deals_won_by_month"]["2026-10"]["amount"], abs=0.01
    )
    # only 27-31 October are in the 28 days written: the 25/50/75 % days are not, the history says so
    assert (leads["history_start_date"], leads["history_days"]) == (date(2026, 10, 27), 5)
    assert not leads["is_history_complete"]
    assert leads["status_at_25pct"] is None and leads["checkpoint_25_date"] == date(2026, 10, 8)


def test_the_end_of_a_year_closes_the_month_the_quarter_and_the_one_off_goal(
    new_year_warehouse: SandboxWarehouse,
) -> None:
    outcomes = _outcomes(new_year_warehouse)
    year = date(2026, 1, 1)

    assert {
        ("leads_monthly", date(2026, 12, 1)),
        ("deals_won_quarterly", date(2026, 10, 1)),
    } <= outcomes.keys()
    assert ("revenue_fy", year) in outcomes
    december = outcomes["leads_monthly", date(2026, 12, 1)]
    assert december["target"] == 240  # goals.yml's override for 2026-12
    assert (december["checkpoint_50_date"], december["checkpoint_75_date"]) == (
        date(2026, 12, 16),
        date(2026, 12, 24),
    )
    assert december["status_at_50pct"] is not None and december["status_at_75pct"] is not None

    mrr = outcomes["mrr_year_end", year]
    assert (mrr["final_row_date"], mrr["metric_kind"]) == (date(2026, 12, 31), "level")
    assert mrr["final_actual"] == pytest.approx(
        new_year_warehouse.truth["realised"]["mrr_by_month"]["2026-12"]
    )
    assert [key for key in outcomes if key[0] == "mrr_year_end"] == [("mrr_year_end", year)]


def test_a_finished_one_off_goal_reports_its_outcome_instead_of_alarming(
    new_year_warehouse: SandboxWarehouse,
) -> None:
    """In 2027 the one-off 2026 goal is still paced (its period, complete); the check states the outcome."""
    mrr = _outcomes(new_year_warehouse)["mrr_year_end", date(2026, 1, 1)]
    verdicts = {o.line.goal_id: o.verdict for o in goal_outcomes(new_year_warehouse.path, SHIPPED_GOALS_FILE)}

    verdict = verdicts["mrr_year_end"]
    assert verdict.severity is not Severity.ERROR
    if mrr["outcome"] == "missed":
        assert (verdict.severity, verdict.reason) == (Severity.WARN, Reason.MISSED)
        assert verdict.explanation.startswith("Missed by ")
    else:
        assert (verdict.passed, verdict.reason) == (True, Reason.ACHIEVED)
    assert "by today" not in verdict.explanation


def test_the_terminal_table_lists_the_last_periods(new_year_warehouse: SandboxWarehouse) -> None:
    report = goals_report(new_year_warehouse.path, SHIPPED_GOALS_FILE).text
    lines = report.split("Last periods\n", 1)[1].splitlines()

    december = next(line for line in lines if line.strip().startswith("New leads per month"))
    row = _outcomes(new_year_warehouse)["leads_monthly", date(2026, 12, 1)]
    assert f"December 2026: {row['outcome']} by {abs(row['margin']):,.0f} (" in december
    assert "of 240)" in december
    assert any(line.strip().startswith("MRR by year end \u2014 2026: ") for line in lines)
