"""Compare two warehouses table by table: "identical row for row", without caring about row order.

Raw tables and cursors are compared exactly, by fingerprint: a table's row count plus the sum of a
64-bit hash of every row over all of its columns except the load-time ones (``_loaded_at``,
``committed_at``: *when* a row landed differs between a stormy and a clean run, *what* landed may
not). A sum of row hashes is a multiset hash: blind to row order, sensitive to every value, to a
missing row and to a duplicated one. Columns are hashed in name order, so a column that schema
drift added later in one warehouse and up front in the other still compares equal.

Marts need one allowance. A DOUBLE that aggregates rows (an average, a pace index) depends on the
order DuckDB happens to add them in, which follows the physical order rows landed in; the two
warehouses agree to ~1e-15 relative, and a dbt ``round(x, 4)`` sitting on a half turns that into
one unit of the fourth decimal. So in marts every non-DOUBLE column is compared exactly and DOUBLE
columns to 1e-9 relative or one unit of the fourth decimal, rows paired by their exact columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from connectors.registry import SOURCES

LOAD_TIME_COLUMNS = frozenset({"_loaded_at", "committed_at"})
RAW_SCHEMAS = (*(source.catalog.raw_schema for source in SOURCES), "raw_config", "raw_meta")
MART_SCHEMAS = ("marts",)
DOUBLE_ABS_TOLERANCE = 1.0001e-4
DOUBLE_REL_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Fingerprint:
    rows: int
    digest: int


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _columns(
    con: duckdb.DuckDBPyConnection, catalog: str, schemas: Iterable[str]
) -> dict[str, dict[str, str]]:
    """``schema.table`` -> {column: type} for the base tables of ``schemas``, load-time columns left out."""
    found: dict[str, dict[str, str]] = {}
    for schema, table, column, data_type in con.execute(
        """select c.table_schema, c.table_name, c.column_name, c.data_type
           from information_schema.columns c
           join information_schema.tables t using (table_catalog, table_schema, table_name)
           where t.table_type = 'BASE TABLE' and c.table_catalog = ? and c.table_schema in ?
           order by all""",
        [catalog, list(schemas)],
    ).fetchall():
        if column not in LOAD_TIME_COLUMNS:
            found.setdefault(f"{schema}.{table}", {})[column] = data_type
    return found


def _relation(catalog: str, table: str) -> str:
    schema, name = table.split(".", 1)
    return f"{_quote(catalog)}.{_quote(schema)}.{_quote(name)}"


@contextmanager
def _attached(**warehouses: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory connection with each warehouse attached read-only under its keyword."""
    with duckdb.connect() as con:
        for alias, path in warehouses.items():
            con.execute(f"attach '{path}' as {_quote(alias)} (read_only)")
        yield con


def fingerprints(warehouse: Path, schemas: Iterable[str]) -> dict[str, Fingerprint]:
    """``schema.table`` -> fingerprint, for every base table in ``schemas``."""
    with _attached(w=warehouse) as con:
        result = {}
        for table, columns in _columns(con, "w", schemas).items():
            hashed = ", ".join(_quote(c) for c in sorted(columns))
            rows, digest = con.execute(
                f"select count(*), coalesce(sum(hash({hashed})::hugeint), 0)::varchar "
                f"from {_relation('w', table)}"
            ).fetchone()
            result[table] = Fingerprint(rows=rows, digest=int(digest))
        return result


def differences(left: Mapping[str, Fingerprint], right: Mapping[str, Fingerprint]) -> dict[str, str]:
    """Table -> what differs between two sets of fingerprints (empty when identical)."""
    found = {}
    for table in sorted(set(left) | set(right)):
        a, b = left.get(table), right.get(table)
        if a is None or b is None:
            found[table] = "only in the first" if b is None else "only in the second"
        elif a != b:
            found[table] = f"{a.rows} vs {b.rows} rows" if a.rows != b.rows else "same rows, other content"
    return found


def mart_differences(
    left: Path,
    right: Path,
    schemas: Iterable[str] = MART_SCHEMAS,
) -> tuple[dict[str, str], int]:
    """Table -> what differs between the marts of two warehouses, and how many rows were compared."""
    schemas = tuple(schemas)
    with _attached(l=left, r=right) as con:
        left_columns, right_columns = _columns(con, "l", schemas), _columns(con, "r", schemas)
        found: dict[str, str] = {}
        compared = 0
        for table in sorted(set(left_columns) | set(right_columns)):
            columns = left_columns.get(table)
            if columns is None or right_columns.get(table) != columns:
                found[table] = "missing or different columns"
                continue
            rows, unmatched, differing = con.execute(_paired_sql(table, columns)).fetchone()
            compared += rows
            if unmatched or differing:
                found[table] = f"{unmatched} unmatched rows, {differing} rows with other values"
        return found, compared


def _paired_sql(table: str, columns: Mapping[str, str]) -> str:
    """Pair rows on their exact columns (duplicates by rank) and count pairs whose DOUBLEs differ."""
    doubles = sorted(c for c, t in columns.items() if t in ("DOUBLE", "FLOAT"))
    exact = sorted(c for c in columns if c not in doubles)
    partition = f"partition by {', '.join(map(_quote, exact))}" if exact else ""
    order = f"order by {', '.join(map(_quote, doubles))}" if doubles else ""
    ranked = "select *, row_number() over ({partition} {order}) as _pair from {relation}"
    join = " and ".join(
        [*(f"l.{_quote(c)} is not distinct from r.{_quote(c)}" for c in exact), "l._pair = r._pair"]
    )
    close = (
        " and ".join(
            f"(l.{c} is not distinct from r.{c} or abs(l.{c} - r.{c}) <= "
            f"greatest({DOUBLE_ABS_TOLERANCE}, {DOUBLE_REL_TOLERANCE} * abs(r.{c})))"
            for c in map(_quote, doubles)
        )
        or "true"
    )
    return f"""
        with l as ({ranked.format(partition=partition, order=order, relation=_relation("l", table))}),
             r as ({ranked.format(partition=partition, order=order, relation=_relation("r", table))})
        select count(*),
               count(*) filter (where l._pair is null or r._pair is null),
               count(*) filter (where l._pair is not null and r._pair is not null and not ({close}))
        from l full outer join r on {join}"""
