"""The funnel marts against the sandbox's ground truth.

Realised numbers (leads per month and source, cohort reach, deals won and lost per month with their
values, close rate, days to close) must equal the truth exactly: the marts and the simulation
follow the same written definitions (``truth["definitions"]``). Rates are held to the simulation's
*parameters* within a stated sampling tolerance: three binomial standard errors of the expected
rate, where the expectation weights each lead source's (or deal kind's) true rate by how many of
its records the sample holds, so a shift in the source mix cannot pass for a conversion error.

The exact tests run twice: on the shared warehouse as of its day, and on the same landed data with
the funnel models rebuilt as of an earlier day, against the truth at that day. Records created,
closed or archived after a past as-of day must not leak into it (backfills and backtests rely on
that).
"""

from __future__ import annotations

import math
import shutil
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from dbt_warehouse import SANDBOX_CONFIG, SandboxWarehouse, dbt_build

from sandbox.simulation.business import SimulatedBusiness

SIGMAS = 3.0
"""Sampling tolerance of every rate test, in standard errors."""

SETTLED_DAYS = 180
"""Deals created at least this long before the as-of day have all closed (the slowest paths take
about 100 days), so their close rate and time to close are free of right-censoring."""

STAGE_PARAMETER = {
    "lead": "qualify_rate",
    "qualified": "appointment_rate",
    "appointment": "proposal_rate",
    "proposal": "win_rate",
}
"""The lead-source parameter that is the true conversion from each funnel stage to the next."""

PAST_AS_OF = date(2026, 6, 30)
"""The earlier day the funnel is rebuilt for (same year as the shared one: same business start)."""

FUNNEL_MODELS = (
    "path:models/intermediate/crm",
    "path:models/intermediate/funnel",
    "path:models/intermediate/currency",
    "path:models/marts/funnel",
)


@pytest.fixture(scope="module")
def past_warehouse(
    sandbox_warehouse: SandboxWarehouse, tmp_path_factory: pytest.TempPathFactory
) -> SandboxWarehouse:
    """A copy of the shared warehouse with the funnel rebuilt as of PAST_AS_OF, and that day's truth."""
    scratch = tmp_path_factory.mktemp("funnel-past")
    path = scratch / "warehouse.duckdb"
    shutil.copyfile(sandbox_warehouse.path, path)
    dbt_build(path, PAST_AS_OF, scratch, select=FUNNEL_MODELS)
    truth = SimulatedBusiness(replace(SANDBOX_CONFIG, as_of=PAST_AS_OF)).truth()
    assert truth["business_start"] == sandbox_warehouse.truth["business_start"]
    return SandboxWarehouse(path=path, as_of=PAST_AS_OF, truth=truth)


@pytest.fixture(params=["as_of_date", "past_as_of_date"])
def warehouse(request: pytest.FixtureRequest, sandbox_warehouse: SandboxWarehouse) -> SandboxWarehouse:
    """The exact tests' warehouse: as of the shared day, then rebuilt as of PAST_AS_OF."""
    if request.param == "past_as_of_date":
        return request.getfixturevalue("past_warehouse")
    return sandbox_warehouse


def _realised(warehouse: SandboxWarehouse) -> Mapping[str, Any]:
    return warehouse.truth["realised"]


def _lead_sources(warehouse: SandboxWarehouse) -> Mapping[str, Mapping[str, Any]]:
    return warehouse.truth["parameters"]["lead_sources"]


def _assert_rate_near(
    label: str, observed: float, groups: Iterable[tuple[int, float]], sigmas: float = SIGMAS
) -> None:
    """``observed`` over sum(n) trials is within ``sigmas`` standard errors of the mixture's mean.

    ``groups`` holds (trials, true rate) per group; the mean is sum(n p) / N and the variance of the
    observed rate sum(n p (1 - p)) / N^2.
    """
    groups = list(groups)
    trials = sum(n for n, _ in groups)
    assert trials >= 30, f"{label}: only {trials} trials, too few to test a rate"
    expected = sum(n * p for n, p in groups) / trials
    standard_error = math.sqrt(sum(n * p * (1 - p) for n, p in groups)) / trials
    assert abs(observed - expected) <= sigmas * standard_error, (
        f"{label}: observed {observed:.4f}, expected {expected:.4f} +/- {sigmas} x {standard_error:.4f} "
        f"(n={trials})"
    )


# -- realised values: exact ------------------------------------------------------------------------


def test_leads_per_month_and_source_equal_truth(warehouse: SandboxWarehouse) -> None:
    rows = warehouse.query(
        """
        select strftime(event_date, '%Y-%m'), lead_source, count(*)
        from marts.fct_funnel_events
        where event_type = 'lead'
        group by all
        """
    )
    leads: dict[str, dict[str, int]] = defaultdict(dict)
    for month, source, count in rows:
        leads[month][source] = count

    assert leads == _realised(warehouse)["leads_by_month_source"]


def test_cohort_reach_equals_truth_overall_and_by_source(warehouse: SandboxWarehouse) -> None:
    rows = warehouse.query(
        """
        select lead_source, strftime(cohort_month, '%Y-%m'), funnel_stage, sum(entered_count)
        from marts.fct_funnel_cohort_conversion
        group by all
        """
    )
    overall: dict[str, dict[str, int]] = defaultdict(dict)
    by_source: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for source, month, stage, count in rows:
        key = "leads" if stage == "lead" else stage
        overall[month][key] = overall[month].get(key, 0) + int(count)
        by_source[source][month][key] = int(count)

    realised = _realised(warehouse)
    assert overall == realised["funnel_by_cohort"]
    assert by_source == realised["funnel_by_cohort_source"]


def test_deals_won_and_lost_per_month_equal_truth(warehouse: SandboxWarehouse) -> None:
    won = {
        month: {"count": count, "amount": float(amount), "mrr": float(mrr), "project": float(project)}
        for month, count, amount, mrr, project in warehouse.query(
            """
            select strftime(closed_date, '%Y-%m'), count(*), sum(first_year_value_home),
                sum(mrr_amount_home), sum(project_amount_home)
            from marts.fct_deals
            where is_won
            group by all
            """
        )
    }
    lost = dict(
        warehouse.query(
            "select strftime(closed_date, '%Y-%m'), count(*) from marts.fct_deals where is_lost group by all"
        )
    )

    realised = _realised(warehouse)
    assert won == realised["deals_won_by_month"]
    assert lost == realised["deals_lost_by_month"]


def test_won_events_carry_the_bookings_of_fct_deals(warehouse: SandboxWarehouse) -> None:
    """The metric registry reads bookings and new MRR from the events: they must match the deals."""
    by_month = warehouse.query(
        """
        select strftime(event_date, '%Y-%m'), count(*), sum(amount_home), sum(mrr_amount_home)
        from marts.fct_funnel_events
        where event_type = 'deal_won'
        group by all
        """
    )
    events = {m: (n, float(a), float(r)) for m, n, a, r in by_month}
    truth = {
        m: (v["count"], v["amount"], v["mrr"]) for m, v in _realised(warehouse)["deals_won_by_month"].items()
    }
    assert events == truth


def test_close_rate_equals_truth_overall_and_by_year(warehouse: SandboxWarehouse) -> None:
    rows = warehouse.query(
        """
        select strftime(month_start, '%Y'), sum(deals_won), sum(deals_lost)
        from marts.mart_sales_kpis_monthly
        where breakdown = 'all'
        group by all
        """
    )
    by_year = {year: round(won / (won + lost), 6) for year, won, lost in rows if won + lost}
    total_won = sum(won for _, won, _ in rows)
    total_closed = sum(won + lost for _, won, lost in rows)

    close_rate = _realised(warehouse)["close_rate"]
    assert by_year == close_rate["by_year"]
    assert round(total_won / total_closed, 6) == close_rate["overall"]


def test_days_to_close_equal_truth(warehouse: SandboxWarehouse) -> None:
    [(median, mean, count)] = warehouse.query(
        "select median(days_to_close), avg(days_to_close), count(*) from marts.fct_deals where is_won"
    )
    truth = _realised(warehouse)["days_to_close"]
    assert (median, round(mean, 6), count) == (truth["median"], truth["mean"], truth["count"])


def test_leads_and_wins_per_owner_equal_truth(warehouse: SandboxWarehouse) -> None:
    def per_owner(event_type: str) -> dict[str, int]:
        return dict(
            warehouse.query(
                """
                select cast(owner_id as varchar), count(*)
                from marts.fct_funnel_events
                where event_type = ?
                group by all
                """,
                [event_type],
            )
        )

    realised = _realised(warehouse)
    assert per_owner("lead") == realised["leads_by_owner"]
    assert per_owner("deal_won") == realised["deals_won_by_owner"]


def test_weekly_pipeline_equals_truth(warehouse: SandboxWarehouse) -> None:
    """The weekly report's counts and won value per week equal the simulation's, and its reps add up
    to the total every week."""
    rows = warehouse.query(
        """
        select
            strftime(week_start, '%Y-%m-%d'), breakdown,
            sum(leads), sum(qualified_leads), sum(deals_won), sum(deals_lost), sum(won_amount)
        from marts.mart_pipeline_weekly
        group by all
        """
    )
    by_breakdown: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for week, breakdown, leads, qualified, won, lost, amount in rows:
        if leads or qualified or won or lost:
            by_breakdown[breakdown][week] = {
                "leads": leads,
                "qualified": qualified,
                "deals_won": won,
                "deals_lost": lost,
                "won_amount": float(amount),
            }

    truth = _realised(warehouse)["pipeline_by_week"]
    assert by_breakdown["all"] == truth
    assert by_breakdown["owner"] == truth
    assert warehouse.as_of.isoformat() >= max(truth) > min(truth)


def test_breakdowns_of_the_kpi_mart_add_up_to_the_total(sandbox_warehouse: SandboxWarehouse) -> None:
    rows = sandbox_warehouse.query(
        """
        select breakdown, sum(deals_won), sum(deals_lost), sum(won_amount), sum(upsell_deals_closed)
        from marts.mart_sales_kpis_monthly
        group by all
        """
    )
    totals = {breakdown: (won, lost, amount, upsells) for breakdown, won, lost, amount, upsells in rows}
    assert totals["owner"] == totals["all"] == totals["lead_source"]
    assert totals["all"][2] > Decimal(0)


# -- rates: within sampling tolerance of the simulation's parameters --------------------------------


@pytest.mark.parametrize("stage", list(STAGE_PARAMETER))
def test_stage_conversion_of_matured_cohorts_matches_parameters(
    sandbox_warehouse: SandboxWarehouse, stage: str
) -> None:
    rows = sandbox_warehouse.query(
        """
        select lead_source, sum(entered_count), sum(advanced_count)
        from marts.fct_funnel_cohort_conversion
        where is_matured and funnel_stage = ?
        group by all
        """,
        [stage],
    )
    sources = _lead_sources(sandbox_warehouse)
    entered = sum(int(n) for _, n, _ in rows)
    advanced = sum(int(a) for _, _, a in rows)

    _assert_rate_near(
        f"{stage} -> next stage",
        advanced / entered,
        [(int(n), sources[source][STAGE_PARAMETER[stage]]) for source, n, _ in rows],
    )


def test_close_rate_of_settled_deals_matches_parameters(sandbox_warehouse: SandboxWarehouse) -> None:
    """A new-business deal is won with proposal_rate x win_rate of its source; an upsell with
    deals.upsell_win_rate."""
    rows = sandbox_warehouse.query(
        """
        select deal_type, lead_source, count(*), count_if(is_won)
        from marts.fct_deals
        where is_closed and created_date <= ? - ?::integer
        group by all
        """,
        [sandbox_warehouse.as_of, SETTLED_DAYS],
    )
    sources = _lead_sources(sandbox_warehouse)
    upsell_rate = sandbox_warehouse.truth["parameters"]["deals"]["upsell_win_rate"]

    def true_rate(deal_type: str, source: str) -> float:
        if deal_type == "existingbusiness":
            return upsell_rate
        return sources[source]["proposal_rate"] * sources[source]["win_rate"]

    closed = sum(n for _, _, n, _ in rows)
    won = sum(w for _, _, _, w in rows)
    _assert_rate_near("close rate", won / closed, [(n, true_rate(t, s)) for t, s, n, _ in rows])


def expected_days_to_close(parameters: Mapping[str, Any]) -> float:
    """Mean days from creation to a win, from the simulator's stage-path parameters.

    A won deal starts in the first open stage (or the second, with start_at_qualifiedtobuy) and
    walks to the proposal stage (index 4): each move skips a stage with skip_stage when the stage
    after next is still at most 4, costs one stage_dwell, and a move landing on stage 2 or 3
    regresses and returns with probability regress (another stage_dwell in total); then
    proposal_to_close passes before the win.
    """
    deals, lags = parameters["deals"], parameters["lags_days"]
    dwell, skip, regress = lags["stage_dwell"], deals["skip_stage"], deals["regress"]
    proposal = 4

    def regression(stage: int) -> float:
        return regress * dwell if 2 <= stage < proposal else 0.0

    remaining = {proposal: 0.0}
    for stage in range(proposal - 1, -1, -1):
        step = regression(stage + 1) + remaining[stage + 1]
        if stage + 2 <= proposal:
            skipped = regression(stage + 2) + remaining[stage + 2]
            step = skip * skipped + (1 - skip) * step
        remaining[stage] = dwell + step
    start = deals["start_at_qualifiedtobuy"]
    return (1 - start) * remaining[0] + start * remaining[1] + lags["proposal_to_close"]


def test_expected_days_to_close_walks_the_stage_path() -> None:
    """Without skips, regressions or a second starting stage, a deal takes four dwells and the close."""
    parameters = {
        "deals": {"skip_stage": 0.0, "regress": 0.0, "start_at_qualifiedtobuy": 0.0},
        "lags_days": {"stage_dwell": 7.0, "proposal_to_close": 12.0},
    }
    assert expected_days_to_close(parameters) == pytest.approx(4 * 7.0 + 12.0)
    parameters["deals"]["regress"] = 1.0  # stages 2 and 3 each add a round trip
    assert expected_days_to_close(parameters) == pytest.approx(6 * 7.0 + 12.0)


def test_days_to_close_of_settled_won_deals_matches_stage_lags(sandbox_warehouse: SandboxWarehouse) -> None:
    """Mean days to close within three standard errors (from the sample's spread) of the
    expectation, plus half a day for counting calendar dates rather than elapsed time."""
    [(mean, deviation, count)] = sandbox_warehouse.query(
        """
        select avg(days_to_close), stddev_samp(days_to_close), count(*)
        from marts.fct_deals
        where is_won and created_date <= ? - ?::integer
        """,
        [sandbox_warehouse.as_of, SETTLED_DAYS],
    )
    expected = expected_days_to_close(sandbox_warehouse.truth["parameters"])
    tolerance = SIGMAS * deviation / math.sqrt(count) + 0.5
    assert abs(mean - expected) <= tolerance, (
        f"mean {mean:.2f} vs expected {expected:.2f} +/- {tolerance:.2f}"
    )


def test_marketing_spend_per_month_and_source_equals_truth(sandbox_warehouse: SandboxWarehouse) -> None:
    rows = sandbox_warehouse.query(
        """
        select strftime(month_start, '%Y-%m'), lead_source, marketing_spend
        from marts.mart_lead_source_performance
        where marketing_spend <> 0
        """
    )
    spend: dict[str, dict[str, float]] = defaultdict(dict)
    for month, source, amount in rows:
        spend[month][source] = float(amount)

    assert spend == _realised(sandbox_warehouse)["marketing_spend_by_month_source"]
