"""ConnectWise's ``conditions`` grammar (the subset the sandbox serves), compiled to a predicate.

    expr    := term (OR term)*
    term    := factor (AND factor)*
    factor  := NOT factor | '(' expr ')' | field op value | field IN '(' value, ... ')'
    op      := = != < <= > >= LIKE CONTAINS
    value   := integer | decimal | "string" | [yyyy-MM-ddTHH:mm:ssZ] | true | false | null

Fields are ``/`` paths into the record (``company/id``); ``lastUpdated``/``dateEntered`` without a
path mean ``_info/...``, as the API allows. A missing field is null; ordering comparisons with null
are false. Anything else is a ``ConditionError`` (the API's 400).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

Predicate = Callable[[Mapping[str, Any]], bool]
_ALIASES = {"lastUpdated": "_info/lastUpdated", "dateEntered": "_info/dateEntered"}
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<date>\[[^\]]*\])
      | (?P<number>-?\d+(?:\.\d+)?(?![\w/]))
      | (?P<op><=|>=|!=|=|<|>)
      | (?P<punct>[(),])
      | (?P<word>[A-Za-z_][\w/]*)
    )""",
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "in", "like", "contains", "true", "false", "null"}


class ConditionError(ValueError):
    """A malformed ``conditions`` value."""


def _tokens(text: str) -> list[tuple[str, str]]:
    out, position = [], 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        found = _TOKEN.match(text, position)
        if found is None:
            raise ConditionError(f"unexpected text at {position}: {text[position : position + 20]!r}")
        kind = found.lastgroup or ""
        value = found.group(kind)
        if kind == "word" and value.lower() in _KEYWORDS:
            kind, value = "keyword", value.lower()
        out.append((kind, value))
        position = found.end()
    return out


def _date(text: str) -> str:
    """A bracketed date normalised to the served spelling (whole seconds, ``Z``)."""
    raw = text[1:-1].strip()
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ConditionError(f"invalid date {text}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def lookup(record: Mapping[str, Any], path: str) -> Any:
    """The value at a ``/`` path (``None`` when any step is missing)."""
    value: Any = record
    for step in path.split("/"):
        if not isinstance(value, Mapping):
            return None
        value = value.get(step)
    return value


def _compare(op: str, left: Any, right: Any) -> bool:
    if op == "=":
        return left == right
    if op == "!=":
        return left != right
    if left is None or right is None:
        return False
    if op == "like":
        pattern = "".join(".*" if c == "%" else re.escape(c) for c in str(right))
        return re.fullmatch(pattern, str(left), re.IGNORECASE) is not None
    if op == "contains":
        return str(right).lower() in str(left).lower()
    try:
        return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]
    except TypeError:
        return False


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.position = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ConditionError("unexpected end of conditions")
        self.position += 1
        return token

    def expect(self, value: str) -> None:
        if self.take()[1] != value:
            raise ConditionError(f"expected {value!r}")

    def parse(self) -> Predicate:
        predicate = self.expr()
        if self.peek() is not None:
            raise ConditionError(f"unexpected {self.peek()[1]!r}")  # type: ignore[index]
        return predicate

    def expr(self) -> Predicate:
        terms = [self.term()]
        while self.peek() == ("keyword", "or"):
            self.take()
            terms.append(self.term())
        return terms[0] if len(terms) == 1 else (lambda r: any(t(r) for t in terms))

    def term(self) -> Predicate:
        factors = [self.factor()]
        while self.peek() == ("keyword", "and"):
            self.take()
            factors.append(self.factor())
        return factors[0] if len(factors) == 1 else (lambda r: all(f(r) for f in factors))

    def factor(self) -> Predicate:
        kind, value = self.take()
        if (kind, value) == ("keyword", "not"):
            inner = self.factor()
            return lambda r: not inner(r)
        if value == "(":
            inner = self.expr()
            self.expect(")")
            return inner
        if kind != "word":
            raise ConditionError(f"expected a field name, got {value!r}")
        path = _ALIASES.get(value, value)
        op_kind, op = self.take()
        if (op_kind, op) == ("keyword", "in"):
            self.expect("(")
            values = [self.value()]
            while self.peek() == ("punct", ","):
                self.take()
                values.append(self.value())
            self.expect(")")
            return lambda r: lookup(r, path) in values
        if op_kind not in ("op", "keyword") or op not in (
            "=",
            "!=",
            "<",
            "<=",
            ">",
            ">=",
            "like",
            "contains",
        ):
            raise ConditionError(f"expected an operator after {value!r}")
        right = self.value()
        return lambda r: _compare(op, lookup(r, path), right)

    def value(self) -> Any:
        kind, value = self.take()
        if kind == "string":
            return value[1:-1].replace('\\"', '"')
        if kind == "date":
            return _date(value)
        if kind == "number":
            return float(value) if "." in value else int(value)
        if kind == "keyword" and value in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[value]
        raise ConditionError(f"expected a value, got {value!r}")


def parse_conditions(text: str) -> Predicate:
    """Compile ``conditions`` (raises ``ConditionError`` when malformed)."""
    if not text.strip():
        return lambda record: True
    return _Parser(text).parse()
