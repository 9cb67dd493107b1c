"""The terminal's "Clients that cost the most to serve" block: the five clients whose contribution
(revenue - direct costs - the technicians' time they took) was lowest over the last three complete
months.

dbt computes contribution (``marts.mart_client_contribution_monthly``, docs/labour.md); this module
only picks the window and formats it for ``make demo`` and ``milemarker status``. Without a PSA the
block says labour is not measured, in one line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb

from dagster_project.warehouse.connection import open_warehouse

CLIENTS_SHOWN = 5
WINDOW_MONTHS = 3
_QUERY = """
    with as_of as (
        select max(month_start) as month_start from marts.mart_client_contribution_monthly
    ),
    window_rows as (
        select clients.*
        from marts.mart_client_contribution_monthly as clients, as_of
        where clients.month_start >= as_of.month_start - to_months(?)
            and clients.month_start < as_of.month_start
    )
    select
        client_id,
        any_value(client_name) as client_name,
        sum(revenue) as revenue,
        sum(direct_costs) as direct_costs,
        sum(labour_hours) as labour_hours,
        sum(labour_cost) as labour_cost,
        sum(contribution) as contribution,
        any_value(as_of.month_start - to_months(?)) as first_month,
        any_value(as_of.month_start - to_months(1)) as last_month,
        (select sum(labour_hours) from window_rows) as window_hours
    from window_rows, as_of
    group by client_id
    order by sum(contribution) asc, client_id asc
    limit ?
"""


def read_least_contributing(warehouse: Path) -> list[dict[str, Any]]:
    """The block's rows; empty for a warehouse built before the labour marts existed."""
    with open_warehouse(warehouse, read_only=True) as con:
        try:
            cursor = con.execute(_QUERY, [WINDOW_MONTHS, WINDOW_MONTHS, CLIENTS_SHOWN])
        except duckdb.CatalogException:
            return []
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def render_least_contributing(rows: Sequence[Mapping[str, Any]]) -> str:
    """A title naming the months, one line per client; one line when no PSA time reached a client."""
    if not rows:
        return ""
    if not rows[0]["window_hours"]:
        return (
            "Clients by contribution: labour is not measured (no PSA time in the last three months); "
            "client profitability allocates overhead by revenue share (docs/labour.md)"
        )
    months = f"{rows[0]['first_month']:%b %Y} - {rows[0]['last_month']:%b %Y}"
    title = f"Clients that cost the most to serve ({months}: revenue - direct costs - labour)"
    return "\n".join([title, *(f"  {_line(row)}" for row in rows)])


def _line(row: Mapping[str, Any]) -> str:
    revenue = float(row["revenue"])
    margin = f" ({float(row['contribution']) / revenue:.0%} of revenue)" if revenue > 0 else ""
    return (
        f"{row['client_name'] or row['client_id']}: contribution {_money(row['contribution'])}{margin}; "
        f"revenue {_money(row['revenue'])}, direct costs {_money(row['direct_costs'])}, "
        f"{float(row['labour_hours']):,.1f} h of labour costing {_money(row['labour_cost'])}"
    )


def _money(value: Any) -> str:
    return f"{float(value):,.0f}"
