"""One raw table in DuckDB and the set-based SQL that merges Arrow data into it.

Every statement here works on a whole registered Arrow table at once; nothing loops over rows in
Python. The merge rules:

- rows are identified by the ``TableSpec`` primary key; within one load the newest version of a key
  wins (``version_column``, then arrival order), and it replaces the stored row only when it is
  newer, or equally new but different. Re-landing the same data therefore changes nothing, while an
  archive that does not bump the version (HubSpot) still lands;
- columns the table has not seen yet are added (schema drift); columns a batch lacks keep their
  stored values on update and are NULL on insert;
- ``_loaded_at`` records the landing that last changed the row; ``_is_deleted`` defaults to false
  when a stream does not send it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import duckdb
import pyarrow as pa

from connectors.base import DELETED_COLUMN, TableSpec

LOADED_AT_COLUMN = "_loaded_at"
ORDINAL_COLUMN = "_landing_ordinal"
"""Arrival order within one flush, added by the landing code to break version ties (last wins)."""


def quote(identifier: str) -> str:
    """Quote an identifier for DuckDB: vendor property names may hold any character."""
    return '"' + identifier.replace('"', '""') + '"'


def _columns_match(left: str, right: str, columns: Sequence[str]) -> str:
    return " AND ".join(f"{left}.{quote(c)} = {right}.{quote(c)}" for c in columns)


class RawTable:
    """A ``raw_<vendor>.<table>`` table: created from its spec, widened on drift, merged into."""

    def __init__(self, con: duckdb.DuckDBPyConnection, schema: str, spec: TableSpec) -> None:
        self._con = con
        self.spec = spec
        self.name = f"{quote(schema)}.{quote(spec.name)}"
        self._schema = schema
        self._columns: set[str] = set()
        self._seen = quote(f"_seen_{schema}_{spec.name}") if spec.replace_by else None

    def ensure(self, relation: str) -> None:
        """Create the table from ``relation`` (a registered Arrow table) or add its new columns.

        DuckDB's own Arrow type mapping decides column types (via ``DESCRIBE``), so the raw table
        always holds exactly what the connector's schema says.
        """
        self._con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote(self._schema)}")
        incoming = self._describe(f"SELECT * EXCLUDE ({quote(ORDINAL_COLUMN)}) FROM {relation}")
        if not self._columns:
            self._con.execute(
                f"""CREATE TABLE IF NOT EXISTS {self.name} AS
                    SELECT * EXCLUDE ({quote(ORDINAL_COLUMN)}) FROM {relation} LIMIT 0"""
            )
            self._columns = set(self._describe(f"SELECT * FROM {self.name}"))
        extra = {DELETED_COLUMN: "BOOLEAN", LOADED_AT_COLUMN: "TIMESTAMPTZ"}
        for column, column_type in {**incoming, **extra}.items():
            if column not in self._columns:
                self._con.execute(f"ALTER TABLE {self.name} ADD COLUMN {quote(column)} {column_type}")
                self._columns.add(column)
        if self._seen is not None:
            key_columns = ", ".join(quote(c) for c in (*self.spec.primary_key, *self.spec.replace_by))
            self._con.execute(
                f"""CREATE TEMP TABLE IF NOT EXISTS {self._seen} AS
                    SELECT {key_columns} FROM {self.name} LIMIT 0"""
            )

    def merge(self, relation: str, columns: Sequence[str], loaded_at: datetime) -> int:
        """Merge a registered Arrow table into this table in one statement; returns rows changed."""
        if not self._columns.issuperset(c for c in columns if c != ORDINAL_COLUMN):
            self.ensure(relation)
        data_columns = [c for c in columns if c not in (ORDINAL_COLUMN, DELETED_COLUMN, LOADED_AT_COLUMN)]
        deleted = quote(DELETED_COLUMN) if DELETED_COLUMN in columns else "false"
        pk = self.spec.primary_key
        order = f"{quote(ORDINAL_COLUMN)} DESC"
        if self.spec.version_column:
            order = f"{quote(self.spec.version_column)} DESC NULLS LAST, {order}"
        source = f"""
            SELECT {", ".join(quote(c) for c in data_columns)},
                   coalesce({deleted}, false) AS {quote(DELETED_COLUMN)},
                   ?::TIMESTAMPTZ AS {quote(LOADED_AT_COLUMN)}
            FROM {relation}
            QUALIFY row_number() OVER (PARTITION BY {", ".join(quote(c) for c in pk)} ORDER BY {order}) = 1
        """
        compared = [*data_columns, DELETED_COLUMN]
        differs = (
            f"row({', '.join(f's.{quote(c)}' for c in compared)}) IS DISTINCT FROM "
            f"row({', '.join(f't.{quote(c)}' for c in compared)})"
        )
        wins = differs
        if self.spec.version_column:
            v = quote(self.spec.version_column)
            wins = (
                f"s.{v} > t.{v} OR (t.{v} IS NULL AND s.{v} IS NOT NULL)"
                f" OR (s.{v} IS NOT DISTINCT FROM t.{v} AND {differs})"
            )
        written = [*data_columns, DELETED_COLUMN, LOADED_AT_COLUMN]
        merged = self._count(
            f"""MERGE INTO {self.name} AS t USING ({source}) AS s
                ON {_columns_match("t", "s", pk)}
                WHEN MATCHED AND ({wins}) THEN UPDATE SET
                    {", ".join(f"{quote(c)} = s.{quote(c)}" for c in written)}
                WHEN NOT MATCHED THEN INSERT ({", ".join(quote(c) for c in written)})
                    VALUES ({", ".join(f"s.{quote(c)}" for c in written)})""",
            [loaded_at],
        )
        if self._seen is not None:
            key_columns = ", ".join(quote(c) for c in (*pk, *self.spec.replace_by))
            self._con.execute(f"INSERT INTO {self._seen} SELECT DISTINCT {key_columns} FROM {relation}")
        return merged

    def mark_replaced(self, loaded_at: datetime) -> int:
        """Mark deleted the stored children of re-sent parents that this load did not send again.

        Runs once per load (not per batch) so a parent's children may arrive spread over several
        batches. Returns the number of rows newly marked deleted.
        """
        if self._seen is None:
            return 0
        same_parent = _columns_match("s", "t", self.spec.replace_by or ())
        same_key = _columns_match("s", "t", self.spec.primary_key)
        updated = self._count(
            f"""UPDATE {self.name} AS t SET {quote(DELETED_COLUMN)} = true, {quote(LOADED_AT_COLUMN)} = ?
                WHERE NOT coalesce(t.{quote(DELETED_COLUMN)}, false)
                  AND EXISTS (SELECT 1 FROM {self._seen} AS s WHERE {same_parent})
                  AND NOT EXISTS (SELECT 1 FROM {self._seen} AS s WHERE {same_key})""",
            [loaded_at],
        )
        self._con.execute(f"DROP TABLE {self._seen}")
        return updated

    def row_count(self) -> int:
        """Rows currently stored, deleted ones included (they are history, not garbage)."""
        return self._count(f"SELECT count(*) FROM {self.name}")

    def _count(self, sql: str, parameters: list[object] | None = None) -> int:
        """The single number a statement returns (rows changed, or a count).

        ``fetchall`` rather than ``fetchone``: DuckDB 2 refuses new work on a connection whose last
        result was not read to the end.
        """
        return int(self._con.execute(sql, parameters).fetchall()[0][0])

    def _describe(self, query: str) -> dict[str, str]:
        return {row[0]: row[1] for row in self._con.execute(f"DESCRIBE {query}").fetchall()}


def with_ordinal(table: pa.Table) -> pa.Table:
    """Append the arrival-order column the merge uses to let the last of equal versions win."""
    return table.append_column(ORDINAL_COLUMN, pa.array(range(table.num_rows), pa.int64()))
