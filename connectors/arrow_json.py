"""Decode a JSON response body straight into Arrow with an explicit schema.

Building Python dicts per record is the slowest step of a connector (measured on these 2-core
machines: ~70k records/s through dicts, ~200k/s straight to Arrow). Every
page body is one JSON document, so pyarrow's JSON reader parses it as a one-row table whose columns
follow the vendor's nesting; the vendor modules then flatten and type it with Arrow compute.

Fields the schema does not name are ignored, so vendors may add fields freely. A body that does
not parse (truncated, HTML) raises :class:`~connectors.http.BodyDecodeError` so the request loop
fetches it again. A value of the wrong JSON type, or text that is not UTF-8, breaks the contract
for its record only: inside a record list the decoder was told of (``required``), each such record
is set aside as rejected (:mod:`connectors.rejects`) and the page read again with the record
reduced to its id; anywhere else, or with nobody collecting rejects, it raises ``BadRecordError``
(a ``ResponseShapeError``) naming the record.

pyarrow's reader is only ever handed a body that starts as a JSON object: given ``null`` it
crashes the whole process (SIGSEGV, pyarrow 2x), so anything else is refused before it gets there.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json

from connectors.http import BodyDecodeError, decode_json
from connectors.payload_checks import (
    BadRecord,
    BadRecordError,
    require_utf8,
    set_aside_records,
    type_mismatch,
)
from connectors.shapes import mismatch

_MIN_BLOCK = 1 << 20
_JSON_WHITESPACE = b" \t\r\n"


RecordCheck = Callable[[pa.Table], list[BadRecord]]
"""Finds the records of a decoded page that break a rule the JSON reader cannot check (Xero dates)."""


def page_decoder(
    schema: pa.Schema,
    *,
    required: tuple[str, ...] = (),
    check: RecordCheck | None = None,
    table: str | None = None,
) -> Callable[[bytes], pa.Table]:
    """A ``decode`` callable for :meth:`HttpClient.request` yielding a one-row ``pa.Table``.

    ``required`` names top-level record lists the vendor always sends (HubSpot ``results``, Xero
    ``Invoices``): missing or ``null``, or holding a ``null`` record, is a ``ResponseShapeError``
    rather than an empty page, which would silently land nothing and move the cursor on. Bad
    records inside them (and those ``check`` finds) are set aside; the happy path reads once.
    ``table`` is the raw table the records land in when it is not the stream's first (HubSpot's
    stage-history batch read), so a reject is counted against the table it kept rows from.
    """

    parse_options = pa_json.ParseOptions(
        explicit_schema=schema, unexpected_field_behavior="ignore", newlines_in_values=True
    )

    def read(body: bytes) -> pa.Table:
        require_utf8(body)  # the JSON reader does not check, and DuckDB refuses such strings later
        read_options = pa_json.ReadOptions(use_threads=False, block_size=max(_MIN_BLOCK, len(body) + 1))
        try:
            table = pa_json.read_json(
                io.BytesIO(body), read_options=read_options, parse_options=parse_options
            )
        except pa.ArrowInvalid as exc:
            message = str(exc)
            if "changed from" in message:
                raise type_mismatch(body, message) from None
            raise BodyDecodeError(message) from None
        if table.num_rows != 1:
            raise BodyDecodeError(f"expected one JSON document, got {table.num_rows}")
        for column in required:
            require_records(table, column)
        bad = check(table) if check else []
        if bad:
            raise BadRecordError.of(bad)
        return table

    def decode(body: bytes) -> pa.Table:
        require_object(body)
        while True:
            try:
                return read(body)
            except BadRecordError as error:
                if any(bad.records_key not in required for bad in error.records):
                    raise
                body = set_aside_records(body, error, table)  # every record it names becomes a stub

    return decode


def require_object(body: bytes) -> None:
    """Refuse, before pyarrow sees it, a body that is not a JSON object.

    Only the first significant byte is looked at (the happy path pays nothing more); a body that
    does not start with ``{`` is parsed once to tell JSON of the wrong shape (a contract breach)
    from garbage (fetched again, like a truncated page).
    """
    start = body.lstrip(_JSON_WHITESPACE)[:1]
    if start != b"{":
        raise mismatch("$", "a JSON object", decode_json(body))


def require_records(page: pa.Table, column: str) -> None:
    """``column`` is present, not ``null``, and holds no ``null`` record."""
    lists = page.column(column).combine_chunks()
    if lists.null_count:
        raise mismatch(f"$.{column}", "an array", None)
    nulls = pc.is_null(pc.list_flatten(lists))
    if pc.any(nulls).as_py():
        raise mismatch(f"$.{column}[{pc.index(nulls, True).as_py()}]", "an object", None)


def records(page: pa.Table, column: str) -> pa.StructArray:
    """The records of a page's top-level list column (``results``, ``Invoices``...) as one array."""
    return pc.list_flatten(page.column(column)).combine_chunks()


def field_path(array: pa.StructArray, path: str) -> pa.Array:
    """A nested struct field by dotted path (``Contact.ContactID``); nulls where a parent is null."""
    for name in path.split("."):
        array = pc.struct_field(array, name)
    return array


def nth_of_lists(lists: pa.ListArray, n: int) -> pa.Array:
    """The ``n``-th element of each list, null where the list is shorter (``list_element`` raises)."""
    starts = pc.cast(lists.offsets.slice(0, len(lists)), pa.int64())
    long_enough = pc.fill_null(pc.greater(pc.list_value_length(lists), n), False)
    positions = pc.if_else(long_enough, pc.add(starts, n), pa.scalar(None, pa.int64()))
    return lists.values.take(positions)


def scalar_at(page: pa.Table, path: str) -> object:
    """One value of a one-row page by dotted path (``paging.next.after``), as a Python object."""
    head, _, rest = path.partition(".")
    array = page.column(head).combine_chunks()
    if rest:
        array = field_path(array, rest)
    return array[0].as_py()
