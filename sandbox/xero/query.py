"""Xero's ``where`` and ``order`` query parameters, as far as connectors use them.

``where`` is a .NET-flavoured expression; the sandbox accepts AND-chains (``AND`` or ``&&``) of
``Field op literal`` with ``==, !=, >, >=, <, <=`` and literals ``"text"``, ``Guid("…")``,
``DateTime(y,m,d[,h,m,s])``, numbers, ``true``/``false``/``null``; dotted fields reach into nested
objects (``Contact.ContactID``). Anything else is refused with Xero's ``QueryParseException``
instead of being silently ignored, so a connector never believes a filter it sent was applied.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sandbox.simulation.clock import epoch_ms
from sandbox.simulation.model import XeroDocument

_CLAUSE = re.compile(
    r"""\s*(?P<field>[A-Za-z_][\w.]*)\s*(?P<op>==|!=|>=|<=|>|<)\s*
        (?P<value>"(?:[^"\\]|\\.)*"|Guid\(\s*"[^"]*"\s*\)|DateTime\([\d,\s]+\)|-?\d+(?:\.\d+)?|true|false|null)\s*""",
    re.IGNORECASE | re.VERBOSE,
)
_JOIN = re.compile(r"\s*(?:AND|&&)\s*", re.IGNORECASE)
_MS_DATE = re.compile(r"/Date\((-?\d+)([+-]\d{4})?\)/")
_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


class QueryParseError(ValueError):
    """An expression the sandbox (or Xero) cannot parse."""


def field_value(body: Mapping[str, Any], path: str) -> Any:
    """``Contact.ContactID`` → ``body["Contact"]["ContactID"]`` (``None`` when absent)."""
    value: Any = body
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def comparable(value: Any) -> Any:
    """Normalise a document value for comparison: ``/Date(ms)/`` → ms, strings case-folded."""
    if isinstance(value, str):
        found = _MS_DATE.fullmatch(value)
        return int(found.group(1)) if found else value.casefold()
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return float(value)
    return value


def _literal(text: str) -> Any:
    lowered = text.lower()
    if text.startswith('"'):
        return text[1:-1].replace('\\"', '"').casefold()
    if lowered.startswith("guid("):
        return text[text.index('"') + 1 : text.rindex('"')].casefold()
    if lowered.startswith("datetime("):
        parts = [int(p) for p in text[text.index("(") + 1 : -1].split(",") if p.strip()]
        if not 3 <= len(parts) <= 6:
            raise QueryParseError(f"DateTime needs 3 to 6 parts: {text}")
        return epoch_ms(datetime(*parts, tzinfo=UTC))  # type: ignore[misc]
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "null":
        return None
    return float(text)


@dataclass(frozen=True)
class Clause:
    field: str
    op: str
    value: Any

    def test(self, document: XeroDocument) -> bool:
        actual = comparable(field_value(document.body, self.field))
        if self.op in ("==", "!="):
            return _OPERATORS[self.op](actual, self.value)
        try:
            return actual is not None and _OPERATORS[self.op](actual, self.value)
        except TypeError:
            return False


def parse_where(text: str) -> tuple[Clause, ...]:
    """Parse an AND-chain; raises ``QueryParseError`` on anything outside the supported subset."""
    clauses, position = [], 0
    while True:
        found = _CLAUSE.match(text, position)
        if found is None:
            raise QueryParseError(f"The sandbox cannot parse the where clause near: {text[position:]!r}")
        clauses.append(Clause(found["field"], found["op"], _literal(found["value"])))
        position = found.end()
        if position == len(text):
            return tuple(clauses)
        joined = _JOIN.match(text, position)
        if joined is None or joined.end() == position:
            raise QueryParseError(f"Only AND-chains are supported in where, near: {text[position:]!r}")
        position = joined.end()


@dataclass(frozen=True)
class Order:
    field: str
    descending: bool

    def key(self, document: XeroDocument) -> tuple[bool, Any]:
        """Sort key: ``UpdatedDateUTC`` from the document's datetime, anything else from its body."""
        if self.field.casefold() == "updateddateutc":
            return (False, document.updated_at)
        value = comparable(field_value(document.body, self.field))
        return (value is None, value if value is not None else 0)


def parse_order(text: str) -> Order:
    """``UpdatedDateUTC ASC`` / ``Name DESC`` / ``Date`` (one key; the first of a list)."""
    first = text.split(",")[0].split()
    if not first or len(first) > 2 or (len(first) == 2 and first[1].upper() not in ("ASC", "DESC")):
        raise QueryParseError(f"Cannot parse order {text!r}")
    return Order(first[0], len(first) == 2 and first[1].upper() == "DESC")
