"""CRM object streams (contacts, companies, deals, engagements) and the deal stage history.

One stream per object type, one raw table per stream with a column per HubSpot property (typed
from the properties API, so a new property becomes a new column on the next run). Deals also yield
``deal_stage_history`` from ``propertiesWithHistory=dealstage``.

First load (no state): the GET list of live records, then the ``archived=true`` list. Later loads:
search over ``[window_end - lookback, server now]`` on the object's modified-date property, the
stage history of the changed deals by batch read, and the archived list again (archiving does not
touch the modified date, and search never returns archived records). The state is
``{"window_end_ms": <server clock at run start>}``; the caller stores it once the batches are landed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from connectors.base import DELETED_COLUMN, Stream, StreamOutput, TableSpec, names_stream
from connectors.hubspot.client import HubspotClient
from connectors.hubspot.values import TIMESTAMP, arrow_type, convert, convert_named

log = logging.getLogger(__name__)

FIXED_FIELDS: tuple[pa.Field, ...] = (
    pa.field("id", pa.int64(), nullable=False),
    pa.field("created_at", TIMESTAMP),
    pa.field("updated_at", TIMESTAMP),
    pa.field("archived", pa.bool_()),
    pa.field("archived_at", TIMESTAMP),
)
RESERVED_NAMES = frozenset(f.name for f in FIXED_FIELDS) | {DELETED_COLUMN}
PRIMARY_KEY = ("id",)
"""Every object table's key; its other columns come from the properties API at run time."""

STAGE_HISTORY = TableSpec(
    name="deal_stage_history",
    schema=pa.schema(
        [
            pa.field("deal_id", pa.int64(), nullable=False),
            pa.field("stage_id", pa.string()),
            pa.field("entered_at", TIMESTAMP),
            pa.field("source_type", pa.string()),
            pa.field("source_id", pa.string()),
            pa.field("source_label", pa.string()),
            pa.field("updated_by_user_id", pa.int64()),
            pa.field(DELETED_COLUMN, pa.bool_(), nullable=False),
        ]
    ),
    primary_key=("deal_id", "entered_at", "stage_id"),
    replace_by=("deal_id",),
)


@dataclass(frozen=True)
class ObjectKind:
    """What differs between CRM object types: the modified-date property search filters on, and
    whether the stream also carries a property's history (deals: ``dealstage``)."""

    object_type: str
    cursor_property: str = "hs_lastmodifieddate"
    history_property: str | None = None

    @property
    def history_tables(self) -> tuple[TableSpec, ...]:
        """The tables the stream writes besides the object's own: the history it carries, if any."""
        return (STAGE_HISTORY,) if self.history_property else ()


OBJECT_KINDS: tuple[ObjectKind, ...] = (
    ObjectKind("contacts", cursor_property="lastmodifieddate"),
    ObjectKind("companies"),
    ObjectKind("deals", history_property="dealstage"),
    ObjectKind("calls"),
    ObjectKind("emails"),
    ObjectKind("meetings"),
    ObjectKind("tasks"),
)


def rebatch(tables: Iterable[pa.Table], rows: int) -> Iterator[pa.Table]:
    """Concatenate page tables into tables of at least ``rows`` rows (typing cost is per call)."""
    pending: list[pa.Table] = []
    count = 0
    for table in tables:
        pending.append(table)
        count += table.num_rows
        if count >= rows:
            yield pa.concat_tables(pending).combine_chunks()
            pending, count = [], 0
    if pending:
        yield pa.concat_tables(pending).combine_chunks()


class ObjectStream(Stream):
    """One CRM object type read incrementally (see the module docstring for the protocol)."""

    vendor = "hubspot"

    def __init__(self, client: HubspotClient, kind: ObjectKind) -> None:
        self._client = client
        self._kind = kind
        self.name = kind.object_type
        self._spec: TableSpec | None = None
        self._properties: list[tuple[str, pa.DataType]] = []

    @names_stream
    def tables(self) -> tuple[TableSpec, ...]:
        if self._spec is None:
            definitions = self._client.properties(self._kind.object_type)
            self._spec, self._properties = self._table_spec(definitions)
        return (self._spec, *self._kind.history_tables)

    def _table_spec(
        self, definitions: list[tuple[str, str]]
    ) -> tuple[TableSpec, list[tuple[str, pa.DataType]]]:
        properties: list[tuple[str, pa.DataType]] = []
        for name, hubspot_type in definitions:
            if name in RESERVED_NAMES:
                log.warning("hubspot %s: property %r shadows a fixed column; skipped", self.name, name)
                continue
            properties.append((name, arrow_type(hubspot_type)))
        fields = [*FIXED_FIELDS, *(pa.field(n, t) for n, t in properties)]
        fields.append(pa.field(DELETED_COLUMN, pa.bool_(), nullable=False))
        spec = TableSpec(
            name=self.name, schema=pa.schema(fields), primary_key=PRIMARY_KEY, version_column="updated_at"
        )
        return spec, properties

    @property
    def _history(self) -> tuple[str, ...]:
        return (self._kind.history_property,) if self._kind.history_property else ()

    @names_stream
    def read(self, state: Mapping[str, Any] | None) -> StreamOutput:
        self.tables()  # properties that appear after the schema was read join it on the next run
        run_start_ms = self._client.server_now_ms(self.name)
        names = [name for name, _ in self._properties]
        if state and "window_end_ms" in state:
            yield from self._changed(names, int(state["window_end_ms"]), run_start_ms)
        else:
            yield from self._emit(self._client.list_records(self.name, names, history=self._history))
        yield from self._emit(
            self._client.list_records(self.name, names, archived=True, history=self._history)
        )
        return {"window_end_ms": run_start_ms}

    def _changed(
        self, names: list[str], previous_end_ms: int, end_ms: int
    ) -> Iterator[tuple[str, pa.RecordBatch]]:
        """Records modified in the search window, then (deals) the stage history of those records."""
        changed = self._client.search_records(
            self.name,
            names,
            cursor_property=self._kind.cursor_property,
            start_ms=self._client.window_start_ms(previous_end_ms),
            end_ms=end_ms,
        )
        changed_ids: list[int] = []
        for table in self._batches(changed):
            changed_ids.extend(table.column("id").cast(pa.int64()).to_pylist())
            yield self.name, self._object_batch(table)
        if self._history:
            history = self._client.batch_read(
                self.name, changed_ids, ["hs_object_id"], history=self._history, table=STAGE_HISTORY.name
            )
            for table in self._batches(history):
                yield STAGE_HISTORY.name, self._history_batch(table)

    def _batches(self, pages: Iterable[pa.Table]) -> Iterator[pa.Table]:
        return rebatch(pages, self._client.config.batch_rows)

    def _emit(self, pages: Iterable[pa.Table]) -> Iterator[tuple[str, pa.RecordBatch]]:
        for table in self._batches(pages):
            yield self.name, self._object_batch(table)
            if self._history:
                yield STAGE_HISTORY.name, self._history_batch(table)

    def _object_batch(self, table: pa.Table) -> pa.RecordBatch:
        """Record table -> typed batch in the table's schema."""
        assert self._spec is not None
        ids = table.column("id").cast(pa.int64())
        archived = pc.fill_null(table.column("archived"), False)
        columns = [
            ids,
            self._typed(table.column("createdAt"), TIMESTAMP, ids, "createdAt"),
            self._typed(table.column("updatedAt"), TIMESTAMP, ids, "updatedAt"),
            archived,
            self._typed(table.column("archivedAt"), TIMESTAMP, ids, "archivedAt"),
        ]
        for name, arrow in self._properties:
            columns.append(self._typed(table.column(f"properties.{name}"), arrow, ids, f"property {name}"))
        columns.append(archived)
        return _single_batch(pa.Table.from_arrays(columns, schema=self._spec.schema))

    def _typed(
        self, values: pa.ChunkedArray, target: pa.DataType, ids: pa.ChunkedArray, what: str
    ) -> pa.Array:
        return convert_named(values, target, ids=ids, what=f"{self.name} {what}")

    def _history_batch(self, table: pa.Table) -> pa.RecordBatch:
        """Explode ``propertiesWithHistory.<prop>`` into one row per change.

        The decoder already set aside every record with a change lacking a readable timestamp
        (:mod:`connectors.hubspot.record_checks`), so the timestamps are typed without a search.
        """
        lists = table.column(f"propertiesWithHistory.{self._kind.history_property}").combine_chunks()
        changes = pc.list_flatten(lists)
        deal_ids = table.column("id").cast(pa.int64()).take(pc.list_parent_indices(lists))
        timestamps = pc.struct_field(changes, "timestamp")
        columns = [
            deal_ids,
            pc.struct_field(changes, "value"),
            convert(timestamps, TIMESTAMP),
            pc.struct_field(changes, "sourceType"),
            pc.struct_field(changes, "sourceId"),
            pc.struct_field(changes, "sourceLabel"),
            pc.struct_field(changes, "updatedByUserId"),
            all_false(len(changes)),
        ]
        return _single_batch(pa.Table.from_arrays(columns, schema=STAGE_HISTORY.schema))


def all_false(length: int) -> pa.Array:
    """A boolean column of ``length`` falses (``_is_deleted`` for rows that only exist live)."""
    return pc.fill_null(pa.nulls(length, pa.bool_()), False)


def _single_batch(table: pa.Table) -> pa.RecordBatch:
    """The table as one record batch (an empty one keeps its schema)."""
    batches = table.combine_chunks().to_batches()
    return batches[0] if batches else pa.RecordBatch.from_pylist([], schema=table.schema)
