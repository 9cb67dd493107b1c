"""Read a decoded JSON document by the shape the vendor documents, naming the JSON path of a surprise.

Every plain-JSON body a connector reads (owners, pipelines, property definitions, association
edges, Xero connections) goes through these accessors inside the ``decode`` callable handed to
:meth:`connectors.http.HttpClient.request`. A value of another shape raises
:class:`~connectors.base.ResponseShapeError` with its path (``$.results[3].id``); the client adds
vendor, endpoint and status. Without them, ``body.get("results")`` on a ``null`` body surfaced as
``AttributeError: 'NoneType' object has no attribute 'get'``, which nobody can act on.

``optional_*`` accept a missing key or ``null`` (both vendors treat most fields as optional);
``required_*`` do not.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

import orjson

from connectors.base import ResponseShapeError
from connectors.http import decode_json

T = TypeVar("T")

_DIGITS = re.compile(r"\d+")
_SHOWN_CHARS = 40
_KINDS: dict[type, str] = {
    dict: "an object",
    list: "an array",
    str: "a string",
    bool: "a boolean",
    int: "a number",
    float: "a number",
    type(None): "null",
}


def shown(value: Any) -> str:
    """A value as a message quotes it: its JSON kind, and short scalars themselves."""
    if isinstance(value, (dict, list)):
        return _KINDS[type(value)]
    text = orjson.dumps(value).decode() if not isinstance(value, str) else repr(value)
    return text if len(text) <= _SHOWN_CHARS else f"{text[:_SHOWN_CHARS]}..."


def mismatch(path: str, expected: str, value: Any) -> ResponseShapeError:
    return ResponseShapeError(path, f"expected {expected}, got {shown(value)}")


def json_reader(read: Callable[[Any], T]) -> Callable[[bytes], T]:
    """A ``decode`` callable: parse JSON (undecodable bodies are re-fetched), then ``read`` it."""

    def decode(body: bytes) -> T:
        return read(decode_json(body))

    return decode


def required_object(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise mismatch(path, "an object", value)
    return value


def optional_object(value: Any, path: str) -> dict[str, Any]:
    return {} if value is None else required_object(value, path)


def required_list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise mismatch(path, "an array", value)
    return value


def optional_list(value: Any, path: str) -> list[Any]:
    return [] if value is None else required_list(value, path)


def objects(value: Any, path: str, *, required: bool = True) -> list[tuple[str, dict[str, Any]]]:
    """An array of objects as ``(path of the element, element)`` pairs."""
    items = required_list(value, path) if required else optional_list(value, path)
    return [(f"{path}[{i}]", required_object(item, f"{path}[{i}]")) for i, item in enumerate(items)]


def optional_string(value: Any, path: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise mismatch(path, "a string", value)


def required_string(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value:
        raise mismatch(path, "a non-empty string", value)
    return value


def digits(value: Any, path: str) -> int:
    """A HubSpot id: a string of digits per the spec, a JSON number in some documented examples."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return int(value)
    raise mismatch(path, "a string of digits", value)


def optional_scalar(value: Any, path: str) -> str | int | float | bool | None:
    """A string, number or boolean (HubSpot metadata sends ``"0.2"`` or ``0.2`` alike)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise mismatch(path, "a string, number or boolean", value)
