"""What the raw-table checks measure: a table's columns, its key violations, its row-count trend.

Raw tables are merged by primary key and never lose rows (deletes are flags), so two facts must
hold after every load: the key identifies one row, and the table is at least as large as after the
previous load. Either failing means a broken load (a key column that arrived NULL and so never
matched in the merge, a table dropped and half reloaded); the checks built on this module block
the marts so such a load never reaches them.

Dagster-free: the landing asset records columns and keys with it, the checks read them back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from dagster_project.loader.raw_tables import quote

PRIMARY_KEY_METADATA = "milemarker/primary_key"
"""Materialization metadata key under which a landing records its table's primary key columns."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str


def table_columns(con: duckdb.DuckDBPyConnection, qualified_table: str) -> list[Column]:
    """The columns of ``schema.table`` with DuckDB's type names, in table order."""
    schema, table = qualified_table.split(".", 1)
    rows = con.execute(f"DESCRIBE {quote(schema)}.{quote(table)}").fetchall()
    return [Column(name=row[0], type=row[1]) for row in rows]


@dataclass(frozen=True)
class KeyViolations:
    duplicated_keys: int
    """Key values held by more than one row."""
    rows_without_key: int
    """Rows with a NULL in any key column (a merge can never match them again)."""

    @property
    def clean(self) -> bool:
        return self.duplicated_keys == 0 and self.rows_without_key == 0


def key_violations(
    con: duckdb.DuckDBPyConnection, qualified_table: str, primary_key: Sequence[str]
) -> KeyViolations:
    """Count duplicated and NULL keys of ``schema.table`` in one grouped scan (set-based, no Python loop)."""
    schema, table = qualified_table.split(".", 1)
    keys = ", ".join(quote(column) for column in primary_key)
    any_null = " OR ".join(f"{quote(column)} IS NULL" for column in primary_key)
    duplicated, without_key = con.execute(
        f"""SELECT count(*) FILTER (WHERE n > 1 AND NOT has_null), coalesce(sum(n) FILTER (WHERE has_null), 0)
            FROM (SELECT count(*) AS n, bool_or({any_null}) AS has_null
                  FROM {quote(schema)}.{quote(table)} GROUP BY {keys})"""
    ).fetchall()[0]
    return KeyViolations(duplicated_keys=int(duplicated), rows_without_key=int(without_key))


def row_count_problem(current: int, previous: int | None) -> str | None:
    """Why the row count after this load is wrong, or None: raw tables only ever grow."""
    if previous is not None and current < previous:
        return f"the table shrank from {previous:,} to {current:,} rows; raw tables never lose rows"
    return None
