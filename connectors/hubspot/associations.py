"""Association edges (deal->company, deal->contact, contact->company) via the v4 batch read.

Incremental runs read the edges of records modified in ``[window_end - lookback, server now]``;
a full pass over every live record runs on the first load and whenever the last one is older than
``associations_full_refresh``, because association changes do not reliably bump the modified date.
Each table is replaced per "from" id: an edge missing from a record's fresh answer is marked deleted
by the landing code. Known gap: a record that lost *all* its edges of one kind is absent from the
answer (HubSpot reports it under ``errors``) and keeps its old edges until it gains a new one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from connectors.base import DELETED_COLUMN, FixedTablesStream, StreamOutput, TableSpec, names_stream
from connectors.hubspot.client import HubspotClient
from connectors.hubspot.metadata import next_after
from connectors.hubspot.objects import OBJECT_KINDS, all_false
from connectors.paging import CursorGuard
from connectors.shapes import digits, json_reader, objects, optional_string, required_object

BATCH_INPUTS = 1000
"""HubSpot's maximum ``inputs`` per v4 association batch read."""

_CURSOR_PROPERTY = {kind.object_type: kind.cursor_property for kind in OBJECT_KINDS}


@dataclass(frozen=True)
class AssociationTable:
    """One directed association and the raw table it lands in."""

    from_type: str
    to_type: str
    from_column: str
    to_column: str

    @property
    def spec(self) -> TableSpec:
        name = f"{self.from_column.removesuffix('_id')}_{self.to_type}"
        return TableSpec(
            name=name,
            schema=pa.schema(
                [
                    pa.field(self.from_column, pa.int64(), nullable=False),
                    pa.field(self.to_column, pa.int64(), nullable=False),
                    pa.field("association_type_id", pa.int64(), nullable=False),
                    pa.field("association_category", pa.string()),
                    pa.field("association_label", pa.string()),
                    pa.field(DELETED_COLUMN, pa.bool_(), nullable=False),
                ]
            ),
            primary_key=(self.from_column, self.to_column, "association_type_id"),
            replace_by=(self.from_column,),
        )


ASSOCIATIONS: tuple[AssociationTable, ...] = (
    AssociationTable("deals", "companies", "deal_id", "company_id"),
    AssociationTable("deals", "contacts", "deal_id", "contact_id"),
    AssociationTable("contacts", "companies", "contact_id", "company_id"),
)


Edge = tuple[int, int, int, str | None, str | None]
"""(from id, to id, association type id, category, label)."""


@dataclass(frozen=True)
class EdgePage:
    """One batch-read answer: its edges, and ``(from id, after)`` for records whose edges continue."""

    edges: list[Edge]
    continuations: list[tuple[str, str]]


def edge_page(body: Any) -> EdgePage:
    """Read a v4 batch-read answer (200 or 207), checking each value it uses.

    Plain JSON rather than Arrow's JSON reader: ``toObjectId`` is a string in the OpenAPI spec but
    a number in HubSpot's documented examples, and :func:`~connectors.shapes.digits` takes either.
    Edges are few per record.
    """
    answer = required_object(body, "$")
    rows: list[Edge] = []
    continuations: list[tuple[str, str]] = []
    for path, result in objects(answer.get("results"), "$.results", required=False):
        from_id = digits(required_object(result.get("from"), f"{path}.from").get("id"), f"{path}.from.id")
        for to_path, target in objects(result.get("to"), f"{path}.to", required=False):
            to_id = digits(target.get("toObjectId"), f"{to_path}.toObjectId")
            kinds = objects(target.get("associationTypes"), f"{to_path}.associationTypes", required=False)
            for kind_path, kind in kinds:
                rows.append(
                    (
                        from_id,
                        to_id,
                        digits(kind.get("typeId"), f"{kind_path}.typeId"),
                        optional_string(kind.get("category"), f"{kind_path}.category"),
                        optional_string(kind.get("label"), f"{kind_path}.label"),
                    )
                )
        after = next_after(result, path)
        if after is not None:
            continuations.append((str(from_id), after))
    return EdgePage(rows, continuations)


def edges(rows: Sequence[Edge], table: AssociationTable) -> pa.RecordBatch:
    """Edge tuples -> a batch in the table's schema."""
    columns = [list(column) for column in zip(*rows, strict=True)] if rows else [[], [], [], [], []]
    arrays = [
        pa.array(values, field.type)
        for values, field in zip(columns, list(table.spec.schema)[:5], strict=True)
    ]
    return pa.RecordBatch.from_arrays([*arrays, all_false(len(rows))], schema=table.spec.schema)


class AssociationsStream(FixedTablesStream):
    """Deal and contact associations (see the module docstring)."""

    vendor = "hubspot"
    name = "associations"
    specs = tuple(table.spec for table in ASSOCIATIONS)

    def __init__(self, client: HubspotClient) -> None:
        self._client = client

    @names_stream
    def read(self, state: Mapping[str, Any] | None) -> StreamOutput:
        config = self._client.config
        run_start_ms = self._client.server_now_ms("deals")
        last_full_ms = int(state.get("full_refresh_ms", 0)) if state else 0
        full = (
            not state
            or run_start_ms - last_full_ms >= config.associations_full_refresh.total_seconds() * 1000
        )
        for from_type in dict.fromkeys(table.from_type for table in ASSOCIATIONS):
            if full:
                pages = self._client.list_records(from_type, ["hs_object_id"])
            else:
                pages = self._client.search_records(
                    from_type,
                    ["hs_object_id"],
                    cursor_property=_CURSOR_PROPERTY[from_type],
                    start_ms=self._client.window_start_ms(state["window_end_ms"]),
                    end_ms=run_start_ms,
                )
            # a record without an id has no edges to ask for; its own stream rejects it
            ids = [int(i) for page in pages for i in page.column("id").to_pylist() if i is not None]
            for table in ASSOCIATIONS:
                if table.from_type == from_type:
                    for batch in self._read_edges(table, ids):
                        yield table.spec.name, batch
        return {"window_end_ms": run_start_ms, "full_refresh_ms": run_start_ms if full else last_full_ms}

    def _read_edges(self, table: AssociationTable, ids: Sequence[int]) -> Iterator[pa.RecordBatch]:
        """Batch-read the edges of ``ids``, following per-record paging for records with many edges."""
        path = f"/crm/v4/associations/{table.from_type}/{table.to_type}/batch/read"
        guards: dict[str, CursorGuard] = {}
        for start in range(0, len(ids), BATCH_INPUTS):
            inputs: list[dict[str, str]] = [{"id": str(i)} for i in ids[start : start + BATCH_INPUTS]]
            while inputs:
                page = self._client.post(path, {"inputs": inputs}, json_reader(edge_page), accept=(200, 207))
                if page.edges:
                    yield edges(page.edges, table)
                inputs = []
                for from_id, after in page.continuations:
                    what = f"hubspot {table.spec.name} of {from_id}"
                    guard = guards.setdefault(from_id, CursorGuard(what))
                    inputs.append({"id": from_id, "after": guard.advance(after)})
