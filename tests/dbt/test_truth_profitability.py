"""Profitability marts held to the sandbox's ground truth.

Realised series (revenue, direct costs, overheads, MRR, active and churned clients per month, the
client crosswalk) must equal ``truth["realised"]`` exactly, to the cent, following the definitions
in ``truth["definitions"]``. The churn *rate* is a sampled quantity and is compared with the
simulation parameter within a stated binomial tolerance.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import pytest

from tests.dbt.conftest import SandboxWarehouse

pytestmark = pytest.mark.slow

MONTH = "strftime(month_start, '%Y-%m')"


def monthly(warehouse: SandboxWarehouse, column: str, table: str) -> dict[str, float]:
    """``{YYYY-MM: value}`` of one column of a month-grain mart."""
    return {month: float(value) for month, value in warehouse.query(f"select {MONTH}, {column} from {table}")}


def realised(warehouse: SandboxWarehouse, series: str) -> Any:
    """One series of the truth's realised values."""
    return warehouse.truth["realised"][series]


@pytest.mark.parametrize(
    ("series", "column"),
    [
        ("revenue_by_month", "revenue"),
        ("direct_costs_by_month", "direct_costs"),
        ("overheads_by_month", "overhead"),
    ],
)
def test_pnl_equals_truth_every_month(sandbox_warehouse: SandboxWarehouse, series: str, column: str) -> None:
    """Every month of the books, and no other, matches the truth to the cent."""
    ours = monthly(sandbox_warehouse, column, "marts.fct_pnl_monthly")
    assert ours == realised(sandbox_warehouse, series)


@pytest.mark.parametrize(
    ("series", "column"),
    [
        ("mrr_by_month", "ending_mrr"),
        ("active_clients_by_month", "active_clients"),
    ],
)
def test_mrr_equals_truth_every_month(sandbox_warehouse: SandboxWarehouse, series: str, column: str) -> None:
    ours = monthly(sandbox_warehouse, column, "marts.mart_mrr_movements_monthly")
    assert ours == realised(sandbox_warehouse, series)


def test_churned_clients_equal_truth(sandbox_warehouse: SandboxWarehouse) -> None:
    """Churn per month from the second month of the books (the truth has no churn before it)."""
    ours = monthly(sandbox_warehouse, "churned_clients", "marts.mart_mrr_movements_monthly")
    truth = realised(sandbox_warehouse, "churned_clients_by_month")
    first_month = min(ours)
    assert {month: count for month, count in ours.items() if month != first_month} == truth
    assert sum(truth.values()) > 0, "the scenario must contain churn for this test to mean anything"


def test_daily_mrr_at_month_end_equals_monthly_mrr(sandbox_warehouse: SandboxWarehouse) -> None:
    """The registry's daily MRR level summed over clients on a month's last day (as_of in its month)."""
    rows = sandbox_warehouse.query(
        """
        select strftime(date_day, '%Y-%m'), sum(mrr_home)
        from marts.fct_client_mrr_daily
        where date_day = least(last_day(date_day), ?)
        group by all
        """,
        [sandbox_warehouse.as_of],
    )
    ours = {month: round(float(total), 2) for month, total in rows}
    assert ours == realised(sandbox_warehouse, "mrr_by_month")


def test_crosswalk_links_every_client_to_its_company(sandbox_warehouse: SandboxWarehouse) -> None:
    """Exact names, respelt names (by domain) and id-only clients all find their true company."""
    truth = {row["xero_contact_id"]: row for row in realised(sandbox_warehouse, "crosswalk")}
    ours = {
        client_id: (company_id, method)
        for client_id, company_id, method in sandbox_warehouse.query(
            "select client_id, hubspot_company_id, match_method from intermediate.int_client_crosswalk"
        )
    }
    assert set(ours) == set(truth)
    wrong = {
        contact: (ours[contact], row["hubspot_company_id"], row["match_kind"])
        for contact, row in truth.items()
        if str(ours[contact][0]) != row["hubspot_company_id"]
    }
    assert wrong == {}
    kinds = {row["match_kind"] for row in truth.values()}
    assert kinds == {"exact_name", "fuzzy_name", "id_only"}, "the scenario must exercise every match kind"


def test_every_revenue_dollar_has_a_client_and_a_service_line(sandbox_warehouse: SandboxWarehouse) -> None:
    [(missing_client, missing_line)] = sandbox_warehouse.query(
        """
        select count(*) filter (where client_id is null), count(*) filter (where service_line is null)
        from marts.fct_ledger_lines
        where account_category = 'revenue'
        """
    )
    assert (missing_client, missing_line) == (0, 0)


def test_client_profitability_adds_up_to_net_profit(sandbox_warehouse: SandboxWarehouse) -> None:
    """Clients' true profit over the whole history is the P&L's net profit (no other income here)."""
    [(clients_profit, pnl_profit, rows)] = sandbox_warehouse.query(
        """
        select
            (select sum(true_profit) from marts.fct_client_profitability_monthly),
            (select sum(net_profit) from marts.fct_pnl_monthly),
            (select count(*) from marts.fct_client_profitability_monthly)
        """
    )
    assert abs(Decimal(clients_profit) - Decimal(pnl_profit)) <= Decimal("0.005") * rows


def test_logo_churn_rate_recovers_the_simulated_churn(sandbox_warehouse: SandboxWarehouse) -> None:
    """Pooled churned / clients-at-start is within 3 binomial standard errors of the true rate."""
    [(churned, exposed)] = sandbox_warehouse.query(
        "select sum(churned_clients), sum(clients_at_start) from marts.mart_mrr_movements_monthly"
    )
    true_rate = sandbox_warehouse.truth["parameters"]["clients"]["monthly_churn"]
    tolerance = 3 * math.sqrt(true_rate * (1 - true_rate) / exposed)
    assert abs(churned / exposed - true_rate) <= tolerance
