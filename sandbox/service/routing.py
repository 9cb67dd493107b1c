"""Request/response values and the path router the sandbox's vendor APIs share.

The HTTP server (``server.py``) owns sockets, threads and fault injection; the vendor modules
(``hubspot_api.py``, ``xero_api.py``, ``control_api.py``) are plain functions from an
``ApiRequest`` to an ``ApiResponse``. Keeping the two apart lets each vendor module be read as a
description of the vendor's contract, without HTTP plumbing in the way.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import Message
from typing import Any
from uuid import UUID

import orjson

from sandbox.service.faults import FaultKind

JSON_CONTENT_TYPE = "application/json;charset=utf-8"


def _default(value: Any) -> Any:
    """orjson hook: the simulation may hand out read-only mappings and tuples; encode them as JSON."""
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def dumps(value: Any) -> bytes:
    """Encode a response body. Keys keep insertion order so equal inputs give identical bytes."""
    return orjson.dumps(value, default=_default)


@dataclass(frozen=True, slots=True)
class ApiRequest:
    """One parsed HTTP request as a vendor handler sees it.

    ``request_id`` is a uuid5 of the request and the sandbox clock, so envelope ids and correlation
    ids are reproducible. ``take_fault`` asks the fault injector whether a handler-level fault
    (``repeat_cursor``) applies to this request; handlers call it only where the fault makes sense.
    """

    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Message
    body: bytes
    request_id: UUID
    take_fault: Callable[[FaultKind], bool]
    params: Mapping[str, str] = field(default_factory=dict)

    def arg(self, name: str, default: str | None = None) -> str | None:
        """The last value of a query parameter (HubSpot and Xero both take the last of repeats)."""
        values = self.query.get(name)
        return values[-1] if values else default

    def json(self) -> Any:
        """The body as JSON; raises ``ValueError`` (orjson.JSONDecodeError) when it is not."""
        return orjson.loads(self.body or b"null")


@dataclass(slots=True)
class ApiResponse:
    """Status, body and headers of one response; ``Content-Length`` is added by the server."""

    status: int
    body: bytes
    content_type: str = JSON_CONTENT_TYPE
    headers: dict[str, str] = field(default_factory=dict)


def json_response(status: int, value: Any, headers: Mapping[str, str] | None = None) -> ApiResponse:
    """A JSON response with optional extra headers."""
    return ApiResponse(status, dumps(value), JSON_CONTENT_TYPE, dict(headers or {}))


Handler = Callable[[ApiRequest], ApiResponse]


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler


class Router:
    """Matches ``METHOD /path`` against regex routes; named groups become ``ApiRequest.params``."""

    def __init__(self) -> None:
        self._routes: list[Route] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append(Route(method, re.compile(pattern + r"\Z"), handler))

    def match(self, method: str, path: str) -> tuple[Handler, dict[str, str]] | None:
        for route in self._routes:
            found = route.pattern.match(path)
            if found and route.method == method:
                return route.handler, found.groupdict()
        return None


@dataclass
class Admission:
    """A rate limiter's verdict: headers for the response, a refusal (429) or ``None``, and the
    callback that gives the request's concurrency slot back once its response is written."""

    headers: dict[str, str] = field(default_factory=dict)
    refusal: ApiResponse | None = None
    release: Callable[[], None] = lambda: None


class VendorApi(ABC):
    """One imitated service under a URL prefix: its routes and its own auth, limit and error shapes."""

    name: str
    prefix: str
    injects_faults: bool = True

    def __init__(self) -> None:
        self.router = Router()

    def preflight(self, request: ApiRequest, target: str) -> ApiResponse | None:
        """A refusal decided before routing (e.g. HubSpot's 414 on an over-long URL)."""
        return None

    def authenticate(self, request: ApiRequest) -> ApiResponse | None:
        """The 401/403 response for bad credentials, or ``None`` when the request may proceed."""
        return None

    def admit(self, request: ApiRequest) -> Admission:
        """Apply the vendor's rate limits (when switched on)."""
        return Admission()

    @abstractmethod
    def not_found(self, request: ApiRequest) -> ApiResponse:
        """The vendor's answer for a path it does not serve."""

    def fault_response(self, kind: FaultKind, request: ApiRequest) -> ApiResponse:
        """The vendor's rendering of an injected 429 / daily stop / expired token / 500.

        Vendors override this with their own error shapes; the default is a bare JSON 500.
        """
        return json_response(500, {"error": str(kind)})
