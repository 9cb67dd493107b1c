"""Measured labour (the ConnectWise PSA), client contribution and utilisation, held to the truth.

The sandbox runs the business's technicians, agreements, tickets and time entries in its PSA and
computes labour from its own model (entries live at the clock, each costed at its own rate or the
member's), never from the served JSON. Hours and costs must equal it to the cent per client and per
technician every month; the five least contributing clients of the last three complete months
must be the truth's, in order.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest

from tests.dbt.conftest import SandboxWarehouse

pytestmark = pytest.mark.slow

MONTH = "strftime(month_start, '%Y-%m')"


def realised(warehouse: SandboxWarehouse, key: str) -> Any:
    return warehouse.truth["realised"][key]


def test_labour_per_client_and_month_equals_truth(sandbox_warehouse: SandboxWarehouse) -> None:
    """Every client's hours and labour cost, every month, to the cent (rounded once per client-month)."""
    truth: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for row in realised(sandbox_warehouse, "labour_by_client_month"):
        if row["contact_id"] is not None:
            truth[row["contact_id"], row["month"]][0] += row["hours"]
            truth[row["contact_id"], row["month"]][1] += row["cost"]
    rows = sandbox_warehouse.query(
        f"""
        select client_id, {MONTH}, labour_hours, labour_cost
        from marts.mart_client_contribution_monthly
        where labour_hours > 0
        """
    )
    ours = {(client, month): [round(hours, 2), float(cost)] for client, month, hours, cost in rows}
    assert len(truth) > 1000, "the test business must log time for its clients every month"
    assert ours == {key: [round(hours, 2), round(cost, 2)] for key, (hours, cost) in truth.items()}


def test_labour_by_agreement_adds_up_to_the_clients_labour(sandbox_warehouse: SandboxWarehouse) -> None:
    """fct_labour_monthly (per agreement, each row rounded) sums to the client's month within a cent a row."""
    rows = sandbox_warehouse.query(
        """
        with by_agreement as (
            select client_id, month_start, sum(hours) as hours, sum(labour_cost) as cost, count(*) as n
            from marts.fct_labour_monthly
            where client_id is not null
            group by all
        )
        select by_agreement.hours - clients.labour_hours, abs(by_agreement.cost - clients.labour_cost), n
        from by_agreement
        inner join marts.mart_client_contribution_monthly as clients using (client_id, month_start)
        """
    )
    assert rows
    for hours_gap, cost_gap, row_count in rows:
        assert abs(hours_gap) < 1e-9
        assert cost_gap <= 0.01 * row_count


def test_client_contribution_equals_truth(sandbox_warehouse: SandboxWarehouse) -> None:
    """Revenue and direct costs from the books, labour from the PSA, contribution = the difference:
    every client and month with any of them equals the truth to the cent."""
    truth = {
        (row["contact_id"], row["month"]): (
            row["revenue"],
            row["direct_costs"],
            row["labour_cost"],
            row["contribution"],
        )
        for row in realised(sandbox_warehouse, "client_profit_by_month")
    }
    rows = sandbox_warehouse.query(
        f"""
        select client_id, {MONTH}, revenue, direct_costs, labour_cost, contribution
        from marts.mart_client_contribution_monthly
        where revenue <> 0 or direct_costs <> 0 or labour_cost <> 0
        """
    )
    ours = {(client, month): tuple(float(v) for v in values) for client, month, *values in rows}
    assert ours == truth


def contribution_over(warehouse: SandboxWarehouse, months: list[str]) -> list[tuple[str, float]]:
    """Each client's summed contribution over ``months``, least first (ties by client id)."""
    rows = warehouse.query(
        f"""
        select client_id, sum(contribution)
        from marts.mart_client_contribution_monthly
        where {MONTH} in ({", ".join("?" for _ in months)})
        group by client_id
        order by sum(contribution) asc, client_id asc
        """,
        months,
    )
    return [(client, float(total)) for client, total in rows]


def test_least_contributing_clients_equal_truth(sandbox_warehouse: SandboxWarehouse) -> None:
    """The owner's question: which five clients cost the most to serve for what they pay, over the
    last three complete months. The order is the truth's, and some of them lose money."""
    expected = realised(sandbox_warehouse, "least_profitable_clients")
    totals = contribution_over(sandbox_warehouse, expected["window"])
    assert [client for client, _ in totals[:5]] == expected["clients"]
    assert totals[0][1] < 0, "the test business must have unprofitable clients to show"


def test_technician_months_equal_truth(sandbox_warehouse: SandboxWarehouse) -> None:
    """Capacity, hours, billable hours and cost of every technician's month."""
    truth = {
        (row["member_id"], row["month"]): (
            row["capacity_hours"],
            row["hours"],
            row["billable_hours"],
            row["cost"],
        )
        for row in realised(sandbox_warehouse, "labour_by_member_month")
    }
    rows = sandbox_warehouse.query(
        f"""
        select member_id, {MONTH}, capacity_hours, hours, billable_hours, labour_cost
        from marts.fct_technician_utilisation_monthly
        """
    )
    ours = {
        (member, month): (round(capacity, 2), round(hours, 2), round(billable, 2), float(cost))
        for member, month, capacity, hours, billable, cost in rows
    }
    assert ours == truth


def test_psa_companies_match_their_clients(sandbox_warehouse: SandboxWarehouse) -> None:
    """Every client company of the PSA is matched to its accounting contact; nothing else is."""
    truth = {row["company_id"]: row["contact_id"] for row in realised(sandbox_warehouse, "psa_crosswalk")}
    rows = sandbox_warehouse.query(
        "select company_id, client_id from marts.mart_psa_company_matches where client_id is not null"
    )
    assert dict(rows) == truth


def test_overhead_follows_labour_hours_once_the_psa_logs_time(sandbox_warehouse: SandboxWarehouse) -> None:
    """Months with time on clients allocate overhead by labour hours, and the allocation adds up
    to the month's overhead to the cent-per-client rounding; months before the PSA say revenue_share."""
    rows = sandbox_warehouse.query(
        f"""
        select {MONTH}, overhead_method, sum(allocated_overhead), count(*), max(pnl.overhead)
        from marts.mart_client_contribution_monthly as clients
        inner join marts.fct_pnl_monthly as pnl using (month_start)
        group by all
        """
    )
    methods = {month: method for month, method, *_ in rows}
    first_labour = min(row["month"] for row in realised(sandbox_warehouse, "labour_by_client_month"))
    assert all(
        method == ("labour_hours" if month >= first_labour else "revenue_share")
        for month, method in methods.items()
    )
    for _, _, allocated, clients, overhead in rows:
        assert abs(float(allocated) - float(overhead)) <= 0.01 * clients
