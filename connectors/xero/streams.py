"""Xero streams: one per Accounting collection, each landing a parent table and its child tables.

Incremental collections send ``If-Modified-Since`` (newest ``UpdatedDateUTC`` landed, minus
``lookback``) with ``order=UpdatedDateUTC ASC`` and page by ``page``/``pageSize`` until a short
page (checked for progress by :class:`connectors.paging.PageProgress`: a full page of documents
already read, ``UpdatedDateUTC`` going backwards, or more pages than ``pagination.pageCount``
stops the stream). Deletes and voids arrive through the same feed as status changes. Collections without
``If-Modified-Since`` (tracking categories, currencies, repeating invoices) are re-read whole.
State: ``{"modified_since_ms": <newest UpdatedDateUTC seen>}`` (``{}`` for re-read collections).

``/Journals`` pages by offset instead: ``offset=N`` answers up to 100 journals numbered above N in
number order, and the stream asks again from the highest number it got until a batch comes back
empty. Journals are immutable (an edit or a void posts a new, reversing journal), so the highest
number landed is an exact cursor: state ``{"offset": <highest JournalNumber landed>}``. No
``If-Modified-Since`` is sent: it would filter on creation time, which the number already orders.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from connectors.arrow_json import scalar_at
from connectors.base import NoProgressError, Stream, StreamOutput, TableSpec, names_stream
from connectors.paging import PageProgress
from connectors.xero.client import XeroClient
from connectors.xero.config import XeroConfig
from connectors.xero.records import batches, collection_decoder, documents, ms_dates
from connectors.xero.reports import XeroProfitAndLossStream
from connectors.xero.tables import ENDPOINTS, Column, Endpoint

_UPDATED = Column("UpdatedDateUTC", "timestamp")


class XeroStream(Stream):
    """One Xero collection (see the module docstring)."""

    vendor = "xero"

    def __init__(self, client: XeroClient, endpoint: Endpoint) -> None:
        self._client = client
        self._endpoint = endpoint
        self.name = endpoint.stream
        self._decode = collection_decoder(endpoint)

    def tables(self) -> tuple[TableSpec, ...]:
        return self._endpoint.specs

    @names_stream
    def read(self, state: Mapping[str, Any] | None) -> StreamOutput:
        if self._endpoint.offset_column is not None:
            return (yield from self._read_by_offset(state))
        endpoint = self._endpoint
        newest: int | None = None
        since: int | None = None
        if endpoint.modified_since and state and state.get("modified_since_ms") is not None:
            newest = int(state["modified_since_ms"])
            since = newest - int(self._client.config.lookback.total_seconds() * 1000)
        for docs in self._pages(since):
            for table_name, batch in batches(docs, endpoint):
                if table_name == endpoint.table.name and endpoint.modified_since:
                    newest = _max_ms(batch.column("UpdatedDateUTC"), newest)
                yield table_name, batch
        return {"modified_since_ms": newest} if endpoint.modified_since and newest is not None else {}

    def _read_by_offset(self, state: Mapping[str, Any] | None) -> StreamOutput:
        endpoint = self._endpoint
        column = endpoint.offset_column
        assert column is not None
        offset = int(state["offset"]) if state and state.get("offset") is not None else 0
        progress = PageProgress(f"xero {endpoint.what}")
        while True:
            body = self._client.get(endpoint.path, decode=self._decode, params={"offset": offset})
            docs = documents(body, endpoint)
            numbers = pc.struct_field(docs, column)
            progress.page(
                pc.struct_field(docs, endpoint.id_column).to_pylist(),
                has_next=len(docs) > 0,
                order=numbers.to_pylist(),
            )
            if not len(docs):
                return {"offset": offset}
            highest = pc.max(numbers).as_py()
            if highest is None or highest <= offset:
                raise NoProgressError(
                    f"xero {endpoint.what}: offset={offset} answered {column}s up to {highest}, none above "
                    "the offset; stopping instead of re-reading"
                )
            yield from batches(docs, endpoint)
            offset = int(highest)

    def _pages(self, since_ms: int | None) -> Iterator[pa.StructArray]:
        endpoint = self._endpoint
        params: dict[str, Any] = dict(endpoint.params)
        if endpoint.modified_since:
            params["order"] = "UpdatedDateUTC ASC"

        def get(query: dict[str, Any]) -> pa.Table:
            return self._client.get(
                endpoint.path, decode=self._decode, params=query, modified_since_ms=since_ms
            )

        if not endpoint.paged:
            docs = documents(get(params), endpoint)
            if len(docs):
                yield docs
            return
        page_size = self._client.config.page_size
        progress = PageProgress(f"xero {endpoint.what}")
        page = 1
        while True:
            body = get({**params, "page": page, "pageSize": page_size})
            docs = documents(body, endpoint)
            ids = pc.struct_field(docs, endpoint.id_column)
            progress.promise_pages(scalar_at(body, "pagination.pageCount"))
            progress.page(ids.to_pylist(), has_next=len(ids) >= page_size, order=self._order(docs, ids))
            if len(ids):
                yield docs
            if len(ids) < page_size:
                return
            page += 1

    def _order(self, docs: pa.StructArray, ids: pa.Array) -> list[int]:
        """``UpdatedDateUTC`` as epoch ms where the request asked for that order, else nothing."""
        if not self._endpoint.modified_since:
            return []
        stamps = ms_dates(pc.struct_field(docs, _UPDATED.name), _UPDATED, ids, self._endpoint.what)
        return stamps.cast(pa.int64()).to_pylist()


def _max_ms(stamps: pa.Array, current: int | None) -> int | None:
    """The later of ``current`` and the newest timestamp in ``stamps``, as epoch ms."""
    newest = pc.max(stamps.cast(pa.int64())).as_py()
    if newest is None:
        return current
    return newest if current is None else max(current, newest)


def xero_streams(config: XeroConfig) -> list[Stream]:
    """Every Xero stream, sharing one client (tokens, tenant, one rate budget).

    Names are stable (stored cursors and op names are keyed by them); the list, with each stream's
    tables, is :data:`connectors.xero.catalog.CATALOG`, held to this function by a sandbox test.
    """
    client = XeroClient(config)
    return [*(XeroStream(client, endpoint) for endpoint in ENDPOINTS), XeroProfitAndLossStream(client)]
