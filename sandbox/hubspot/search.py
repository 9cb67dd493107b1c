"""HubSpot CRM search: validating a ``PublicObjectSearchRequest`` and evaluating it over an index.

Semantics follow the API: filters inside a group are AND-ed, groups are OR-ed; datetime values
are epoch-ms strings; one sort; ``after`` is an offset and the result window stops at 10,000
(``after + limit`` past the cap is a 400, which is what forces connectors to re-window on
``hs_object_id``). Archived records are not in the searched partition at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from sandbox.hubspot.index import ObjectIndex, typed_key

MAX_GROUPS = 5
MAX_FILTERS_PER_GROUP = 10
MAX_FILTERS = 25
MAX_LIMIT = 200
DEFAULT_LIMIT = 10

_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "EQ": lambda key, value: key == value,
    "NEQ": lambda key, value: key != value,
    "LT": lambda key, value: key is not None and key < value,
    "LTE": lambda key, value: key is not None and key <= value,
    "GT": lambda key, value: key is not None and key > value,
    "GTE": lambda key, value: key is not None and key >= value,
}
_OPERATORS = frozenset(
    [
        *_COMPARISONS,
        "BETWEEN",
        "IN",
        "NOT_IN",
        "HAS_PROPERTY",
        "NOT_HAS_PROPERTY",
        "CONTAINS_TOKEN",
        "NOT_CONTAINS_TOKEN",
    ]
)
_TOKEN_SPLIT = re.compile(r"[^\w@.*-]+")


class SearchError(ValueError):
    """The request is invalid; the message is what HubSpot's VALIDATION_ERROR body carries."""


@dataclass(frozen=True)
class Condition:
    property_name: str
    operator: str
    value: str | None
    high_value: str | None
    values: tuple[str, ...]


@dataclass(frozen=True)
class SearchQuery:
    groups: tuple[tuple[Condition, ...], ...]
    sort: tuple[str, bool] | None
    """(property, descending)."""
    properties: tuple[str, ...] | None
    limit: int
    after: int

    def cache_key(self) -> tuple[Any, ...]:
        """What decides the matching, ordered result list (paging fields excluded)."""
        return (self.groups, self.sort)


def parse_search(body: Any, result_cap: int) -> SearchQuery:
    """Validate the body as HubSpot does; raises ``SearchError`` with HubSpot-like messages."""
    if not isinstance(body, dict):
        raise SearchError("Invalid input JSON: expected an object.")
    if body.get("query"):
        raise SearchError("The sandbox does not support free-text 'query'; use filterGroups.")
    groups = tuple(_parse_group(group) for group in _list(body, "filterGroups"))
    if len(groups) > MAX_GROUPS:
        raise SearchError(f"Too many filter groups: {len(groups)} (maximum {MAX_GROUPS}).")
    if sum(len(group) for group in groups) > MAX_FILTERS:
        raise SearchError(f"Too many filters (maximum {MAX_FILTERS} across all groups).")
    sorts = _list(body, "sorts")
    if len(sorts) > 1:
        raise SearchError("Only one sort is supported.")
    limit = _int(body.get("limit", DEFAULT_LIMIT), "limit")
    if not 0 <= limit <= MAX_LIMIT:
        raise SearchError(f"limit must be between 0 and {MAX_LIMIT}.")
    after = _int(body.get("after") or 0, "after")
    if after < 0:
        raise SearchError("after must not be negative.")
    if after + limit > result_cap:
        raise SearchError(
            f"Search results are limited to {result_cap}: after ({after}) + limit ({limit}) exceeds it."
        )
    properties = body.get("properties")
    if properties is not None and not (
        isinstance(properties, list) and all(isinstance(p, str) for p in properties)
    ):
        raise SearchError("properties must be a list of property names.")
    return SearchQuery(
        groups=groups,
        sort=_parse_sort(sorts[0]) if sorts else None,
        properties=tuple(properties) if properties else None,
        limit=limit,
        after=after,
    )


def run_search(index: ObjectIndex, query: SearchQuery) -> list[int]:
    """Positions (into ``index.live``) of the matching records, in the requested order."""
    count = len(index.live.records)
    if query.groups:
        matched: set[int] = set()
        for group in query.groups:
            matched.update(_match_group(index, group, count))
        positions = sorted(matched)
    else:
        positions = list(range(count))
    if query.sort is None:
        return positions
    name, descending = query.sort
    column = index.column(name)
    present = [i for i in positions if column[i] is not None]
    missing = [i for i in positions if column[i] is None]
    present.sort(key=column.__getitem__, reverse=descending)  # stable: ties stay in id order
    return present + missing


def _match_group(index: ObjectIndex, group: tuple[Condition, ...], count: int) -> list[int]:
    positions: list[int] | range = range(count)
    for condition in group:
        column = index.column(condition.property_name)
        test = _predicate(condition, index.property_types.get(condition.property_name, "string"))
        positions = [i for i in positions if test(column[i])]
    return list(positions)


def _predicate(condition: Condition, kind: str) -> Callable[[Any], bool]:
    operator = condition.operator

    def key(raw: str | None) -> Any:
        parsed = typed_key(kind, raw)
        if parsed is None and operator not in ("EQ", "NEQ"):
            raise SearchError(f"Invalid value {raw!r} for property {condition.property_name} ({kind}).")
        return parsed

    if operator in _COMPARISONS:
        compare, value = _COMPARISONS[operator], key(condition.value)
        return lambda candidate: compare(candidate, value)
    if operator == "BETWEEN":
        low, high = key(condition.value), key(condition.high_value)
        return lambda candidate: candidate is not None and low <= candidate <= high
    if operator in ("IN", "NOT_IN"):
        wanted = frozenset(key(v) for v in condition.values)
        inside = operator == "IN"
        return lambda candidate: (candidate in wanted) == inside
    if operator == "HAS_PROPERTY":
        return lambda candidate: candidate is not None
    if operator == "NOT_HAS_PROPERTY":
        return lambda candidate: candidate is None
    pattern = (condition.value or "").casefold()
    wanted_token = operator == "CONTAINS_TOKEN"
    return lambda candidate: (
        (
            candidate is not None
            and any(fnmatchcase(token, pattern) for token in _TOKEN_SPLIT.split(str(candidate)))
        )
        == wanted_token
    )


def _parse_group(group: Any) -> tuple[Condition, ...]:
    if not isinstance(group, dict):
        raise SearchError("Each filter group must be an object with 'filters'.")
    filters = _list(group, "filters")
    if len(filters) > MAX_FILTERS_PER_GROUP:
        raise SearchError(f"Too many filters in a group (maximum {MAX_FILTERS_PER_GROUP}).")
    return tuple(_parse_filter(f) for f in filters)


def _parse_filter(raw: Any) -> Condition:
    if not isinstance(raw, dict) or not isinstance(raw.get("propertyName"), str):
        raise SearchError("Each filter needs a propertyName and an operator.")
    operator = raw.get("operator")
    if operator not in _OPERATORS:
        raise SearchError(f"Unknown filter operator {operator!r}.")
    values = raw.get("values") or []
    if operator in ("IN", "NOT_IN") and not values:
        raise SearchError(f"Operator {operator} needs 'values'.")
    needs_value = operator not in ("IN", "NOT_IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY")
    if needs_value and raw.get("value") is None:
        raise SearchError(f"Operator {operator} needs 'value'.")
    if operator == "BETWEEN" and raw.get("highValue") is None:
        raise SearchError("Operator BETWEEN needs 'highValue'.")
    return Condition(
        property_name=raw["propertyName"],
        operator=operator,
        value=None if raw.get("value") is None else str(raw["value"]),
        high_value=None if raw.get("highValue") is None else str(raw["highValue"]),
        values=tuple(str(v) for v in values),
    )


def _parse_sort(raw: Any) -> tuple[str, bool]:
    """A ``{"propertyName", "direction"}`` sort (docs) or a bare name, ``-name`` descending (spec)."""
    if isinstance(raw, str) and raw:
        return (raw[1:], True) if raw.startswith("-") else (raw, False)
    if isinstance(raw, dict) and isinstance(raw.get("propertyName"), str):
        direction = raw.get("direction", "ASCENDING")
        if direction not in ("ASCENDING", "DESCENDING"):
            raise SearchError(f"Unknown sort direction {direction!r}.")
        return raw["propertyName"], direction == "DESCENDING"
    raise SearchError("Each sort needs a propertyName.")


def _list(body: dict[str, Any], name: str) -> list[Any]:
    value = body.get(name) or []
    if not isinstance(value, list):
        raise SearchError(f"{name} must be a list.")
    return value


def _int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise SearchError(f"{name} must be an integer.") from None
