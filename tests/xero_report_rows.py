"""How many rows the ``profit_and_loss`` stream lands from a sandbox business: counted from the
business's own report, call by call as the stream asks for it (one row per report row and month)."""

from __future__ import annotations

from connectors.xero.config import XeroConfig
from connectors.xero.reports import month_end, month_start, report_blocks
from sandbox.simulation.model import Business


def landed_report_rows(business: Business, months: int = XeroConfig.report_months) -> int:
    rows, first = 0, business.as_of.replace(day=1)
    for months_back, periods in report_blocks(months):
        first = month_start(first, months_back)
        report = business.xero_profit_and_loss(first, month_end(first), periods - 1)
        rows += periods * sum(len(section.get("Rows", ())) for section in report["Rows"][1:])
    return rows
