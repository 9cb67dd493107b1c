"""Name the record that makes a page unusable: non-UTF-8 bytes, or a value of the wrong JSON type.

pyarrow's JSON reader decodes a whole page at once, so when it fails it can only say which column
broke (``Column(/results/[]/properties/amount) changed from string to number in row 0``: the "row"
is the page, always 0), and it does not check UTF-8 at all. An owner reading the failed run needs
the record: its position on the page and its id. Both are found here, on the error path only, by
re-reading the page with the standard library, so the happy path pays one ``isascii`` scan (plus a
UTF-8 check when the page has non-ASCII text).

Every bad record of the page is located at once (all those with bytes that are not UTF-8, all
those with the wrong JSON type at the column pyarrow named), so :func:`set_aside_records` can
report them (:mod:`connectors.rejects`) and hand back the page with each replaced by a stub
holding only its id: the page keeps its length (Xero pages by counting records) and the landing
knows which id to leave out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from connectors.base import ResponseShapeError
from connectors.http import BodyDecodeError
from connectors.rejects import Reason, RejectedRecord, payload_hash, set_aside

_TYPE_MISMATCH = re.compile(r"Column\((?P<path>/[^)]*)\) changed from (?P<expected>\w+) to (?P<actual>\w+)")
_JSON_KINDS: dict[type, str] = {
    str: "string",
    bool: "boolean",
    int: "number",
    float: "number",
    dict: "object",
    list: "array",
    type(None): "null",
}


@dataclass(frozen=True)
class BadRecord:
    """Where one record breaks the contract: its list, position and id, the field, and why."""

    records_key: str
    position: int
    record_id: Any
    field: str
    reason: str
    problem: str

    @property
    def path(self) -> str:
        """``$.results[3].properties.amount``: the JSON path on the page."""
        inner = f".{self.field}" if self.field and not self.field.startswith("[") else self.field
        return f"$.{self.records_key}[{self.position}]{inner}"


class BadRecordError(ResponseShapeError):
    """A page the connector refuses because records break the documented contract.

    The message names the first; ``records`` holds every one found (empty when the problem could
    not be pinned on a record, which leaves nothing to set aside).
    """

    def __init__(self, path: str, problem: str, records: tuple[BadRecord, ...] = ()) -> None:
        super().__init__(path, problem)
        self.records = records

    @classmethod
    def of(cls, records: list[BadRecord]) -> BadRecordError:
        return cls(records[0].path, records[0].problem, tuple(records))


def require_utf8(body: bytes) -> None:
    """Raise :class:`BadRecordError` naming the first record holding bytes that are not UTF-8.

    A body that is not JSON once decoded leniently (cut mid-character, garbage) raises
    ``BodyDecodeError`` instead: the request loop fetches it again, as for any undecodable body.
    """
    if body.isascii():
        return
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as error:
        where = f"byte 0x{body[error.start]:02x} at offset {error.start}"
        try:
            document = json.loads(body.decode("utf-8", "surrogateescape"))
        except ValueError:  # cut short or garbage, not a bad record: worth fetching again
            raise BodyDecodeError(f"not UTF-8 JSON ({where})") from None
        bad: dict[int, BadRecord] = {}
        for records_key, position, record_id, path, value in _values(document, ()):
            if position not in bad and isinstance(value, str) and _has_escaped_bytes(value):
                problem = f"{_record(position, record_id)}: {path} is not valid UTF-8 ({where})"
                bad[position] = BadRecord(records_key, position, record_id, path, Reason.NOT_UTF8, problem)
        if bad:
            raise BadRecordError.of(list(bad.values())) from None
        raise BadRecordError("$", f"the page is not valid UTF-8 ({where})") from None


def type_mismatch(body: bytes, arrow_message: str) -> BadRecordError:
    """pyarrow's complaint about a value's JSON type, as an error naming the record and its path."""
    match = _TYPE_MISMATCH.search(arrow_message)
    if match is None:
        return BadRecordError("$", f"response does not match the documented types: {arrow_message}")
    steps = tuple(match["path"].strip("/").split("/")) if match["path"].strip("/") else ()
    expected, actual = match["expected"], match["actual"]
    try:
        document = json.loads(body)
    except ValueError:
        document = None
    bad: dict[int, BadRecord] = {}
    for records_key, position, record_id, path, value in _values(document, steps) if steps else ():
        if position not in bad and _JSON_KINDS.get(type(value)) == actual:
            problem = (
                f"{_record(position, record_id)}: {path or 'the record'} is a JSON {actual}; "
                f"the API documents {_article(expected)} {expected}"
            )
            bad[position] = BadRecord(records_key, position, record_id, path, Reason.WRONG_TYPE, problem)
    if bad:
        return BadRecordError.of(list(bad.values()))
    column = "$" + "".join("[]" if step == "[]" else f".{step}" for step in steps)
    return BadRecordError(
        column, f"expected {_article(expected)} {expected}, got {_article(actual)} {actual}"
    )


def _article(kind: str) -> str:
    return "an" if kind[:1] in "aeiou" else "a"


def _record(position: int, record_id: Any) -> str:
    return f"record {position} of the page (id {record_id!r})"


def _values(document: Any, steps: tuple[str, ...]) -> Iterator[tuple[str, int, Any, str, Any]]:
    """``(record list key, position, id, dotted path, value)`` for the values under each record.

    ``steps`` is pyarrow's column path (``Invoices``, ``[]``, ``LineItems``, ``[]``, ``Amount``):
    its first step names the record list; with only that step, every string in each record is
    visited (for the UTF-8 search, which has no column to go by).
    """
    records_key = steps[0] if steps else _record_list_key(document)
    records = document.get(records_key) if isinstance(document, dict) and records_key else None
    if not isinstance(records, list):
        return
    assert records_key is not None
    for position, record in enumerate(records):
        record_id = _record_id(record, records_key)
        inner = steps[2:] if len(steps) > 2 else None
        for path, value in _walk(record, inner, ""):
            yield records_key, position, record_id, path, value


def _walk(value: Any, steps: tuple[str, ...] | None, path: str) -> Iterator[tuple[str, Any]]:
    """Follow ``steps`` into ``value`` (``[]`` fans out over a list); ``None`` visits every leaf."""
    if steps is None:
        if isinstance(value, dict):
            for key, child in value.items():
                yield from _walk(child, None, f"{path}.{key}" if path else key)
        elif isinstance(value, list):
            for index, child in enumerate(value):
                yield from _walk(child, None, f"{path}[{index}]")
        else:
            yield path, value
        return
    if not steps:
        yield path, value
        return
    step, rest = steps[0], steps[1:]
    if step == "[]":
        if isinstance(value, list):
            for index, child in enumerate(value):
                yield from _walk(child, rest, f"{path}[{index}]")
    elif isinstance(value, dict) and step in value:
        yield from _walk(value[step], rest, f"{path}.{step}" if path else step)


def _record_list_key(document: Any) -> str | None:
    """The first top-level key holding a list (HubSpot ``results``, Xero ``Invoices``...)."""
    if isinstance(document, dict):
        return next((key for key, value in document.items() if isinstance(value, list)), None)
    return None


def _id_key(record: Any, records_key: str | None) -> str:
    """HubSpot's ``id``, or Xero's ``<singular of the collection>ID`` (``Invoices`` -> ``InvoiceID``)."""
    if isinstance(record, dict) and "id" in record:
        return "id"
    name = records_key or ""
    singular = name[:-3] + "y" if name.endswith("ies") else name.removesuffix("s")
    return f"{singular}ID"


def _record_id(record: Any, records_key: str | None) -> Any:
    return record.get(_id_key(record, records_key)) if isinstance(record, dict) else None


def _text_id(record_id: Any) -> str | None:
    """A record id as text (``5`` and ``"5"`` name one record); ``None`` when there is none usable."""
    if record_id is None or isinstance(record_id, dict | list):
        return None
    text = str(record_id)
    return None if _has_escaped_bytes(text) else text


def set_aside_records(body: bytes, error: BadRecordError, table: str | None = None) -> bytes:
    """Report each of ``error``'s records as rejected and return the page with each as an id stub.

    Raises ``error`` when it names no record, or when nobody collects rejects (see
    :func:`connectors.rejects.set_aside`). The stub keeps only the id, as text, so the page keeps
    its length and the record's row carries the id the landing leaves out. ``table`` names the raw
    table of the rejects (``None``: the stream's first table).
    """
    if not error.records:
        raise error
    document = json.loads(body.decode("utf-8", "surrogateescape"))
    for bad in error.records:
        records = document[bad.records_key]
        record = records[bad.position]
        record_id = _text_id(bad.record_id)
        reject = RejectedRecord(
            record_id, bad.reason, bad.field, f"{bad.path}: {bad.problem}", payload_hash(record), table
        )
        set_aside(reject, error)
        records[bad.position] = {} if record_id is None else {_id_key(record, bad.records_key): record_id}
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def _has_escaped_bytes(text: str) -> bool:
    """True when ``surrogateescape`` decoding had to smuggle raw bytes into ``text``."""
    return any("\udc80" <= char <= "\udcff" for char in text)
