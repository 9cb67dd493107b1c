"""The work-backwards plan (mart_goal_plan_weekly) on the real sandbox business.

The exact arithmetic is the dbt unit test's (``_goal_plan__unit_tests.yml``: hand-computed rates,
average sale, gap and weeks left -> weekly counts). Here the plan is held to invariants on the
shared ``sandbox_warehouse`` (seed 7, scale 0.3, as of 2026-11-23), to the marts it is computed
from, and its trailing inputs to the simulation's parameters:

- every conversion rate the plan uses is within three binomial standard errors (``SIGMAS``) of the
  true rate of the same leads, the mixture of each lead source's parameter weighted by that
  source's leads at the stage in the plan's window (as test_truth_funnel does for all cohorts);
- the average new MRR of a win is within three standard errors of its true mean,
  ``mrr_share x mean_mrr_when_recurring`` (a deal has a recurring part with probability
  mrr_share, log-normal), the standard error of a mean of the window's wins.

The shipped goals are sized for the demo business, so on this one no goal is met; the "nothing
left, nothing required" case is checked on a copy of the warehouse whose goal status says two goals
are met (one exactly, one overshot), with only the plan rebuilt over it.
"""

from __future__ import annotations

import itertools
import math
import shutil
from collections.abc import Mapping
from typing import Any

import duckdb
import pytest
from dbt_warehouse import SandboxWarehouse, dbt_build

from dagster_project.goals.plan_table import read_goal_plan, render_goal_plan

pytestmark = pytest.mark.slow

SIGMAS = 3.0
"""Sampling tolerance of the rate and average-sale checks, in standard errors."""

STAGES = ("leads", "qualified", "appointments", "proposals", "wins")
"""The plan's stages, from the top of the funnel down."""

RATES = {
    "lead": ("lead_to_qualified_rate", "qualify_rate"),
    "qualified": ("qualified_to_appointment_rate", "appointment_rate"),
    "appointment": ("appointment_to_proposal_rate", "proposal_rate"),
    "proposal": ("proposal_to_won_rate", "win_rate"),
}
"""Cohort stage -> (the plan's rate column, the lead-source parameter that is its true value)."""

STAGE_EVENTS = {
    "leads": "lead",
    "qualified": "qualified_lead",
    "appointments": "first_appointment",
    "proposals": "proposal",
    "wins": "deal_won",
}
"""The plan's stage -> the fct_funnel_events event its actual counts."""

OUTCOME_METRICS = ("bookings", "new_mrr", "deals_won", "revenue")


def _plan(warehouse: SandboxWarehouse) -> list[dict[str, Any]]:
    return warehouse.records("select * from marts.mart_goal_plan_weekly order by goal_plan_id")


@pytest.fixture(scope="module")
def plan(sandbox_warehouse: SandboxWarehouse) -> list[dict[str, Any]]:
    rows = _plan(sandbox_warehouse)
    assert rows, "the plan is empty"
    return rows


@pytest.fixture(scope="module")
def met_plan(
    sandbox_warehouse: SandboxWarehouse, tmp_path_factory: pytest.TempPathFactory
) -> list[dict[str, Any]]:
    """The plan rebuilt over a copy whose goal status has deals won exactly met, bookings overshot."""
    scratch = tmp_path_factory.mktemp("goal-plan-met")
    path = scratch / "warehouse.duckdb"
    shutil.copyfile(sandbox_warehouse.path, path)
    with duckdb.connect(str(path)) as con:
        con.execute(
            "update marts.mart_goal_status set target = actual_to_date where goal_id = 'deals_won_quarterly'"
        )
        con.execute(
            "update marts.mart_goal_status set target = actual_to_date / 2 where goal_id = 'bookings_monthly'"
        )
    dbt_build(path, sandbox_warehouse.as_of, scratch, select=["mart_goal_plan_weekly"], command="run")
    return _plan(SandboxWarehouse(path=path, as_of=sandbox_warehouse.as_of, truth=sandbox_warehouse.truth))


def test_every_open_outcome_goal_has_a_team_or_rep_plan(
    sandbox_warehouse: SandboxWarehouse, plan: list[dict[str, Any]]
) -> None:
    goals = {
        goal_target_id
        for (goal_target_id,) in sandbox_warehouse.query(
            "select goal_target_id from marts.mart_goal_status"
            " where metric_name in ('bookings', 'new_mrr', 'deals_won', 'revenue') and not is_period_complete"
        )
    }
    assert goals == {row["goal_target_id"] for row in plan}
    owned = {row["goal_target_id"] for row in plan if row["plan_scope"] == "team"}
    assert owned == {g for g in goals if "|" not in g}
    assert {row["metric_name"] for row in plan} <= set(OUTCOME_METRICS)


def test_rep_rows_share_a_team_goal_and_match_the_goal_status(
    sandbox_warehouse: SandboxWarehouse, plan: list[dict[str, Any]]
) -> None:
    status = {
        row["goal_target_id"]: row
        for row in sandbox_warehouse.records(
            "select goal_target_id, target, actual_to_date from marts.mart_goal_status"
        )
    }
    shares: dict[str, float] = {}
    for row in plan:
        goal = status[row["goal_target_id"]]
        gap = max(goal["target"] - goal["actual_to_date"], 0) * row["gap_share"]
        assert row["remaining_amount"] == pytest.approx(gap, abs=0.01), row["goal_plan_id"]
        if row["plan_scope"] == "rep":
            shares[row["goal_target_id"]] = shares.get(row["goal_target_id"], 0) + row["gap_share"]
    for goal_target_id, total in shares.items():
        assert total == pytest.approx(1.0, abs=1e-5), goal_target_id


def test_required_counts_are_non_negative_and_narrow_towards_wins(plan: list[dict[str, Any]]) -> None:
    for row in plan:
        required = [row[f"required_{stage}"] for stage in STAGES]
        assert all(value is not None and value >= 0 for value in required), row["goal_plan_id"]
        rates = [row[column] for column, _ in RATES.values()]
        assert all(0 < rate <= 1 for rate in rates), row["goal_plan_id"]
        assert all(upper >= lower - 0.01 for upper, lower in itertools.pairwise(required)), row[
            "goal_plan_id"
        ]
        assert row["weeks_left"] > 0
        for stage in STAGES:
            assert row[f"required_{stage}_per_week"] * row["weeks_left"] == pytest.approx(
                row[f"required_{stage}"], abs=0.01 * row["weeks_left"]
            )  # both sides rounded: per week to cents, weeks_left to 4 places


def test_binding_stage_is_the_stage_furthest_behind(plan: list[dict[str, Any]]) -> None:
    for row in plan:
        assert row["required_wins"] > 0, "no shipped goal is met on the test business"
        assert row["binding_stage"] in STAGES, row["goal_plan_id"]

        def behind(stage: str, row: Mapping[str, Any] = row) -> float:
            actual = row[f"actual_{stage}_avg_4wk"]
            return math.inf if actual == 0 else row[f"required_{stage}_per_week"] / actual

        worst = max(behind(stage) for stage in STAGES)
        assert behind(row["binding_stage"]) == pytest.approx(worst, rel=1e-3), row["goal_plan_id"]


def test_actuals_are_the_funnel_events_of_the_week_and_the_four_before(
    sandbox_warehouse: SandboxWarehouse, plan: list[dict[str, Any]]
) -> None:
    counts = {
        (owner_id, event_type): (this_week, before)
        for owner_id, event_type, this_week, before in sandbox_warehouse.query(
            """
            select owner_id, event_type,
                count_if(event_date >= cast(date_trunc('week', ?::date) as date)),
                count_if(event_date < cast(date_trunc('week', ?::date) as date))
            from marts.fct_funnel_events
            where event_date between cast(date_trunc('week', ?::date) as date) - 28 and ?::date
            group by all
            """,
            [sandbox_warehouse.as_of] * 4,
        )
    }
    for row in plan:
        for stage, event_type in STAGE_EVENTS.items():
            matching = [
                value
                for (owner_id, kind), value in counts.items()
                if kind == event_type and (row["owner_id"] is None or owner_id == row["owner_id"])
            ]
            assert row[f"actual_{stage}_this_week"] == sum(week for week, _ in matching)
            assert row[f"actual_{stage}_avg_4wk"] == pytest.approx(sum(b for _, b in matching) / 4, abs=0.005)


def test_reachability_compares_lead_to_won_time_with_days_left(plan: list[dict[str, Any]]) -> None:
    for row in plan:
        assert row["median_days_lead_to_won"] > 0
        assert row["is_reachable_by_lead_flow"] == (row["median_days_lead_to_won"] <= row["days_remaining"])


def test_nothing_is_required_once_the_goal_is_met(met_plan: list[dict[str, Any]]) -> None:
    met = [row for row in met_plan if row["goal_id"] in {"deals_won_quarterly", "bookings_monthly"}]
    assert met and {row["goal_id"] for row in met} == {"deals_won_quarterly", "bookings_monthly"}
    for row in met:
        assert row["remaining_amount"] == 0
        assert all(row[f"required_{stage}"] == 0 for stage in STAGES), row["goal_plan_id"]
        assert all(row[f"required_{stage}_per_week"] == 0 for stage in STAGES), row["goal_plan_id"]
        assert row["binding_stage"] is None
        assert row["is_reachable_by_lead_flow"]
    others = [row for row in met_plan if row not in met]
    assert others and all(row["required_wins"] > 0 for row in others)


def _window(sandbox_warehouse: SandboxWarehouse) -> tuple[Any, Any]:
    [(last,)] = sandbox_warehouse.query(
        "select max(cohort_month) from marts.fct_funnel_cohort_conversion where is_matured"
    )
    [(first,)] = sandbox_warehouse.query("select cast(?::date - interval 5 month as date)", [last])
    return first, last


@pytest.mark.parametrize("stage", list(RATES))
def test_trailing_rates_are_near_the_true_rates(
    sandbox_warehouse: SandboxWarehouse, plan: list[dict[str, Any]], stage: str
) -> None:
    first, last = _window(sandbox_warehouse)
    rows = sandbox_warehouse.query(
        """
        select lead_source, sum(entered_count), sum(advanced_count)
        from marts.fct_funnel_cohort_conversion
        where cohort_month between ? and ? and funnel_stage = ?
        group by all
        """,
        [first, last, stage],
    )
    column, parameter = RATES[stage]
    entered = sum(int(n) for _, n, _ in rows)
    advanced = sum(int(a) for _, _, a in rows)
    used = {row[column] for row in plan}
    assert used == {round(advanced / entered, 4)}, f"{column}: one rate for every row, the window's"

    sources = sandbox_warehouse.truth["parameters"]["lead_sources"]
    groups = [(int(n), sources[source][parameter]) for source, n, _ in rows]
    assert entered >= 30, f"{stage}: only {entered} leads in the window"
    expected = sum(n * p for n, p in groups) / entered
    standard_error = math.sqrt(sum(n * p * (1 - p) for n, p in groups)) / entered
    (observed,) = used
    assert abs(observed - expected) <= SIGMAS * standard_error + 5e-5, (
        f"{column}: plan {observed:.4f}, true {expected:.4f} +/- {SIGMAS} x {standard_error:.4f} "
        f"(n={entered})"
    )


def test_average_new_mrr_of_a_win_is_near_the_true_mean(
    sandbox_warehouse: SandboxWarehouse, plan: list[dict[str, Any]]
) -> None:
    deals = sandbox_warehouse.truth["parameters"]["deals"]
    share, sigma = deals["mrr_share"], deals["mrr_sigma"]
    mean_recurring = deals["mean_mrr_when_recurring"]
    variance_recurring = mean_recurring**2 * (math.exp(sigma**2) - 1)
    true_mean = share * mean_recurring
    true_variance = share * (variance_recurring + mean_recurring**2) - true_mean**2

    [row] = [row for row in plan if row["metric_name"] == "new_mrr" and row["plan_scope"] == "team"]
    n = row["sale_sample_deals"]
    assert n >= 20, f"only {n} wins in the sale window"
    standard_error = math.sqrt(true_variance / n)
    assert abs(row["average_sale"] - true_mean) <= SIGMAS * standard_error, (
        f"average new MRR {row['average_sale']:.2f}, true {true_mean:.2f} +/- {SIGMAS} x {standard_error:.2f}"
    )
    [(bookings,)] = sandbox_warehouse.query(
        """
        select round(avg(first_year_value_home), 2) from marts.fct_deals
        where is_won and not is_upsell and closed_date > ?::date - 182 and closed_date <= ?::date
        """,
        [sandbox_warehouse.as_of] * 2,
    )
    assert {r["average_sale"] for r in plan if r["metric_name"] in ("bookings", "revenue")} == {bookings}
    assert {r["average_sale"] for r in plan if r["metric_name"] == "deals_won"} <= {1}


def test_the_terminal_prints_each_team_and_rep_plan_as_the_mart_says(
    sandbox_warehouse: SandboxWarehouse, plan: list[dict[str, Any]], met_plan: list[dict[str, Any]]
) -> None:
    block = render_goal_plan(read_goal_plan(sandbox_warehouse.path)).splitlines()
    shown = [row for row in plan if row["plan_scope"] == "team" or "|" in row["goal_target_id"]]

    assert block[0].startswith("Work backwards: needed per week")
    assert len(block) == 1 + len(shown)
    for line, row in zip(block[1:], shown, strict=True):
        assert line.startswith(f"  {row['goal_name']}")
        needed = [f"{row[f'required_{stage}_per_week']:,.1f} {stage}" for stage in STAGES]
        assert all(part in line for part in needed), line
        ratio = row["binding_ratio"]
        if ratio is not None and ratio <= 1:
            assert line.endswith("; every stage within its recent pace"), line
        else:
            assert f"; binding: {row['binding_stage']}" in line, line
    met = [row for row in met_plan if row["plan_scope"] == "team" and row["remaining_amount"] == 0]
    assert met, "the met plan should hold a team goal with nothing left"
    assert render_goal_plan(met).count("target reached, nothing left to plan") == len(met)
