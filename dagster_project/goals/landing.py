"""Land a validated goals file as ``raw_config.goals``, and the dbt settings of the same file as
``raw_config.settings``: both tables replaced as a whole, in one transaction.

The goals file is the complete truth about the goals (a goal deleted from the file must disappear
from the warehouse), so there is no merge: the table is rebuilt from the file's rows. Validation
happens before the transaction opens, and the replace is a single DuckDB transaction, so a bad file
or a failed write leaves the previous goals exactly as they were.

The Arrow schema below is the contract ``dbt/models/staging/config`` reads; nested settings stay
nested (owner targets, overrides and filters as maps) and are unpacked by the staging model.
Override labels (``2026-12``, ``2026-Q4``) are resolved to the first day they name here, once, so
SQL never parses labels.

``raw_config.settings`` holds one row per dbt var of the organisation and sources blocks
(``dagster_project/config/dbt_vars.py``), its value as JSON: what a hand-run ``dbt build`` reads in
place of the ``--vars`` Dagster passes.

Dagster-free on purpose: the ``goals`` asset calls it, and so do tests that build a warehouse by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pyarrow as pa

from dagster_project.config.dbt_vars import settings_vars
from dagster_project.config.goals import GoalsFile, load_goals, load_metric_catalog, parse_period_label
from dagster_project.settings import DBT_PROJECT_DIR

GOALS_SCHEMA_NAME = "raw_config"
GOALS_TABLE = f"{GOALS_SCHEMA_NAME}.goals"
SETTINGS_TABLE = f"{GOALS_SCHEMA_NAME}.settings"
SETTINGS_ARROW_SCHEMA = pa.schema(
    [pa.field("setting_name", pa.string(), nullable=False), ("value_json", pa.string())]
)
METRIC_CATALOG_FILE = DBT_PROJECT_DIR / "seeds" / "goal_metrics.csv"
"""The metric catalog seed: the same file dbt loads, so Python and SQL agree on what exists."""

GOALS_ARROW_SCHEMA = pa.schema(
    [
        pa.field("goal_id", pa.string(), nullable=False),
        ("goal_name", pa.string()),
        ("metric_name", pa.string()),
        ("metric_kind", pa.string()),
        ("period_type", pa.string()),
        ("period_from", pa.date32()),
        ("period_to", pa.date32()),
        ("is_recurring", pa.bool_()),
        ("target", pa.float64()),
        ("per_owner_targets", pa.map_(pa.string(), pa.float64())),
        ("target_overrides", pa.map_(pa.date32(), pa.float64())),
        ("direction", pa.string()),
        ("filters", pa.map_(pa.string(), pa.list_(pa.string()))),
        ("pacing_curve", pa.string()),
        ("linear_blend", pa.float64()),
        ("threshold_ahead", pa.float64()),
        ("threshold_on_track", pa.float64()),
        ("threshold_at_risk", pa.float64()),
        ("threshold_projected_at_risk", pa.float64()),
        ("threshold_max_acceleration", pa.float64()),
        ("guard_min_elapsed_fraction", pa.float64()),
        ("guard_min_expected_count", pa.float64()),
        ("guard_min_sample", pa.int64()),
        ("drift_window_days", pa.int64()),
        ("drift_warn_drop", pa.float64()),
        ("drift_error_after_days", pa.int64()),
        ("drift_clear_at", pa.float64()),
        ("_loaded_at", pa.timestamp("us", tz="UTC")),
    ]
)


def load_goals_file(path: Path) -> GoalsFile:
    """Validate ``path`` against the metric catalog seed; raises ``GoalsFileError`` (file:line field)."""
    return load_goals(path, load_metric_catalog(METRIC_CATALOG_FILE))


def goals_table(goals: GoalsFile, loaded_at: datetime) -> pa.Table:
    """The file's rows as an Arrow table in :data:`GOALS_ARROW_SCHEMA`.

    Raises ``ValueError`` when ``GoalsFile.to_rows`` and the schema disagree on the columns, so a
    new goal setting cannot be silently dropped on its way to the warehouse.
    """
    rows = [_raw_row(row, loaded_at) for row in goals.to_rows()]
    expected = set(GOALS_ARROW_SCHEMA.names)
    for row in rows:
        if set(row) != expected:
            drift = sorted(set(row) ^ expected)
            raise ValueError(f"goal rows and {GOALS_TABLE} schema disagree on columns: {drift}")
    return pa.Table.from_pylist(rows, schema=GOALS_ARROW_SCHEMA)


def land_goals(con: duckdb.DuckDBPyConnection, goals: GoalsFile) -> int:
    """Replace ``raw_config.goals`` and ``raw_config.settings`` with what ``goals`` says, in one
    transaction; returns the number of goals."""
    table = goals_table(goals, datetime.now(UTC))
    settings = settings_vars(goals.document.organisation, goals.document.sources)
    setting_rows = [
        {"setting_name": name, "value_json": orjson.dumps(value).decode()} for name, value in settings.items()
    ]
    con.begin()
    try:
        con.execute(f"create schema if not exists {GOALS_SCHEMA_NAME}")
        _replace(con, GOALS_TABLE, table)
        _replace(con, SETTINGS_TABLE, pa.Table.from_pylist(setting_rows, schema=SETTINGS_ARROW_SCHEMA))
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return table.num_rows


def ensure_goals_table(con: duckdb.DuckDBPyConnection) -> bool:
    """Create ``raw_config.goals`` empty when no goals ever landed; True when it did.

    A goals file rejected before any valid one landed leaves dbt no table to read: rather than fail
    every pacing model on a missing source, the marts are built on no goals until a valid file lands.
    """
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [GOALS_SCHEMA_NAME, GOALS_TABLE.split(".")[1]],
    ).fetchall()[0][0]
    if exists:
        return False
    con.execute(f"create schema if not exists {GOALS_SCHEMA_NAME}")
    _replace(con, GOALS_TABLE, GOALS_ARROW_SCHEMA.empty_table())
    return True


def _replace(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    con.register("_landed_rows", table)
    try:
        con.execute(f"create or replace table {name} as select * from _landed_rows")
    finally:
        con.unregister("_landed_rows")


def _raw_row(row: dict[str, Any], loaded_at: datetime) -> dict[str, Any]:
    """Map keys typed for Arrow: override labels become the first day they name."""
    overrides = {parse_period_label(label): target for label, target in row["target_overrides"].items()}
    return {
        **row,
        "per_owner_targets": list(row["per_owner_targets"].items()),
        "target_overrides": list(overrides.items()),
        "filters": list(row["filters"].items()),
        "_loaded_at": loaded_at,
    }
