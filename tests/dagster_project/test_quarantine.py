"""Bad records are quarantined, not fatal: the landing keeps them in raw_meta.rejected_records.

A small real ``Stream`` sets aside records the way the connectors do (``connectors.rejects``) and
yields the rest, bad rows included where the connector keeps an id stub; each test lands into its
own in-memory DuckDB. The sandbox and a Dagster run are covered in test_bad_payloads.py.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from connectors.base import Stream, StreamOutput, TableSpec
from connectors.rejects import Reason, RejectedRecord, payload_hash, set_aside
from dagster_project.loader.landing import land_stream
from dagster_project.loader.quarantine import past_threshold
from dagster_project.loader.stream_state import read_state

DEALS = pa.schema([("id", pa.int64()), ("amount", pa.float64())])
HISTORY = pa.schema([("deal_id", pa.int64()), ("stage", pa.string())])
SPECS = (
    TableSpec("deals", DEALS, primary_key=("id",)),
    TableSpec("history", HISTORY, primary_key=("deal_id", "stage"), replace_by=("deal_id",)),
)


def bad_amount(record_id: int) -> RejectedRecord:
    return RejectedRecord(
        record_id=str(record_id),
        reason=Reason.UNPARSEABLE_VALUE,
        field="property amount",
        detail=f"hubspot deals property amount: record {record_id}: cannot read 'lots' as double",
        payload_hash=payload_hash({"id": record_id, "amount": "lots"}),
    )


class PageStream(Stream):
    """One page of deals (``id -> amount``, ``None`` amount: unparseable) with a stage each."""

    vendor = "test"
    name = "deals"

    def __init__(self, amounts: Mapping[int | None, float | None], state: dict[str, Any]) -> None:
        self.amounts = amounts
        self.state = state

    def tables(self) -> tuple[TableSpec, ...]:
        return SPECS

    def read(self, state: Mapping[str, Any] | None) -> StreamOutput:
        for record_id, amount in self.amounts.items():
            if amount is None and record_id is not None:
                set_aside(bad_amount(record_id), AssertionError("the landing collects rejects"))
        ids = list(self.amounts)
        yield "deals", pa.RecordBatch.from_pydict({"id": ids, "amount": list(self.amounts.values())}, DEALS)
        yield "history", pa.RecordBatch.from_pydict({"deal_id": ids, "stage": ["won"] * len(ids)}, HISTORY)
        return self.state


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect() as connection:
        yield connection


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    return con.execute(sql).fetchall()


REJECTS = """SELECT table_name, record_id, reason, field, first_seen_at, last_seen_at, resolved_at
             FROM raw_meta.rejected_records ORDER BY ALL"""


def land(con: duckdb.DuckDBPyConnection, amounts: Mapping[int | None, float | None], since: int) -> Any:
    return land_stream(con, PageStream(amounts, {"since": since}), flush_rows=1)


def test_one_bad_record_is_quarantined_and_the_rest_lands_with_the_cursor(
    con: duckdb.DuckDBPyConnection,
) -> None:
    landing = land(con, {1: 10.0, 2: None, 3: 30.0}, since=1)

    assert rows(con, "SELECT id, amount FROM raw_test.deals ORDER BY id") == [(1, 10.0), (3, 30.0)]
    assert rows(con, "SELECT deal_id FROM raw_test.history ORDER BY ALL") == [(1,), (3,)]
    ((table, record_id, reason, field, first, last, resolved),) = rows(con, REJECTS)
    assert (table, record_id, reason, field, resolved) == (
        "deals",
        "2",
        "unparseable_value",
        "property amount",
        None,
    )
    assert first == last == landing.loaded_at
    assert rows(con, "SELECT payload_hash FROM raw_meta.rejected_records") == [(bad_amount(2).payload_hash,)]
    assert read_state(con, "test", "deals") == {"since": 1}
    assert {t.table: (t.rows_received, t.rows_rejected) for t in landing.tables} == {
        "raw_test.deals": (3, 1),
        "raw_test.history": (3, 0),
    }


def test_a_rerun_refreshes_the_reject_instead_of_duplicating_it(con: duckdb.DuckDBPyConnection) -> None:
    first = land(con, {1: 10.0, 2: None}, since=1)
    second = land(con, {1: 10.0, 2: None}, since=2)

    ((_, _, _, _, first_seen, last_seen, resolved),) = rows(con, REJECTS)
    assert (first_seen, last_seen, resolved) == (first.loaded_at, second.loaded_at, None)


def test_the_fixed_record_lands_and_resolves_its_reject(con: duckdb.DuckDBPyConnection) -> None:
    land(con, {1: 10.0, 2: None}, since=1)
    fixed = land(con, {2: 20.0}, since=2)

    assert rows(con, "SELECT id, amount FROM raw_test.deals ORDER BY id") == [(1, 10.0), (2, 20.0)]
    assert fixed.rejects_resolved == 1
    ((_, _, _, _, _, _, resolved),) = rows(con, REJECTS)
    assert resolved == fixed.loaded_at

    land(con, {2: None}, since=3)  # broken again: the same row reopens
    assert rows(con, "SELECT count(*), count(resolved_at) FROM raw_meta.rejected_records") == [(1, 0)]


def test_a_row_without_its_key_is_quarantined_by_payload_hash(con: duckdb.DuckDBPyConnection) -> None:
    landing = land(con, {1: 10.0, None: 5.0}, since=1)
    land(con, {1: 10.0, None: 5.0}, since=2)  # the same keyless record again: one reject row

    assert rows(con, "SELECT id FROM raw_test.deals") == [(1,)]
    assert rows(
        con, "SELECT table_name, record_id, reason, field FROM raw_meta.rejected_records ORDER BY ALL"
    ) == [
        ("deals", None, "missing_key", "id"),
        ("history", None, "missing_key", "deal_id"),
    ]
    detail = rows(con, "SELECT detail FROM raw_meta.rejected_records WHERE table_name = 'deals'")[0][0]
    assert detail == "test deals: deals record 1 (0-based, in the order received) has no id (null)"
    assert [t.rows_rejected for t in landing.tables] == [1, 1]


@pytest.mark.parametrize(
    ("open_count", "rows_in_table", "error"),
    [(1, 100, False), (1, 98, True), (100, 1_000_000, False), (101, 1_000_000, True), (0, 0, False)],
)
def test_the_error_threshold_is_one_percent_or_a_hundred_records(
    open_count: int, rows_in_table: int, error: bool
) -> None:
    assert past_threshold(open_count, rows_in_table) is error
