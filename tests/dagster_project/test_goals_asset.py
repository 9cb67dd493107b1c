"""The goals asset: goals.yml validated and landed as raw_config.goals, all or nothing."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_project.defs.goals.assets import GoalsConfig, goals
from dagster_project.defs.resources import WarehouseResource
from dagster_project.goals.landing import GOALS_TABLE, land_goals, load_goals_file
from dagster_project.settings import SHIPPED_GOALS_FILE

GOOD = """\
organisation: {timezone: America/New_York, currency: USD, fiscal_year_start_month: 1}
goals:
  - id: leads_monthly
    metric: leads
    period: {type: month, from: 2026-01}
    target: 60
    overrides: {2026-12: 40, 2026-Q3: 50}
    filters: {lead_source: [website, referral]}
  - id: appointments_per_rep
    metric: first_appointments
    period: {type: week, from: 2026-01-05}
    per_owner: {alice@example.com: 6}
"""

BAD = GOOD.replace("target: 60", "target: -5")
"""Rejected without failing the run: tests/dagster_project/test_goals_file_errors.py."""


def _materialize(warehouse: Path, goals_file: Path) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [goals],
        resources={"warehouse": WarehouseResource(path=str(warehouse))},
        run_config=dg.RunConfig({"raw_config__goals": GoalsConfig(goals_file=str(goals_file))}),
        raise_on_error=False,
    )


def _snapshot(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(f"select * from {GOALS_TABLE} order by goal_id").fetchall()


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path, Path]:
    good, bad = tmp_path / "good" / "goals.yml", tmp_path / "bad" / "goals.yml"
    for path, text in ((good, GOOD), (bad, BAD)):
        path.parent.mkdir()
        path.write_text(textwrap.dedent(text))
    return tmp_path / "warehouse.duckdb", good, bad


def test_lands_one_row_per_goal_with_typed_settings(files: tuple[Path, Path, Path]) -> None:
    warehouse, good, _ = files
    result = _materialize(warehouse, good)

    assert result.success
    (event,) = result.get_asset_materialization_events()
    assert event.materialization.metadata["goal_count"].value == 2
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            f"select goal_id, target, target_overrides, filters['lead_source'], per_owner_targets"
            f" from {GOALS_TABLE} order by goal_id"
        ).fetchall()
    assert rows == [
        ("appointments_per_rep", None, {}, None, {"alice@example.com": 6.0}),
        (
            "leads_monthly",
            60.0,
            {date(2026, 12, 1): 40.0, date(2026, 7, 1): 50.0},
            ["website", "referral"],
            {},
        ),
    ]


def test_rerun_replaces_the_table_and_drops_removed_goals(files: tuple[Path, Path, Path]) -> None:
    warehouse, good, _ = files
    assert _materialize(warehouse, good).success
    good.write_text(textwrap.dedent(GOOD).split("  - id: appointments_per_rep")[0])

    assert _materialize(warehouse, good).success
    assert [row[0] for row in _snapshot(warehouse)] == ["leads_monthly"]


def test_shipped_goals_file_lands() -> None:
    with duckdb.connect() as con:
        count = land_goals(con, load_goals_file(SHIPPED_GOALS_FILE))
        assert count == con.execute(f"select count(*) from {GOALS_TABLE}").fetchone()[0] > 0
