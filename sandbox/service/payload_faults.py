"""Payload corruption: one record of one successful JSON page rewritten the way real APIs go wrong.

Transport faults (429, 5xx, truncation) test whether a connector *gets* a page; these test what it
does with a page that arrived whole but says something it should not: a field missing, a value of
the wrong JSON type, an enum value nobody documented, a string that does not parse as what it
declares, a multi-megabyte string, bytes that are not UTF-8, a null id, or the same record twice in
one page. Each is scripted through the fault
profile (``corruptions``: "the next page whose target matches X gets record N mutated so") so a
test can aim at exactly one record and then look for exactly that record in the error or the
warehouse.

The mutation works on the decoded body and re-encodes it, except for non-UTF-8 bytes, which JSON
cannot carry: the value is first set to a marker string, and the marker's bytes are swapped for
Latin-1 bytes after encoding (what a misconfigured export typically sends for ``é``).
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

import orjson

UNKNOWN_ENUM_VALUE = "MILEMARKER_UNDOCUMENTED_VALUE"
"""What ``unknown_enum`` writes: recognisable in the warehouse and in dbt test output."""

UNPARSEABLE_VALUE = "MILEMARKER_UNPARSEABLE_VALUE"
"""What ``unparseable`` writes: a string that reads as no number, date, timestamp, boolean or id."""

_NON_UTF8_MARKER = "\u0000milemarker-non-utf8\u0000"
NON_UTF8_BYTES = b"Caf\xe9 Cr\xe8me (latin-1)"
"""What ``non_utf8`` puts inside the value: Latin-1 ``é``/``è``, invalid as UTF-8."""


class Corruption(StrEnum):
    MISSING_FIELD = "missing_field"
    """``field`` is removed from the record (its parent object stays)."""
    WRONG_TYPE = "wrong_type"
    """``field`` gets a value of another JSON type: a string becomes a number, anything else a string."""
    UNKNOWN_ENUM = "unknown_enum"
    """``field`` is set to :data:`UNKNOWN_ENUM_VALUE`."""
    UNPARSEABLE = "unparseable"
    """``field`` is set to :data:`UNPARSEABLE_VALUE`: the right JSON type, but not what it declares."""
    HUGE_STRING = "huge_string"
    """``field`` is set to a string of ``size`` characters."""
    NON_UTF8 = "non_utf8"
    """``field`` is set to a string holding :data:`NON_UTF8_BYTES` (the body is no longer UTF-8)."""
    NULL_ID = "null_id"
    """``field`` (the record's id) is set to ``null``."""
    DUPLICATE_ID = "duplicate_id"
    """A copy of the record is inserted right after it: one page, the same id twice."""


class CorruptionError(ValueError):
    """The corruption does not fit the page (no record list, no record N, no such field)."""


def corrupt(body: bytes, kind: Corruption, *, record: int, field: str, size: int) -> bytes:
    """``body`` with record ``record`` (0-based) of its record list mutated by ``kind``.

    The record list is the first top-level list of objects (HubSpot ``results``, Xero
    ``Invoices``...). Raises :class:`CorruptionError` when the page cannot take the mutation, so a
    caller can leave that page alone and wait for one that can.
    """
    document = orjson.loads(body)
    records = _record_list(document)
    if not 0 <= record < len(records):
        raise CorruptionError(f"the page has {len(records)} records, not {record + 1}")
    target = records[record]
    if kind == Corruption.DUPLICATE_ID:
        records.insert(record + 1, orjson.loads(orjson.dumps(target)))
        return orjson.dumps(document)
    parent, name = _parent(target, field)
    if kind == Corruption.MISSING_FIELD:
        del parent[name]
    elif kind == Corruption.WRONG_TYPE:
        parent[name] = 12345 if isinstance(parent[name], str) else "not-a-" + type(parent[name]).__name__
    elif kind == Corruption.UNKNOWN_ENUM:
        parent[name] = UNKNOWN_ENUM_VALUE
    elif kind == Corruption.UNPARSEABLE:
        parent[name] = UNPARSEABLE_VALUE
    elif kind == Corruption.HUGE_STRING:
        parent[name] = ("milemarker-huge-" * (size // 16 + 1))[:size]
    elif kind == Corruption.NULL_ID:
        parent[name] = None
    elif kind == Corruption.NON_UTF8:
        parent[name] = _NON_UTF8_MARKER
        return orjson.dumps(document).replace(orjson.dumps(_NON_UTF8_MARKER)[1:-1], NON_UTF8_BYTES)
    return orjson.dumps(document)


def _record_list(document: Any) -> list[Any]:
    if isinstance(document, dict):
        for value in document.values():
            if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
                return value
    raise CorruptionError("the page has no list of records")


_STEP = re.compile(r"[^.\[\]]+|\[\d+\]")


def _steps(path: str) -> list[str | int]:
    """``a.b[2].c`` -> ``["a", "b", 2, "c"]``: object keys, and list positions in brackets."""
    return [int(step[1:-1]) if step.startswith("[") else step for step in _STEP.findall(path)]


def _parent(record: dict[str, Any], path: str) -> tuple[Any, str | int]:
    """The object or list holding the last step of ``path``, and that step (a key or a position).

    ``path`` is dotted, with list positions in brackets (``propertiesWithHistory.dealstage[0].value``),
    so one entry of a record's nested list (a stage-history change, an invoice line) can be hit.
    """
    *steps, last = _steps(path)
    parent: Any = record
    for step in steps:
        parent = parent[step] if _holds(parent, step) else None
    if not _holds(parent, last):
        raise CorruptionError(f"the record has no field {path!r}")
    return parent, last


def _holds(container: Any, step: str | int) -> bool:
    """Whether ``container`` has ``step``: a key of an object, or a position of a list."""
    if isinstance(step, int):
        return isinstance(container, list) and step < len(container)
    return isinstance(container, dict) and step in container
