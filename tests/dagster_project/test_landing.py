"""Landing a stream into DuckDB: atomicity, idempotence, merge rules, drift and child replacement.

The streams here are small but real ``Stream`` implementations (landing is pure DuckDB, so no
vendor is needed); each test lands into its own in-memory DuckDB.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from connectors.base import Stream, StreamOutput, TableSpec
from dagster_project.loader.landing import StreamTablesMismatch, land_stream
from dagster_project.loader.stream_state import read_state

DEALS = pa.schema(
    [
        ("id", pa.int64()),
        ("name", pa.string()),
        ("updated_at", pa.timestamp("ms", tz="UTC")),
        ("_is_deleted", pa.bool_()),
    ]
)
LINES = pa.schema([("line_id", pa.string()), ("invoice_id", pa.string()), ("amount", pa.float64())])
DEAL_SPEC = TableSpec("deals", DEALS, primary_key=("id",), version_column="updated_at")
LINE_SPEC = TableSpec("lines", LINES, primary_key=("line_id",), replace_by=("invoice_id",))


class Boom(RuntimeError):
    """The failure a test stream raises mid-stream."""


class ScriptedStream(Stream):
    """Yields prepared batches, records the state it was given, then returns a new state.

    With ``fail_after=n`` it raises after yielding its first ``n`` batches, like a dropped connection.
    """

    vendor = "test"
    name = "scripted"

    def __init__(
        self,
        batches: Sequence[tuple[str, pa.RecordBatch]],
        new_state: dict[str, Any],
        *,
        fail_after: int | None = None,
        specs: tuple[TableSpec, ...] = (DEAL_SPEC, LINE_SPEC),
    ) -> None:
        self.batches = batches
        self.new_state = new_state
        self.fail_after = fail_after
        self.specs = specs
        self.received_state: Mapping[str, Any] | None = None

    def tables(self) -> tuple[TableSpec, ...]:
        return self.specs

    def read(self, state: Mapping[str, Any] | None) -> StreamOutput:
        self.received_state = state
        yield from self.batches[: self.fail_after]
        if self.fail_after is not None:
            raise Boom("connection reset mid-stream")
        return self.new_state


def deals(*rows: tuple[int, str, str, bool]) -> tuple[str, pa.RecordBatch]:
    ids, names, stamps, deleted = zip(*rows, strict=True)
    stamps_ts = pa.array(stamps).cast(pa.timestamp("ms", tz="UTC"))
    return "deals", pa.RecordBatch.from_arrays(
        [pa.array(ids, pa.int64()), pa.array(names), stamps_ts, pa.array(deleted)], schema=DEALS
    )


def lines(*rows: tuple[str, str, float]) -> tuple[str, pa.RecordBatch]:
    return "lines", pa.RecordBatch.from_pylist(
        [dict(zip(LINES.names, row, strict=True)) for row in rows], schema=LINES
    )


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect() as connection:
        yield connection


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    return con.execute(sql).fetchall()


T1, T2, T3 = "2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z"


def test_first_load_lands_rows_and_cursor_and_passes_cursor_back(con: duckdb.DuckDBPyConnection) -> None:
    first = ScriptedStream([deals((1, "a", T1, False), (2, "b", T1, False))], {"since": T1})
    result = land_stream(con, first)

    assert first.received_state is None
    assert {t.table: (t.rows_received, t.rows_landed, t.rows_in_table) for t in result.tables} == {
        "raw_test.deals": (2, 2, 2),
        "raw_test.lines": (0, 0, 0),
    }
    assert rows(con, "SELECT id, name, _is_deleted FROM raw_test.deals ORDER BY id") == [
        (1, "a", False),
        (2, "b", False),
    ]
    assert rows(con, "SELECT count(DISTINCT _loaded_at) FROM raw_test.deals") == [(1,)]
    assert read_state(con, "test", "scripted") == {"since": T1}

    second = ScriptedStream([], {"since": T2})
    land_stream(con, second)
    assert second.received_state == {"since": T1}
    assert read_state(con, "test", "scripted") == {"since": T2}


def test_rerun_of_the_same_window_lands_nothing_twice(con: duckdb.DuckDBPyConnection) -> None:
    batches = [deals((1, "a", T1, False), (2, "b", T1, False)), lines(("l1", "i1", 10.0))]
    land_stream(con, ScriptedStream(batches, {"since": T1}))
    loaded_before = rows(con, "SELECT id, _loaded_at FROM raw_test.deals ORDER BY id")

    again = land_stream(con, ScriptedStream(batches, {"since": T1}))

    assert [(t.rows_received, t.rows_landed, t.rows_in_table) for t in again.tables] == [(2, 0, 2), (1, 0, 1)]
    assert rows(con, "SELECT id, _loaded_at FROM raw_test.deals ORDER BY id") == loaded_before


def test_failure_mid_stream_leaves_tables_and_cursor_unchanged(con: duckdb.DuckDBPyConnection) -> None:
    land_stream(con, ScriptedStream([deals((1, "a", T1, False))], {"since": T1}))
    before = rows(con, "SELECT * FROM raw_test.deals")

    failing = ScriptedStream(
        [deals((1, "changed", T2, False), (3, "new", T2, False)), lines(("l1", "i1", 1.0))],
        {"since": T2},
        fail_after=2,
    )
    with pytest.raises(Boom):
        land_stream(con, failing, flush_rows=1)  # flushes before failing: the merge must roll back

    assert rows(con, "SELECT * FROM raw_test.deals") == before
    assert rows(con, "SELECT count(*) FROM raw_test.lines") == [(0,)]
    assert read_state(con, "test", "scripted") == {"since": T1}


def test_failed_first_load_creates_nothing(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(Boom):
        land_stream(con, ScriptedStream([deals((1, "a", T1, False))], {"since": T1}, fail_after=1))

    assert rows(con, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw_test'") == [
        (0,)
    ]
    assert read_state(con, "test", "scripted") is None


def test_newest_version_wins_within_and_across_loads(con: duckdb.DuckDBPyConnection) -> None:
    # Within one load the same key arrives three times out of order: the newest must win.
    land_stream(
        con,
        ScriptedStream(
            [deals((1, "v2", T2, False)), deals((1, "v1", T1, False)), deals((1, "v3", T3, False))],
            {},
        ),
        flush_rows=2,  # two flushes: the dedupe must hold across MERGE statements too
    )
    assert rows(con, "SELECT name FROM raw_test.deals") == [("v3",)]

    stale = land_stream(con, ScriptedStream([deals((1, "stale", T1, False))], {}))
    assert stale.tables[0].rows_landed == 0
    assert rows(con, "SELECT name FROM raw_test.deals") == [("v3",)]


def test_archive_with_unchanged_version_still_lands(con: duckdb.DuckDBPyConnection) -> None:
    """HubSpot archiving does not bump the modified date; the deleted flag must land anyway."""
    land_stream(con, ScriptedStream([deals((1, "a", T1, False))], {}))
    archived = land_stream(con, ScriptedStream([deals((1, "a", T1, True))], {}))

    assert archived.tables[0].rows_landed == 1
    assert rows(con, "SELECT _is_deleted FROM raw_test.deals") == [(True,)]


def test_without_version_column_the_latest_arrival_wins(con: duckdb.DuckDBPyConnection) -> None:
    spec = TableSpec("lines", LINES, primary_key=("line_id",))
    batches = [lines(("l1", "i1", 1.0)), lines(("l1", "i1", 2.0))]
    land_stream(con, ScriptedStream(batches, {}, specs=(spec,)))
    assert rows(con, "SELECT amount, _is_deleted FROM raw_test.lines") == [(2.0, False)]

    land_stream(con, ScriptedStream([lines(("l1", "i1", 3.0))], {}, specs=(spec,)))
    assert rows(con, "SELECT amount FROM raw_test.lines") == [(3.0,)]


def test_new_columns_are_added_on_schema_drift(con: duckdb.DuckDBPyConnection) -> None:
    land_stream(con, ScriptedStream([deals((1, "a", T1, False))], {}))

    wider = DEALS.append(pa.field("amount", pa.decimal128(18, 2)))
    _, narrow = deals((2, "b", T2, False))
    batch = narrow.append_column(
        wider.field("amount"), pa.array([Decimal("12.50")], wider.field("amount").type)
    )
    drifted = TableSpec("deals", wider, primary_key=("id",), version_column="updated_at")
    land_stream(con, ScriptedStream([deals((3, "c", T2, False)), ("deals", batch)], {}, specs=(drifted,)))

    assert rows(con, "SELECT typeof(amount) FROM raw_test.deals LIMIT 1") == [("DECIMAL(18,2)",)]
    assert rows(con, "SELECT id, amount FROM raw_test.deals ORDER BY id") == [
        (1, None),
        (2, Decimal("12.50")),
        (3, None),
    ]


def test_replace_by_marks_children_absent_from_a_resent_parent_deleted(
    con: duckdb.DuckDBPyConnection,
) -> None:
    land_stream(
        con,
        ScriptedStream(
            [lines(("l1", "i1", 1.0), ("l2", "i1", 2.0), ("l3", "i2", 3.0))],
            {},
        ),
    )
    # Invoice i1 is re-sent with l1 changed and l2 gone, its lines spread over two batches;
    # invoice i2 is not re-sent, so its line must stay live.
    resent = land_stream(
        con,
        ScriptedStream([lines(("l1", "i1", 1.5)), lines(("l4", "i1", 4.0))], {}),
        flush_rows=1,
    )

    assert rows(con, "SELECT line_id, amount, _is_deleted FROM raw_test.lines ORDER BY line_id") == [
        ("l1", 1.5, False),
        ("l2", 2.0, True),
        ("l3", 3.0, False),
        ("l4", 4.0, False),
    ]
    assert {t.table: t.rows_landed for t in resent.tables}["raw_test.lines"] == 3


def test_batch_for_an_undeclared_table_fails_the_landing(con: duckdb.DuckDBPyConnection) -> None:
    stray = ("owners", pa.RecordBatch.from_pylist([{"id": 1}]))
    with pytest.raises(ValueError, match="undeclared table 'owners'"):
        land_stream(con, ScriptedStream([deals((1, "a", T1, False)), stray], {"since": T1}))
    assert read_state(con, "test", "scripted") is None


def test_unexpected_tables_stop_the_landing_before_anything_is_written(
    con: duckdb.DuckDBPyConnection,
) -> None:
    with pytest.raises(StreamTablesMismatch, match=r"writes \['deals', 'lines'\], but \['deals'\]"):
        land_stream(con, ScriptedStream([deals((1, "a", T1, False))], {}), expected_tables=["deals"])
    assert rows(con, "SELECT count(*) FROM information_schema.schemata WHERE schema_name LIKE 'raw_%'") == [
        (0,)
    ]


class SlowStream(ScriptedStream):
    """Spends ``seconds`` of its own time before each batch, as decoding and typing pages does."""

    def __init__(self, seconds: float, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.seconds = seconds

    def read(self, state: Mapping[str, Any] | None) -> StreamOutput:
        for batch in self.batches:
            time.sleep(self.seconds)
            yield batch
        return self.new_state


def test_timings_put_the_connectors_own_time_in_parse_and_the_rest_in_land(
    con: duckdb.DuckDBPyConnection,
) -> None:
    stream = SlowStream(0.2, [deals((1, "a", T1, False)), lines(("l1", "i1", 1.0))], {})
    started = time.perf_counter()
    timings = land_stream(con, stream).timings
    elapsed = time.perf_counter() - started

    assert (timings.fetch_seconds, timings.requests) == (0.0, 0), "no HTTP call was made"
    assert 0.4 <= timings.parse_seconds < elapsed
    assert timings.land_seconds > 0
    assert timings.fetch_seconds + timings.parse_seconds + timings.land_seconds == pytest.approx(
        elapsed, abs=0.05
    )
