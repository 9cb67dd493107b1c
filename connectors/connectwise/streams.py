"""ConnectWise PSA streams: one per list endpoint, agreement additions per agreement, and the id
listing that finds hard-deleted time entries.

Every list is read with forward-only paging (``pagination-type: forward-only``, ``pageSize`` up to
1,000, ``pageId`` = the last id read): pages are keyed by id, so a record saved or deleted while a
run pages cannot shift the pages and be skipped, as it can with numbered pages. Paging ends when
the ``Link`` header offers no ``next`` or a page comes back short; :class:`PageProgress` stops a
server whose ids repeat or go backwards.

Incremental: ``conditions=lastUpdated >= [newest lastUpdated landed - overlap]``; rows read twice
merge by id (newest ``lastUpdated`` wins). State: ``{"last_updated": "<ISO 8601>"}``.

Deletions: the API keeps no tombstones. Companies are soft-deleted (``deletedFlag``, landed as
``_is_deleted``). Agreement additions are re-read whole per agreement (one that is gone is marked
deleted): the agreements changed since the last run, and once a week every active one. Time
entries, the records labour cost is summed from, are re-listed by id for every UTC
day of ``deletion_window`` (``fields=id,timeStart``, about 1,000 ids a call): an id stored for a
listed day but missing from the listing was deleted. Tickets, projects and agreements deleted
outright are not detected (their hours live on the time entries).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from connectors.base import FixedTablesStream, IdleStream, Stream, StreamOutput, TableSpec, names_stream
from connectors.columns import Column, Table
from connectors.connectwise.client import ConnectWiseClient
from connectors.connectwise.config import ConnectWiseConfig
from connectors.connectwise.records import batch, items_of, list_decoder, typed
from connectors.connectwise.tables import (
    AGREEMENT_ADDITIONS,
    AGREEMENTS,
    ENDPOINTS,
    LAST_UPDATED,
    TIME_ENTRIES,
    TIME_ENTRY_IDS,
    Endpoint,
)
from connectors.paging import PageProgress

FORWARD_ONLY = {"pagination-type": "forward-only"}
_AGREEMENT_IDS = Table("agreement_ids", (Column("id", "int"), LAST_UPDATED), primary_key=("id",))
_ENTRY_STARTS = Table("time_entry_starts", (Column("id", "int"), Column("timeStart", "timestamp")), ("id",))
_ADDITIONS_PER_BATCH = 200
"""Agreements whose additions are landed as one batch (one call each, a handful of rows per call)."""


def iso(moment: datetime) -> str:
    """A ``conditions`` date-time: UTC, whole seconds, ``Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_iso(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def forward_pages(
    client: ConnectWiseClient,
    path: str,
    table: Table,
    *,
    what: str,
    conditions: str | None = None,
    fields: str | None = None,
) -> Iterator[pa.StructArray]:
    """Every record of ``path`` matching ``conditions``, a page at a time, in id order."""
    decode = list_decoder(table)
    page_size = client.config.page_size
    progress = PageProgress(f"connectwise {what}")
    params: dict[str, Any] = {"pageSize": page_size}
    if conditions:
        params["conditions"] = conditions
    if fields:
        params["fields"] = fields
    while True:
        response, page = client.get(path, decode=decode, params=params, headers=FORWARD_ONLY)
        items = items_of(page)
        ids = pc.struct_field(items, "id")
        has_next = "next" in response.links and len(items) >= page_size
        progress.page(ids.to_pylist(), has_next=has_next, order=ids.to_pylist())
        if len(items):
            yield items
        if not has_next:
            return
        params["pageId"] = pc.max(ids).as_py()


def _newest(items: pa.StructArray, current: datetime | None) -> datetime | None:
    stamps = typed(pc.struct_field(pc.struct_field(items, "_info"), "lastUpdated"), LAST_UPDATED)
    newest = pc.max(stamps).as_py()
    if newest is None:
        return current
    return newest if current is None else max(current, newest)


def _since(state: Mapping[str, Any] | None, overlap: timedelta) -> tuple[datetime | None, datetime | None]:
    """The newest ``lastUpdated`` landed and the condition's bound (that, less the overlap)."""
    if not state or not state.get("last_updated"):
        return None, None
    newest = _parse_iso(str(state["last_updated"]))
    return newest, newest - overlap


def _state(newest: datetime | None) -> dict[str, Any]:
    return {"last_updated": iso(newest)} if newest is not None else {}


class ConnectWiseStream(Stream):
    """One list endpoint read by ``lastUpdated`` (see the module docstring)."""

    vendor = "connectwise"

    def __init__(self, client: ConnectWiseClient, endpoint: Endpoint) -> None:
        self._client = client
        self._endpoint = endpoint
        self.name = endpoint.stream

    def tables(self) -> tuple[TableSpec, ...]:
        return (self._endpoint.spec,)

    @names_stream
    def read(self, state: Mapping[str, Any] | None) -> StreamOutput:
        endpoint = self._endpoint
        newest, bound = _since(state, self._client.config.overlap)
        conditions = f"lastUpdated >= [{iso(bound)}]" if bound is not None else None
        for items in forward_pages(
            self._client, endpoint.path, endpoint.table, what=endpoint.what, conditions=conditions
        ):
            deleted = pc.struct_field(items, endpoint.deleted_flag) if endpoint.deleted_flag else None
            yield endpoint.table.name, batch(items, endpoint.table, deleted)
            newest = _newest(items, newest)
        return _state(newest)


class AgreementAdditionsStream(FixedTablesStream):
    """Each agreement's additions, read whole (one call per agreement, there is no list across
    agreements): every agreement on the first run; every active agreement and every one changed
    since the last run once ``additions_full_refresh`` has passed on the PSA's clock since the
    last such pass; otherwise only the agreements changed since the last run (a daily run of a
    quiet week costs a handful of calls). State: the newest agreement ``lastUpdated`` seen and
    when the last wide pass ran."""

    vendor = "connectwise"
    name = "agreement_additions"
    specs = (AGREEMENT_ADDITIONS.spec,)

    def __init__(self, client: ConnectWiseClient) -> None:
        self._client = client

    @names_stream
    def read(self, state: Mapping[str, Any] | None) -> StreamOutput:
        config = self._client.config
        newest, bound = _since(state, config.overlap)
        now = self._client.server_now(AGREEMENTS.path)
        last_wide = _parse_iso(str(state["wide_pass_at"])) if state and state.get("wide_pass_at") else None
        wide = last_wide is None or now - last_wide >= config.additions_full_refresh
        if bound is None:
            conditions = None
        elif wide:
            conditions = f'agreementStatus = "Active" OR lastUpdated >= [{iso(bound)}]'
        else:
            conditions = f"lastUpdated >= [{iso(bound)}]"
        agreements: list[int] = []
        for items in forward_pages(
            self._client,
            AGREEMENTS.path,
            _AGREEMENT_IDS,
            what=f"{self.name} GET /{AGREEMENTS.path}",
            conditions=conditions,
            fields="id,_info/lastUpdated",
        ):
            agreements.extend(pc.struct_field(items, "id").to_pylist())
            newest = _newest(items, newest)
        for start in range(0, len(agreements), _ADDITIONS_PER_BATCH):
            parts = [
                rows
                for agreement in agreements[start : start + _ADDITIONS_PER_BATCH]
                if (rows := self._additions(agreement)) is not None
            ]
            if parts:
                yield AGREEMENT_ADDITIONS.name, pa.concat_batches(parts)
        return {**_state(newest), "wide_pass_at": iso(now if wide or last_wide is None else last_wide)}

    def _additions(self, agreement: int) -> pa.RecordBatch | None:
        """One agreement's additions, with ``agreementId`` set from the path (the body may omit it)."""
        path = f"{AGREEMENTS.path}/{agreement}/additions"
        pages = list(forward_pages(self._client, path, AGREEMENT_ADDITIONS, what=f"{self.name} GET /{path}"))
        if not pages:
            return None
        rows = batch(pa.concat_arrays(pages), AGREEMENT_ADDITIONS)
        parent = pa.array([agreement] * rows.num_rows, pa.int64())
        return rows.set_column(rows.schema.get_field_index("agreementId"), "agreementId", parent)


class TimeEntryIdsStream(FixedTablesStream):
    """The ids of the time entries of each UTC day of the deletion window (see the module docstring).

    The window ends at the server's clock (its ``Date`` header), not this machine's, so a PSA in
    another time zone, or the sandbox at its simulated day, lists the days it has."""

    vendor = "connectwise"
    name = "time_entry_ids"
    specs = (TIME_ENTRY_IDS.spec,)

    def __init__(self, client: ConnectWiseClient) -> None:
        self._client = client

    @names_stream
    def read(self, state: Mapping[str, Any] | None) -> StreamOutput:
        now = self._client.server_now(TIME_ENTRIES.path)
        first_day = (now - self._client.config.deletion_window).date()
        start = datetime(first_day.year, first_day.month, first_day.day, tzinfo=UTC)
        for items in forward_pages(
            self._client,
            TIME_ENTRIES.path,
            _ENTRY_STARTS,
            what=f"{self.name} GET /{TIME_ENTRIES.path}",
            conditions=f"timeStart >= [{iso(start)}]",
            fields="id,timeStart",
        ):
            starts = typed(pc.struct_field(items, "timeStart"), _ENTRY_STARTS.columns[1])
            ids = pc.struct_field(items, "id")
            deleted = pa.array([False] * len(items), pa.bool_())
            yield (
                TIME_ENTRY_IDS.name,
                pa.RecordBatch.from_arrays(
                    [ids, starts.cast(pa.date32()), deleted], schema=TIME_ENTRY_IDS.spec.schema
                ),
            )
        return {}


def connectwise_streams(config: ConnectWiseConfig) -> list[Stream]:
    """Every ConnectWise stream, sharing one client (one session, one rate budget).

    Names are stable (stored cursors and op names are keyed by them); the list, with each stream's
    tables, is :data:`connectors.connectwise.catalog.CATALOG`.
    """
    client = ConnectWiseClient(config)
    return [
        *(ConnectWiseStream(client, endpoint) for endpoint in ENDPOINTS),
        AgreementAdditionsStream(client),
        TimeEntryIdsStream(client),
    ]


def idle_connectwise_streams() -> list[Stream]:
    """The streams of a run without a PSA: the same names and tables, nothing read (see
    :class:`~connectors.base.IdleStream`); profitability then allocates overhead by revenue share."""
    fixed: tuple[type[FixedTablesStream], ...] = (AgreementAdditionsStream, TimeEntryIdsStream)
    return [
        *(IdleStream("connectwise", endpoint.stream, (endpoint.spec,)) for endpoint in ENDPOINTS),
        *(IdleStream("connectwise", stream.name, stream.specs) for stream in fixed),
    ]
