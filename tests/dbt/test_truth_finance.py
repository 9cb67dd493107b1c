"""The books from the journals, and the finance KPIs, held to the sandbox's ground truth.

The sandbox posts its business through journals (invoices, bills, payments, payroll, depreciation,
accruals, corrections) and computes its truth from its own model, not from the served journals;
Xero's P&L report is served from the documents and manual journals directly. Every realised figure
must equal the truth to the cent, every month; ratios must equal the truth's components divided.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest

from tests.dbt.conftest import SandboxWarehouse

pytestmark = pytest.mark.slow

MONTH = "strftime(month_start, '%Y-%m')"
SERVICE_LINES = ("managed_services", "projects")


def finance_truth(warehouse: SandboxWarehouse) -> dict[str, dict[str, Any]]:
    return warehouse.truth["realised"]["finance_by_month"]


def kpis(warehouse: SandboxWarehouse) -> dict[str, dict[str, Any]]:
    """``{YYYY-MM: row}`` of mart_finance_kpis_monthly."""
    rows = warehouse.records(f"select {MONTH} as month_label, * from marts.mart_finance_kpis_monthly")
    return {row["month_label"]: row for row in rows}


def test_pnl_by_account_equals_truth_every_month(sandbox_warehouse: SandboxWarehouse) -> None:
    """Every P&L account of every month from the journals equals the truth to the cent."""
    rows = sandbox_warehouse.query(
        f"""
        select {MONTH}, account_code, sum(amount)
        from marts.fct_general_ledger
        where is_profit_and_loss
        group by all
        having sum(amount) <> 0
        """
    )
    ours: dict[str, dict[str, float]] = defaultdict(dict)
    for month, code, amount in rows:
        ours[month][code] = float(amount)
    assert dict(ours) == sandbox_warehouse.truth["realised"]["pnl_by_month_account"]


def test_xero_report_landed_equals_truth(sandbox_warehouse: SandboxWarehouse) -> None:
    """The landed P&L report (Xero's own figures) is the truth too: the reconciliation's other side."""
    rows = sandbox_warehouse.query(
        f"""
        select {MONTH}, accounts.account_code, report.amount
        from staging.stg_xero__profit_and_loss as report
        inner join staging.stg_xero__accounts as accounts on report.account_id = accounts.account_id
        where report.row_type = 'Row' and report.amount <> 0 and not report.is_deleted
        """
    )
    ours: dict[str, dict[str, float]] = defaultdict(dict)
    for month, code, amount in rows:
        ours[month][code] = float(amount)
    truth = sandbox_warehouse.truth["realised"]["pnl_by_month_account"]
    assert dict(ours) == {month: accounts for month, accounts in truth.items() if month in ours}
    assert len(ours) >= 36, "the report must cover the whole history of the test business"


def test_payroll_posted_only_by_manual_journal_moves_gross_margin(
    sandbox_warehouse: SandboxWarehouse,
) -> None:
    """Technicians' wages arrive only as manual journals, and they are cost of sales: gross margin
    is revenue less every direct cost including them, month by month (the documents alone would
    leave them out and overstate the margin by the payroll)."""
    payroll = sandbox_warehouse.truth["realised"]["payroll_by_month"]
    revenue = sandbox_warehouse.truth["realised"]["revenue_by_month"]
    direct = sandbox_warehouse.truth["realised"]["direct_costs_by_month"]
    rows = sandbox_warehouse.query(f"select {MONTH}, gross_margin, direct_costs from marts.fct_pnl_monthly")
    for month, gross_margin, direct_costs in rows:
        technicians = payroll.get(month, {}).get("technicians", 0.0)
        assert float(direct_costs) >= technicians > 0 or month not in payroll
        assert float(gross_margin) == round(revenue.get(month, 0.0) - direct.get(month, 0.0), 2), month
    assert sum(p["technicians"] for p in payroll.values()) > 0


@pytest.mark.parametrize(
    ("column", "truth_key"),
    [
        ("ebitda", "ebitda"),
        ("service_payroll", "service_payroll"),
        ("sales_and_marketing", "sales_and_marketing"),
        ("new_clients", "new_clients"),
        ("active_clients", "active_clients"),
        ("recurring_revenue", "recurring_revenue"),
        ("top10_recurring_revenue", "top10_recurring_revenue"),
        ("ar_balance", "ar_balance_end"),
    ],
)
def test_finance_kpi_components_equal_truth(
    sandbox_warehouse: SandboxWarehouse, column: str, truth_key: str
) -> None:
    ours = {
        month: float(value)
        for month, value in sandbox_warehouse.query(
            f"select {MONTH}, {column} from marts.mart_finance_kpis_monthly"
        )
    }
    truth = {month: float(row.get(truth_key, 0)) for month, row in finance_truth(sandbox_warehouse).items()}
    assert {m: v for m, v in ours.items() if m in truth} == truth
    assert set(truth) <= set(ours)


def test_gross_margin_by_line_of_business_equals_truth(sandbox_warehouse: SandboxWarehouse) -> None:
    rows = sandbox_warehouse.query(
        f"select {MONTH}, line_of_business, revenue, cost_of_sales "
        "from marts.fct_gross_margin_by_line_monthly"
    )
    ours = {(month, line): (float(revenue), float(cost)) for month, line, revenue, cost in rows}
    truth = {}
    for month, row in finance_truth(sandbox_warehouse).items():
        lines = set(row["revenue_by_line_of_business"]) | set(row["cost_of_sales_by_line_of_business"])
        for line in lines:
            truth[(month, line)] = (
                float(row["revenue_by_line_of_business"].get(line, 0.0)),
                float(row["cost_of_sales_by_line_of_business"].get(line, 0.0)),
            )
    assert {k: v for k, v in ours.items() if v != (0.0, 0.0)} == {
        k: v for k, v in truth.items() if v != (0.0, 0.0)
    }


def test_finance_ratios_are_the_truths_components_divided(sandbox_warehouse: SandboxWarehouse) -> None:
    """Service vs product margin, payroll ratio, Multiple of Service, concentration, CAC, DSO and
    revenue per client: each the truth's own components divided, every month."""
    revenue_truth = sandbox_warehouse.truth["realised"]["revenue_by_month"]
    rows = kpis(sandbox_warehouse)
    checked = 0
    for month, truth in finance_truth(sandbox_warehouse).items():
        row = rows[month]
        by_line, costs = truth["revenue_by_line_of_business"], truth["cost_of_sales_by_line_of_business"]
        service = sum(by_line.get(line, 0.0) for line in SERVICE_LINES)
        service_cost = sum(costs.get(line, 0.0) for line in SERVICE_LINES)
        product = by_line.get("product_resale", 0.0)
        revenue = revenue_truth.get(month, 0.0)
        expected = {
            "service_gross_margin_rate": ratio(service - service_cost, service),
            "product_gross_margin_rate": ratio(product - costs.get("product_resale", 0.0), product),
            "service_payroll_ratio": ratio(truth["service_payroll"], service),
            "multiple_of_service": ratio(service, truth["service_payroll"]),
            "top10_recurring_share": ratio(truth["top10_recurring_revenue"], truth["recurring_revenue"]),
            "customer_acquisition_cost": ratio(truth["sales_and_marketing"], truth["new_clients"]),
            "revenue_per_client": ratio(revenue, truth["active_clients"]),
            "dso_days": ratio(truth["ar_balance_end"] * row["days_in_period"], revenue),
            "ebitda_rate": ratio(truth["ebitda"], revenue),
        }
        for column, value in expected.items():
            if value is None:
                assert row[column] is None, (month, column)
            else:
                assert row[column] == pytest.approx(value, rel=1e-9, abs=1e-9), (month, column)
                checked += 1
    assert checked > 200


def ratio(numerator: float, denominator: float) -> float | None:
    return round(numerator, 2) / round(denominator, 2) if round(denominator, 2) else None


def test_ar_ageing_equals_truth(sandbox_warehouse: SandboxWarehouse) -> None:
    rows = sandbox_warehouse.query(
        "select ageing_bucket, sum(amount_home) from marts.mart_ar_ageing group by ageing_bucket"
    )
    ours = {bucket: float(amount) for bucket, amount in rows if bucket != "unapplied_credit"}
    truth = {
        bucket: float(amount) for bucket, amount in sandbox_warehouse.truth["realised"]["ar_ageing"].items()
    }
    assert {b: a for b, a in ours.items() if a} == {b: a for b, a in truth.items() if a}
    assert sum(truth.values()) > 0, "the scenario must have open invoices"


def test_ar_ageing_adds_up_to_the_receivables_in_the_ledger(sandbox_warehouse: SandboxWarehouse) -> None:
    [(aged, ledger)] = sandbox_warehouse.query(
        """
        select
            (select sum(amount_home) from marts.mart_ar_ageing),
            (select sum(net_amount) from marts.fct_general_ledger where system_account = 'DEBTORS')
        """
    )
    assert aged == ledger


@pytest.mark.parametrize(
    ("metric", "measure", "truth_key"),
    [
        ("ebitda", "value", "ebitda"),
        ("sales_and_marketing_spend", "value", "sales_and_marketing"),
        ("new_clients", "value", "new_clients"),
        ("service_payroll_ratio", "numerator", "service_payroll"),
        ("customer_acquisition_cost", "denominator", "new_clients"),
    ],
)
def test_finance_metrics_in_the_registry_sum_to_the_truth(
    sandbox_warehouse: SandboxWarehouse, metric: str, measure: str, truth_key: str
) -> None:
    """What a goal on a finance metric counts: the registry's daily rows, summed over a month, are
    the truth's figure for that month (ratios through their numerator and denominator)."""
    rows = sandbox_warehouse.query(
        f"""
        select strftime(date_day, '%Y-%m'), sum({measure})
        from intermediate.int_metrics__daily
        where metric_name = ?
        group by all
        """,
        [metric],
    )
    ours = {month: round(float(value), 2) for month, value in rows if value}
    truth = {
        month: float(row[truth_key])
        for month, row in finance_truth(sandbox_warehouse).items()
        if row[truth_key]
    }
    assert ours == truth
