"""The terminal's block of the clients that cost the most to serve (formatting only: dbt computes it)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from dagster_project.goals.contribution_table import render_least_contributing

WINDOW = {"first_month": date(2026, 8, 1), "last_month": date(2026, 10, 1)}


def test_each_client_line_says_where_the_money_went() -> None:
    rows = [
        {
            **WINDOW,
            "client_id": "c1",
            "client_name": "Jade Steel Co",
            "revenue": Decimal("2850.00"),
            "direct_costs": Decimal("684.00"),
            "labour_hours": 43.25,
            "labour_cost": Decimal("3486.10"),
            "contribution": Decimal("-1320.10"),
            "window_hours": 900.0,
        },
        {
            **WINDOW,
            "client_id": "c2",
            "client_name": None,
            "revenue": Decimal("0"),
            "direct_costs": Decimal("583.00"),
            "labour_hours": 0.0,
            "labour_cost": Decimal("0"),
            "contribution": Decimal("-583.00"),
            "window_hours": 900.0,
        },
    ]
    assert render_least_contributing(rows).splitlines() == [
        "Clients that cost the most to serve (Aug 2026 - Oct 2026: revenue - direct costs - labour)",
        "  Jade Steel Co: contribution -1,320 (-46% of revenue); revenue 2,850, direct costs 684, "
        "43.2 h of labour costing 3,486",
        "  c2: contribution -583; revenue 0, direct costs 583, 0.0 h of labour costing 0",
    ]


def test_without_psa_time_it_says_labour_is_not_measured() -> None:
    row = {**WINDOW, "client_id": "c1", "client_name": "A", "window_hours": 0.0}
    assert render_least_contributing([row]).startswith("Clients by contribution: labour is not measured")
    assert render_least_contributing([]) == ""
