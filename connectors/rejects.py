"""Bad records a stream sets aside instead of failing: what was wrong, where, and with which record.

A record that breaks the vendor's documented contract (a value of the wrong JSON type, bytes that
are not UTF-8, a property that does not parse as its declared type, a Xero date that is not
``/Date()/``) says nothing about its neighbours: refusing the whole stream for it would hold back
every good record and the cursor with them. So the connector reports it here and leaves it out;
whoever drives the stream (the landing) collects the reports and keeps them where an owner can see
and count them. Shapes that are not records (a ``null`` body, a missing collection) stay fatal:
there is no record to set aside.

Reports travel through a context variable, like :func:`connectors.base.collect_read_stats`: the
code that finds a bad record (a page decoder, a value parser) runs deep inside the HTTP client and
cannot return anything but the page. Nobody collecting means nowhere to keep the record, so the
error it would have become is raised instead: a record is never dropped silently.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


class Reason:
    """Why a record was set aside: short, stable codes (part of a reject's identity across runs)."""

    WRONG_TYPE = "wrong_type"
    NOT_UTF8 = "not_utf8"
    UNPARSEABLE_VALUE = "unparseable_value"
    BAD_DATE = "bad_date"
    MISSING_KEY = "missing_key"


@dataclass(frozen=True)
class RejectedRecord:
    """One record left out of a stream's landing."""

    record_id: str | None
    """The record's id as the vendor sent it, when it has one."""
    reason: str
    """A :class:`Reason` code."""
    field: str
    """The offending field inside the record (``properties.amount``, ``LineItems[0].Quantity``)."""
    detail: str
    """The full message: JSON path on the page, record position and id, what was expected."""
    payload_hash: str
    """:func:`payload_hash` of the record (see there for what is hashed)."""
    table: str | None = None
    """The raw table the record belongs to; ``None``: the stream's first (parent) table."""


def payload_hash(payload: Any) -> str:
    """sha256 of ``payload`` as canonical JSON (sorted keys, ASCII escapes): equal records, equal hash.

    ASCII escapes keep text that is not UTF-8 hashable (its bytes arrive as lone surrogates).
    """
    text = json.dumps(payload, sort_keys=True, ensure_ascii=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


_COLLECTING: ContextVar[list[RejectedRecord] | None] = ContextVar("connectors_rejects", default=None)


@contextmanager
def collect_rejects() -> Iterator[list[RejectedRecord]]:
    """Collect the records set aside in this context (thread or task) until the block exits."""
    rejects: list[RejectedRecord] = []
    token = _COLLECTING.set(rejects)
    try:
        yield rejects
    finally:
        _COLLECTING.reset(token)


def set_aside(reject: RejectedRecord, otherwise: Exception) -> None:
    """Report ``reject`` to the collector; with none, raise ``otherwise`` (nowhere to keep it)."""
    rejects = _COLLECTING.get()
    if rejects is None:
        raise otherwise
    rejects.append(reject)
