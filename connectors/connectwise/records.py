"""ConnectWise page bodies -> typed Arrow batches, driven by the declarations in ``tables``.

A list endpoint answers a bare JSON array. It is decoded as the ``records`` member of a one-key
object (pyarrow's reader takes objects), with a schema built from the declared column paths, so only
the fields we keep are materialised; columns are then pulled out by path with Arrow compute.
Date-times are ISO 8601 UTC strings (``2026-01-01T00:00:00Z``, fractions of a second allowed) and
numbers sent as text (``hourlyCost``) are parsed after decoding: a record holding a value that is
neither is set aside as rejected while the page is decoded, and the rest of the page lands.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc

from connectors.arrow_json import page_decoder, records
from connectors.columns import TIMESTAMP, Column, Table, record_shape, resolve
from connectors.payload_checks import BadRecord
from connectors.rejects import Reason

RECORDS = "records"
"""The member name the bare array is decoded under (and rejects are reported against)."""

_ISO = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$"
_DECIMAL = r"^\s*-?\d+(\.\d+)?\s*$"
_RULES = {
    "timestamp": (_ISO, Reason.BAD_DATE, "an ISO 8601 UTC date-time"),
    "decimal_text": (
        _DECIMAL,
        Reason.UNPARSEABLE_VALUE,
        "a number",
    ),
}


@functools.cache
def list_decoder(table: Table) -> Callable[[bytes], pa.Table]:
    """Decode a list body to a one-row table holding its records; anything but an array of objects
    is a ``ResponseShapeError``, a record with an unparseable value is set aside. One per table (the
    schema is built once: agreement additions are read with one call per agreement)."""
    decode = page_decoder(
        pa.schema([(RECORDS, pa.list_(record_shape(table.columns).arrow()))]),
        required=(RECORDS,),
        check=lambda page: bad_values(page, table),
    )
    return lambda body: decode(b'{"' + RECORDS.encode() + b'":' + body + b"}")


def bad_values(page: pa.Table, table: Table) -> list[BadRecord]:
    """The records holding a date-time or a number-as-text that does not parse, one vectorised
    test per such column; Python only touches the bad values."""
    items = records(page, RECORDS)
    ids = pc.struct_field(items, "id")
    found: dict[int, BadRecord] = {}
    for column in table.columns:
        if column.kind not in _RULES:
            continue
        pattern, reason, expected = _RULES[column.kind]
        values = resolve(items, column)
        bad = pc.fill_null(pc.invert(pc.match_substring_regex(values, pattern)), False)
        if not pc.any(bad).as_py():
            continue
        for position in pc.indices_nonzero(bad).to_pylist():
            if position not in found:
                problem = (
                    f"record {position} of the page (id {ids[position].as_py()!r}): {column.source} is not "
                    f"{expected}: {str(values[position].as_py())[:40]!r}"
                )
                found[position] = BadRecord(
                    RECORDS, position, ids[position].as_py(), column.source, reason, problem
                )
    return sorted(found.values(), key=lambda bad: bad.position)


def items_of(page: pa.Table) -> pa.StructArray:
    """The page's records as one struct array."""
    return records(page, RECORDS)


def typed(values: pa.Array, column: Column) -> pa.Array:
    """A column's JSON values as the raw table types them (checked by :func:`bad_values` first)."""
    if column.kind == "timestamp":
        whole_seconds = pc.replace_substring_regex(values, r"\.\d+Z$", "Z")
        parsed = pc.strptime(whole_seconds, format="%Y-%m-%dT%H:%M:%SZ", unit="ms")
        return parsed.cast(TIMESTAMP)
    if column.kind == "decimal_text":
        return pc.utf8_trim_whitespace(values).cast(pa.float64())
    return values


def batch(items: pa.StructArray, table: Table, deleted: pa.Array | None = None) -> pa.RecordBatch:
    """One raw-table batch of ``items``; ``deleted`` defaults to all live."""
    arrays = [typed(resolve(items, column), column) for column in table.columns]
    if deleted is None:
        deleted = pa.array([False] * len(items), pa.bool_())
    return pa.RecordBatch.from_arrays([*arrays, pc.fill_null(deleted, False)], schema=table.spec.schema)
