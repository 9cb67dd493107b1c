"""dbt run by hand, with no ``--vars``: goals.yml's organisation and sources blocks still reach it.

The goals asset lands them in ``raw_config.settings``; ``dbt/macros/setting.sql`` reads that table
when no var is passed, and ``as_of_date`` falls back to today in the organisation's time zone, the
day Dagster would pass. On a warehouse no run has landed goals into, dbt_project.yml's defaults
(goals.yml's own) apply.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import yaml
from dbt_warehouse import dbt_build

from dagster_project.goals.landing import land_goals, load_goals_file
from dagster_project.settings import SHIPPED_GOALS_FILE

MODELS = ("int_fx__rate_periods", "int_xero__document_lines", "stg_config__funnel_stage_map", "dim_date")
A_LONDON_FIRM = {
    "organisation": {"timezone": "Pacific/Kiritimati", "currency": "GBP", "fiscal_year_start_month": 4},
    "sources": {
        "hubspot": {"deal_stages": {"75e28846": {"1108743": "appointment", "1108746": "won"}}},
        "xero": {"tracking_categories": {"service_line": "Practice", "client": "Customer"}},
    },
}


def _compiled(scratch: Path) -> str:
    """Every compiled model of the selection, as one text."""
    return "\n".join(path.read_text() for path in sorted((scratch / "target" / "compiled").rglob("*.sql")))


def test_a_hand_run_reads_the_landed_blocks_and_today_in_their_time_zone(tmp_path: Path) -> None:
    goals = yaml.safe_load(SHIPPED_GOALS_FILE.read_text()) | A_LONDON_FIRM
    goals_file = tmp_path / "goals.yml"
    goals_file.write_text(yaml.safe_dump(goals, sort_keys=False))
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        land_goals(con, load_goals_file(goals_file))

    dbt_build(warehouse, None, tmp_path, select=MODELS, command="compile")
    compiled = _compiled(tmp_path)

    assert "to_currency_code = 'GBP'" in compiled
    assert "'Practice'" in compiled and "'Customer'" in compiled
    assert "'1108746'" in compiled and "'closedwon'" not in compiled
    assert "'Pacific/Kiritimati'" in compiled and "'America/New_York'" not in compiled
    # UTC+14: its "today" is not the UTC day for ten hours of every day, so the zone is what decides
    today = datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
    assert f"cast('{today.isoformat()}' as date)" in compiled


def test_a_warehouse_without_landed_goals_uses_the_documented_defaults(tmp_path: Path) -> None:
    dbt_build(tmp_path / "warehouse.duckdb", None, tmp_path, select=MODELS, command="compile")
    compiled = _compiled(tmp_path)
    assert "to_currency_code = 'USD'" in compiled
    assert "'Service Line'" in compiled and "'closedwon'" in compiled
