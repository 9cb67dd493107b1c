"""Land one connector stream into DuckDB: all of its tables and its new cursor, atomically.

The stream's generator is driven inside a single DuckDB transaction. Batches are buffered per table
and merged in bulk (one MERGE per ~``flush_rows`` rows instead of one per API page: statement
overhead, not row volume, dominates small pages). Only when the generator has returned its new
state is that state written and the transaction committed. Any exception -- from the connector
mid-stream or from DuckDB -- rolls everything back, tables and cursor alike, so the next run simply
repeats the same window.

A bad record is not an exception: the connector sets it aside (:mod:`connectors.rejects`), rows
without a key are set aside here, and the rest of the stream lands. Rows of a rejected record id are
left out of every table of the stream whose first key column holds that id (a deal and its stage
history, an invoice and its lines), and the rejects are written to ``raw_meta.rejected_records`` in
the same transaction (:mod:`dagster_project.loader.quarantine`), which also resolves earlier rejects
whose record has now landed.

Because it drives the stream, this is also where a landing's time is split between the connector
(its HTTP calls, then decoding and typing pages) and DuckDB: see :class:`StreamTimings`.

Dagster-free on purpose: the assets call it, tests call it directly with small real streams.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import TypeVar

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from connectors.base import Stream, StreamState, TableSpec, collect_read_stats
from connectors.catalog import raw_schema
from connectors.rejects import RejectedRecord, collect_rejects
from dagster_project.loader.key_checks import split_null_keys
from dagster_project.loader.quarantine import ensure_rejects_table, open_record_ids, record_rejects, resolve
from dagster_project.loader.raw_tables import RawTable, with_ordinal
from dagster_project.loader.stream_state import ensure_state_table, read_state, write_state

FLUSH_ROWS = 250_000
_RELATION = "_landing_batch"
_T = TypeVar("_T")


@dataclass(frozen=True)
class TableLanding:
    """What one landing did to one raw table."""

    table: str
    """Qualified name, e.g. ``raw_hubspot.deals``."""
    primary_key: tuple[str, ...]
    rows_received: int
    """Rows the connector sent (duplicates and unchanged re-sends included)."""
    rows_landed: int
    """Rows inserted, changed or newly marked deleted: 0 on a rerun of the same window."""
    rows_in_table: int
    rows_rejected: int
    """Records of this table set aside by this landing (``raw_meta.rejected_records``)."""


@dataclass(frozen=True)
class StreamTimings:
    """Where one landing's wall time went; the three phases add up to it.

    Measured with ``time.perf_counter`` around the real work: ``fetch_seconds`` is time in HTTP
    calls (rate-limit waits and back-off included), ``parse_seconds`` the rest of the connector's
    time (decoding bodies into Arrow, typing, rebatching), ``land_seconds`` everything else (DuckDB
    merges, deletes, the cursor, the commit). ``requests`` counts every HTTP attempt, retries
    included. The connector's phases come from :func:`connectors.base.collect_read_stats`.
    """

    fetch_seconds: float
    parse_seconds: float
    land_seconds: float
    requests: int


@dataclass(frozen=True)
class StreamLanding:
    """The committed outcome of landing one stream."""

    vendor: str
    stream: str
    tables: tuple[TableLanding, ...]
    state: StreamState
    loaded_at: datetime
    timings: StreamTimings
    rejects_resolved: int
    """Earlier rejects whose record landed this time (fixed at the vendor and read again)."""


class StreamTablesMismatch(ValueError):
    """The stream's tables are not the ones the caller expected; raised before anything is written."""


class _Stopwatch:
    """Adds up the time spent inside its ``with`` blocks.

    A class, not ``@contextmanager``: ``StopIteration`` from the stream's generator must pass
    through unchanged.
    """

    def __init__(self) -> None:
        self.seconds = 0.0
        self._started = 0.0

    def __enter__(self) -> None:
        self._started = time.perf_counter()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.seconds += time.perf_counter() - self._started


@dataclass
class _TableBuffer:
    """Batches of one table waiting to be merged together."""

    raw: RawTable
    batches: list[pa.RecordBatch] = field(default_factory=list)
    buffered_rows: int = 0
    rows_received: int = 0
    rows_landed: int = 0

    def add(self, batch: pa.RecordBatch) -> None:
        self.batches.append(batch)
        self.buffered_rows += batch.num_rows

    def accepts(self, batch: pa.RecordBatch) -> bool:
        """Batches with a different schema (drift mid-stream) start a new buffer after a flush."""
        return not self.batches or self.batches[0].schema.equals(batch.schema)


class _Landing:
    """The mutable state of one landing in progress; lives only inside :func:`land_stream`."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        stream: Stream,
        specs: tuple[TableSpec, ...],
        flush_rows: int,
        rejects: list[RejectedRecord],
    ) -> None:
        self.con = con
        self.flush_rows = flush_rows
        self.loaded_at = datetime.now(UTC)
        self.vendor, self.name = stream.vendor, stream.name
        self.schema = raw_schema(stream.vendor)
        self.stream = f"{stream.vendor} {stream.name}"
        self.buffers = {spec.name: _TableBuffer(RawTable(con, self.schema, spec)) for spec in specs}
        self.parent = specs[0].name
        self.rejects = rejects
        """The collector the connector reports into; rows without a key are added here."""
        self.open_ids = open_record_ids(con, stream.vendor, stream.name)
        self.landed_open: dict[str, set[str]] = {table: set() for table in self.open_ids}
        """Ids of earlier rejects seen landing now, per table: resolved at commit."""

    def create_tables(self) -> None:
        """Create every declared table up front, so a stream with nothing new still has its tables."""
        for buffer in self.buffers.values():
            self._with_relation(with_ordinal(buffer.raw.spec.schema.empty_table()), buffer.raw.ensure)

    def add(self, table_name: str, batch: pa.RecordBatch) -> None:
        buffer = self.buffers.get(table_name)
        if buffer is None:
            raise ValueError(f"stream yielded a batch for undeclared table {table_name!r}")
        batch, keyless = split_null_keys(self.stream, buffer.raw.spec, batch, buffer.rows_received)
        buffer.rows_received += batch.num_rows + len(keyless)
        self.rejects.extend(keyless)
        if not buffer.accepts(batch):
            self.flush(buffer)
        buffer.add(batch)
        if buffer.buffered_rows >= self.flush_rows:
            self.flush(buffer)

    def flush(self, buffer: _TableBuffer) -> None:
        if not buffer.batches:
            return
        table = self._without_rejected(buffer.raw.spec, pa.Table.from_batches(buffer.batches))
        buffer.batches, buffer.buffered_rows = [], 0
        self._note_landed(buffer.raw.spec, table)
        table = with_ordinal(table)
        columns = table.schema.names
        buffer.rows_landed += self._with_relation(
            table, lambda relation: buffer.raw.merge(relation, columns, self.loaded_at)
        )

    def finish(self) -> tuple[TableLanding, ...]:
        """Flush and merge what is left, then record this landing's rejects."""
        for buffer in self.buffers.values():
            self.flush(buffer)
        rejects = [dataclasses.replace(r, table=r.table or self.parent) for r in self.rejects]
        record_rejects(self.con, self.vendor, self.name, rejects, self.loaded_at)
        results = []
        for buffer in self.buffers.values():
            buffer.rows_landed += buffer.raw.mark_replaced(self.loaded_at)
            rejected = {r.record_id or r.payload_hash for r in rejects if r.table == buffer.raw.spec.name}
            results.append(
                TableLanding(
                    table=f"{self.schema}.{buffer.raw.spec.name}",
                    primary_key=buffer.raw.spec.primary_key,
                    rows_received=buffer.rows_received,
                    rows_landed=buffer.rows_landed,
                    rows_in_table=buffer.raw.row_count(),
                    rows_rejected=len(rejected),
                )
            )
        return tuple(results)

    def resolve_fixed(self) -> int:
        """Resolve earlier rejects whose record landed now and was not rejected again."""
        rejected = self._rejected_ids()
        landed = {table: ids - rejected for table, ids in self.landed_open.items()}
        return resolve(self.con, self.vendor, self.name, landed, self.loaded_at)

    def _rejected_ids(self) -> set[str]:
        return {r.record_id for r in self.rejects if r.record_id is not None}

    def _without_rejected(self, spec: TableSpec, table: pa.Table) -> pa.Table:
        """``table`` without rows whose first key column holds a rejected record's id."""
        rejected = self._rejected_ids()
        if not rejected:
            return table
        ids = pc.cast(table.column(spec.primary_key[0]), pa.string())
        return table.filter(pc.invert(pc.is_in(ids, value_set=pa.array(sorted(rejected), pa.string()))))

    def _note_landed(self, spec: TableSpec, table: pa.Table) -> None:
        """Remember which ids of the table's open rejects this landing sends (fixed records)."""
        open_ids = self.open_ids.get(spec.name)
        if open_ids:
            ids = pc.cast(table.column(spec.primary_key[0]), pa.string())
            found = ids.filter(pc.is_in(ids, value_set=pa.array(sorted(open_ids), pa.string())))
            self.landed_open[spec.name].update(found.to_pylist())

    def _with_relation(self, table: pa.Table, action: Callable[[str], _T]) -> _T:
        self.con.register(_RELATION, table)
        try:
            result = action(_RELATION)
        except BaseException:
            # After a failed statement DuckDB refuses everything until the rollback, unregister
            # included; its "transaction is aborted" must not replace the error that explains why.
            with contextlib.suppress(duckdb.Error):
                self.con.unregister(_RELATION)
            raise
        self.con.unregister(_RELATION)
        return result


def land_stream(
    con: duckdb.DuckDBPyConnection,
    stream: Stream,
    *,
    flush_rows: int = FLUSH_ROWS,
    expected_tables: Collection[str] | None = None,
) -> StreamLanding:
    """Run ``stream`` from its stored cursor and commit its rows and new cursor together.

    ``stream.tables()`` is called before the transaction opens (it may call the vendor's metadata
    endpoints); if ``expected_tables`` is given and differs, :class:`StreamTablesMismatch` is raised
    then. Raises whatever the stream or DuckDB raised, after rolling back.
    """
    started = time.perf_counter()
    in_connector = _Stopwatch()
    with collect_read_stats() as wire, collect_rejects() as rejects:
        with in_connector:
            specs = stream.tables()
        _check_tables(stream, specs, expected_tables)
        ensure_state_table(con)
        ensure_rejects_table(con)
        state = read_state(con, stream.vendor, stream.name)
        landing = _Landing(con, stream, specs, flush_rows, rejects)
        con.begin()
        try:
            landing.create_tables()
            with in_connector:
                generator = stream.read(state)
            try:
                while True:
                    try:
                        with in_connector:
                            table_name, batch = next(generator)
                    except StopIteration as stop:
                        new_state: StreamState = stop.value
                        break
                    landing.add(table_name, batch)
            finally:
                generator.close()
            tables = landing.finish()
            resolved = landing.resolve_fixed()
            write_state(con, stream.vendor, stream.name, new_state, landing.loaded_at)
            con.commit()
        except BaseException:
            con.rollback()
            raise
    total = time.perf_counter() - started
    return StreamLanding(
        vendor=stream.vendor,
        stream=stream.name,
        tables=tables,
        state=new_state,
        loaded_at=landing.loaded_at,
        timings=StreamTimings(
            fetch_seconds=wire.fetch_seconds,
            parse_seconds=max(0.0, in_connector.seconds - wire.fetch_seconds),
            land_seconds=total - in_connector.seconds,
            requests=wire.requests,
        ),
        rejects_resolved=resolved,
    )


def _check_tables(stream: Stream, specs: tuple[TableSpec, ...], expected: Collection[str] | None) -> None:
    actual = {spec.name for spec in specs}
    if expected is not None and actual != set(expected):
        raise StreamTablesMismatch(
            f"{stream.vendor} stream {stream.name!r} writes {sorted(actual)}, but {sorted(expected)} "
            "were expected"
        )
