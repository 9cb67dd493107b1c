"""HubSpot serves every property value as a string; this module types them, column at a time.

The property's declared ``type`` (``GET /crm/v3/properties/{object}``) picks the Arrow type:
number -> float64, datetime -> timestamp[ms, UTC], date -> date32, bool -> bool, anything else
(string, enumeration, phone_number, json...) stays a string. HubSpot writes an empty value as ``""``
and some datetimes as epoch-millisecond strings; both are accepted. A value that still does not
parse breaks the contract for its record: the record is set aside as rejected, naming the record
and the property (:mod:`connectors.rejects`; with nobody collecting, the error stops the stream),
and its value is left NULL so the rest of the column is typed; the landing leaves the record out.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from connectors.base import ConnectorError
from connectors.rejects import Reason, RejectedRecord, payload_hash, set_aside

TIMESTAMP = pa.timestamp("ms", tz="UTC")

_TYPES: dict[str, pa.DataType] = {
    "number": pa.float64(),
    "datetime": TIMESTAMP,
    "date": pa.date32(),
    "bool": pa.bool_(),
}

_NULL_STRING = pa.scalar(None, pa.string())
_EPOCH_MS = r"^-?\d+$"


def arrow_type(hubspot_type: str) -> pa.DataType:
    """The Arrow type for a HubSpot property type."""
    return _TYPES.get(hubspot_type, pa.string())


class ValueTypeError(ConnectorError):
    """A property value that does not parse as its declared type."""


def _blank_to_null(values: pa.Array) -> pa.Array:
    return pc.if_else(pc.equal(values, ""), _NULL_STRING, values)


def _to_timestamp(values: pa.Array) -> pa.Array:
    """ISO-8601 with offset (``...Z``) or epoch milliseconds, whichever each value is."""
    is_epoch = pc.fill_null(pc.match_substring_regex(values, _EPOCH_MS), False)
    from_epoch = pc.cast(pc.if_else(is_epoch, values, _NULL_STRING), pa.int64()).cast(TIMESTAMP)
    from_iso = pc.cast(pc.if_else(is_epoch, _NULL_STRING, values), TIMESTAMP)
    return pc.coalesce(from_epoch, from_iso)


def _to_date(values: pa.Array) -> pa.Array:
    """``YYYY-MM-DD`` (or a longer ISO string's date part), or epoch milliseconds at midnight UTC."""
    is_epoch = pc.fill_null(pc.match_substring_regex(values, _EPOCH_MS), False)
    from_epoch = pc.cast(
        pc.cast(pc.if_else(is_epoch, values, _NULL_STRING), pa.int64()).cast(TIMESTAMP), pa.date32()
    )
    from_iso = pc.cast(
        pc.utf8_slice_codeunits(pc.if_else(is_epoch, _NULL_STRING, values), 0, 10), pa.date32()
    )
    return pc.coalesce(from_epoch, from_iso)


def convert(values: pa.Array, target: pa.DataType) -> pa.Array:
    """Cast a string column to ``target``; raises ``pa.ArrowInvalid`` on an unparseable value."""
    if pa.types.is_string(target):
        return values
    values = _blank_to_null(values)
    if target == TIMESTAMP:
        return _to_timestamp(values)
    if pa.types.is_date32(target):
        return _to_date(values)
    return pc.cast(values, target)


def convert_named(values: pa.Array, target: pa.DataType, *, ids: pa.Array, what: str) -> pa.Array:
    """:func:`convert`, setting aside each record whose value does not parse (NULL in its place).

    ``what`` says where the column comes from (``deals property amount``); the search for the
    offending rows only runs on the error path, so the happy path stays vectorised.
    """
    try:
        return convert(values, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        unparsed = [not _converts(values.slice(position, 1), target) for position in range(len(values))]
        if not any(unparsed):
            raise ValueTypeError(f"hubspot {what}: {exc}") from None
        for position in (p for p, bad in enumerate(unparsed) if bad):
            _set_aside_value(values[position].as_py(), ids[position].as_py(), target, what)
        return convert(pc.if_else(pa.array(unparsed), _NULL_STRING, values), target)


def unparseable(values: pa.Array, target: pa.DataType) -> list[int]:
    """Positions of the values that do not parse as ``target``: for checks that name the record
    themselves (a stage-history timestamp). One vectorised cast when every value parses."""
    try:
        convert(values, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return [
            position for position in range(len(values)) if not _converts(values.slice(position, 1), target)
        ]
    return []


def _converts(value: pa.Array, target: pa.DataType) -> bool:
    try:
        convert(value, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False
    return True


def _set_aside_value(value: object, record: object, target: pa.DataType, what: str) -> None:
    message = f"hubspot {what}: record {record}: cannot read {str(value)[:80]!r} as {target}"
    field = what.partition(" ")[2]  # ``deals property amount`` -> ``property amount``
    reject = RejectedRecord(
        record_id=None if record is None else str(record),
        reason=Reason.UNPARSEABLE_VALUE,
        field=field,
        detail=message,
        payload_hash=payload_hash({"id": record, field: value}),
    )
    set_aside(reject, ValueTypeError(message))
