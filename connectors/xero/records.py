"""Xero page bodies -> typed Arrow batches, driven by the declarations in ``tables``.

The JSON reader decodes the collection with a schema built from the declared column paths (so
only the fields we keep are materialised), then each column is pulled out by path with Arrow
compute: no Python loop per record. ``/Date(ms+0000)/`` strings become UTC epoch milliseconds
(dates are midnight UTC, so the date part is the organisation's calendar day). A document holding
a date (its own or a line's) that is not in that form is found while the page is decoded and set
aside as rejected, like a value of the wrong JSON type (:mod:`connectors.rejects`): the rest of
the page lands.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pyarrow as pa
import pyarrow.compute as pc

from connectors.arrow_json import page_decoder, records
from connectors.base import ConnectorError
from connectors.columns import TIMESTAMP, Column, JsonShape, Table, record_shape, resolve
from connectors.payload_checks import BadRecord
from connectors.rejects import Reason
from connectors.xero.tables import Endpoint

_MS_DATE = r"^/Date\((?P<ms>-?\d+)(?:[+-]\d{4})?\)/$"


def record_type(endpoint: Endpoint) -> pa.DataType:
    """The JSON shape of one document: the parent's columns plus each child list's columns."""
    root = record_shape(endpoint.table.columns)
    for child in endpoint.children:
        node = root.children.setdefault(child.list_field, JsonShape(is_list=True))
        assert isinstance(node, JsonShape)
        for column in child.table.columns:
            if column.name not in (*child.parent_columns, child.position_column):
                node.add(column)
    return root.arrow()


PAGINATION = pa.struct([("pageCount", pa.int64())])


def collection_decoder(endpoint: Endpoint) -> Callable[[bytes], pa.Table]:
    """Decode a response body to a one-row table holding the collection as a list (and the
    ``pagination`` envelope); a body without the collection is a ``ResponseShapeError``."""
    schema = pa.schema([(endpoint.path, pa.list_(record_type(endpoint))), ("pagination", PAGINATION)])
    return page_decoder(schema, required=(endpoint.path,), check=lambda page: bad_dates(page, endpoint))


def bad_dates(page: pa.Table, endpoint: Endpoint) -> list[BadRecord]:
    """The documents holding a date or timestamp that is not ``/Date()/`` (child lists hold none).

    One vectorised test per date column; Python only touches the bad values.
    """
    docs = documents(page, endpoint)
    ids = pc.struct_field(docs, endpoint.id_column)
    found: dict[int, BadRecord] = {}
    for column in endpoint.table.columns:
        if column.kind not in ("date", "timestamp"):
            continue
        values = resolve(docs, column)
        for position in _not_dates(values):
            if position not in found:
                record_id = ids[position].as_py()
                problem = (
                    f"record {position} of the page (id {record_id!r}): {column.source} is not a /Date()/ "
                    f"value: {str(values[position].as_py())[:40]!r}"
                )
                found[position] = BadRecord(
                    endpoint.path, position, record_id, column.source, Reason.BAD_DATE, problem
                )
    return sorted(found.values(), key=lambda bad: bad.position)


def _not_dates(values: pa.Array) -> list[int]:
    """Positions of the values present but not ``/Date()/``."""
    bad = pc.fill_null(pc.invert(pc.match_substring_regex(values, _MS_DATE)), False)
    return pc.indices_nonzero(bad).to_pylist() if pc.any(bad).as_py() else []


def documents(page: pa.Table, endpoint: Endpoint) -> pa.StructArray:
    """The page's documents as one struct array."""
    return records(page, endpoint.path)


def ms_dates(values: pa.Array, column: Column, ids: pa.Array, what: str) -> pa.Array:
    """``/Date(1539993600000+0000)/`` -> timestamp[ms, UTC] (or date32 for date-only columns)."""
    parsed = pc.extract_regex(values, _MS_DATE)
    bad = pc.and_(pc.is_valid(values), pc.invert(pc.is_valid(parsed)))
    if pc.any(bad).as_py():  # a guard: ``bad_dates`` sets such documents aside as pages are decoded
        position = pc.index(bad, True).as_py()
        raise ConnectorError(
            f"xero {what}: record {ids[position].as_py()}: {column.name} is not a /Date()/ value: "
            f"{str(values[position].as_py())[:40]!r}"
        )
    millis = pc.if_else(pc.is_valid(parsed), pc.struct_field(parsed, "ms"), pa.scalar(None, pa.string()))
    stamps = pc.cast(millis, pa.int64()).cast(TIMESTAMP)
    return pc.cast(stamps, pa.date32()) if column.kind == "date" else stamps


def _typed(values: pa.Array, column: Column, ids: pa.Array, what: str) -> pa.Array:
    if column.kind in ("date", "timestamp"):
        return ms_dates(values, column, ids, what)
    return values


def _deleted(items: pa.StructArray, status_column: str | None) -> pa.Array:
    """``Status == "DELETED"``; voided and archived documents keep their status and stay live."""
    if status_column is None:
        return pc.fill_null(pa.nulls(len(items), pa.bool_()), False)
    return pc.fill_null(pc.equal(pc.struct_field(items, status_column), "DELETED"), False)


def _batch(table: Table, columns: dict[str, pa.Array], deleted: pa.Array) -> pa.RecordBatch:
    arrays = [columns[c.name] for c in table.columns]
    return pa.RecordBatch.from_arrays([*arrays, deleted], schema=table.spec.schema)


def _positions(lists: pa.ListArray, owners: pa.Array) -> pa.Array:
    """Each flattened item's place in its own list, from 0."""
    offsets = lists.offsets.cast(pa.int64())  # absolute positions in the values, slice included
    starts = pc.subtract(offsets.slice(0, len(lists)), offsets[0]).take(owners)
    return pc.subtract(pa.array(range(len(owners)), pa.int64()), starts)


def batches(docs: pa.StructArray, endpoint: Endpoint) -> Iterator[tuple[str, pa.RecordBatch]]:
    """The parent batch, then one batch per child table, for one page of documents."""
    what = endpoint.what
    parent = endpoint.table
    ids = pc.struct_field(docs, endpoint.id_column)
    typed = {c.name: _typed(resolve(docs, c), c, ids, what) for c in parent.columns}
    deleted = _deleted(docs, endpoint.status_column)
    yield parent.name, _batch(parent, typed, deleted)
    for child in endpoint.children:
        lists = pc.struct_field(docs, child.list_field)
        items = pc.list_flatten(lists)
        owners = pc.list_parent_indices(lists)
        owner_ids = ids.take(owners)
        values = {
            c.name: typed[c.name].take(owners)
            if c.name in child.parent_columns
            else _typed(resolve(items, c), c, owner_ids, f"{what} {child.list_field}")
            for c in child.table.columns
            if c.name != child.position_column
        }
        if child.position_column is not None:
            values[child.position_column] = _positions(lists, owners)
        child_deleted = deleted.take(owners)
        if "Status" in values:
            child_deleted = pc.or_(child_deleted, _deleted(items, "Status"))
        yield child.table.name, _batch(child.table, values, child_deleted)
