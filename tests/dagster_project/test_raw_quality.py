"""What the blocking raw-table checks measure: key violations, row-count trend, recorded columns."""

from __future__ import annotations

import duckdb
import pytest

from dagster_project.loader.raw_quality import (
    Column,
    KeyViolations,
    key_violations,
    row_count_problem,
    table_columns,
)


@pytest.fixture()
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        'create schema raw_xero; create table raw_xero.lines ("InvoiceID" varchar, "LineItemID" varchar, '
        "qty int)"
    )
    return con


def test_a_clean_composite_key_passes(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("insert into raw_xero.lines values ('a', '1', 1), ('a', '2', 1), ('b', '1', 1)")

    assert key_violations(con, "raw_xero.lines", ["InvoiceID", "LineItemID"]) == KeyViolations(0, 0)


def test_duplicated_and_incomplete_keys_are_counted(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "insert into raw_xero.lines values ('a', '1', 1), ('a', '1', 2), ('a', '1', 3), ('b', '1', 1), "
        "('b', '1', 1), (null, '1', 1), (null, '1', 1), ('c', null, 1)"
    )

    violations = key_violations(con, "raw_xero.lines", ["InvoiceID", "LineItemID"])

    assert violations == KeyViolations(duplicated_keys=2, rows_without_key=3)
    assert not violations.clean


def test_a_table_may_grow_or_hold_but_never_shrink() -> None:
    assert row_count_problem(100, None) is None
    assert row_count_problem(100, 100) is None
    assert row_count_problem(120, 100) is None
    assert row_count_problem(99, 100) == "the table shrank from 100 to 99 rows; raw tables never lose rows"


def test_columns_are_read_with_duckdb_types_in_table_order(con: duckdb.DuckDBPyConnection) -> None:
    assert table_columns(con, "raw_xero.lines") == [
        Column("InvoiceID", "VARCHAR"),
        Column("LineItemID", "VARCHAR"),
        Column("qty", "INTEGER"),
    ]
