"""ConnectWise PSA REST API 3.0 as the sandbox serves it under ``/connectwise/<codebase>/apis/3.0``.

Follows the trimmed OpenAPI subset (vendored in ``tests/contract/specs/connectwise``) and the
documented behaviour (docs/labour.md, docs/connect.md): Basic auth ``company+publicKey:privateKey``
plus a ``clientId`` header (401 without; the check can be switched off), ``conditions`` (see
``conditions``), ``orderBy`` on ``id`` or ``_info/lastUpdated``, 1-based ``page`` with ``pageSize``
25 by default and clamped to 1,000, a ``Link`` header (``next`` absent on the last page, ``last``),
``pagination-type: forward-only`` paging by ``pageId`` (ids above it; ``next`` carries the last
id), ``fields`` projections, ``/count`` siblings, and a 429 with a numeric ``Retry-After`` when the
optional per-minute budget is on. Any codebase segment is accepted; ``/system/workRoles`` and
``/system/workTypes`` do not exist (404), as on the real API.
"""

from __future__ import annotations

import base64
import binascii
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from sandbox.connectwise.conditions import ConditionError, lookup, parse_conditions
from sandbox.service.auth import SandboxCredentials, secrets_equal
from sandbox.service.faults import FaultController, FaultKind
from sandbox.service.routing import Admission, ApiRequest, ApiResponse, VendorApi, dumps, json_response
from sandbox.simulation.model import Business

CONTENT_TYPE = "application/vnd.connectwise.com+json; version=2025.8"
DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 1000
RESULT_CACHE_SIZE = 32
RESOURCES = {
    "time/entries": "time_entries",
    "system/members": "members",
    "finance/agreements": "agreements",
    "finance/agreements/types": "agreement_types",
    "company/companies": "companies",
    "service/tickets": "tickets",
    "project/projects": "projects",
    "time/workRoles": "work_roles",
    "time/workTypes": "work_types",
}
_ORDER_FIELDS = {"id": "id", "_info/lastUpdated": "_info/lastUpdated", "lastUpdated": "_info/lastUpdated"}


class CwRequestError(ValueError):
    """A 400 with ConnectWise's error body."""


def cw_error(status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> ApiResponse:
    """ConnectWise's error body (``application/json``)."""
    body = {"code": code, "message": message, "errors": [{"code": code, "message": message}]}
    return json_response(status, body, headers)


def _project(record: Mapping[str, Any], paths: Sequence[str]) -> dict[str, Any]:
    """Only the ``fields`` asked for, nesting kept (``company/id`` -> ``{"company": {"id": ..}}``)."""
    out: dict[str, Any] = {}
    for path in paths:
        value = lookup(record, path)
        if value is None:
            continue
        *parents, leaf = path.split("/")
        node = out
        for step in parents:
            node = node.setdefault(step, {})
        node[leaf] = value
    return out


class ConnectwiseApi(VendorApi):
    """Routes and contract of the PSA REST API over a ``Business``."""

    name = "connectwise"
    prefix = "/connectwise"

    def __init__(self, business: Business, credentials: SandboxCredentials, faults: FaultController) -> None:
        super().__init__()
        self.business = business
        self._faults = faults
        self._login = f"{credentials.connectwise_company_id}+{credentials.connectwise_public_key}"
        self._private_key = credentials.connectwise_private_key
        self._client_id = credentials.connectwise_client_id
        self.require_client_id = True
        self._clock_seen: object = None
        self._results: OrderedDict[tuple[Any, ...], list[dict[str, Any]]] = OrderedDict()
        base = r"/(?P<codebase>[A-Za-z0-9_.]+)/apis/3\.0/"
        for resource in RESOURCES:
            self.router.add("GET", base + resource + r"(?P<count>/count)?", self.listing)
        self.router.add(
            "GET", base + r"finance/agreements/(?P<parentId>\d+)/additions(?P<count>/count)?", self.listing
        )

    def warm(self) -> None:
        """Build every entity's records for the current clock now (see ``HubspotApi.warm``)."""
        for entity in (*RESOURCES.values(), "additions"):
            self.business.connectwise_records(entity)

    # -- cross-cutting ---------------------------------------------------------------------------
    def authenticate(self, request: ApiRequest) -> ApiResponse | None:
        scheme, _, encoded = (request.headers.get("Authorization") or "").partition(" ")
        try:
            login, _, secret = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            login, secret = "", ""
        if scheme.lower() != "basic" or not (
            secrets_equal(login, self._login) and secrets_equal(secret, self._private_key)
        ):
            return cw_error(401, "Unauthorized", "Invalid credentials (companyId+publicKey:privateKey).")
        client_id = (request.headers.get("clientId") or "").strip()
        if self.require_client_id and not secrets_equal(client_id, self._client_id):
            return cw_error(401, "Unauthorized", "A valid clientId header is required.")
        return None

    def admit(self, request: ApiRequest) -> Admission:
        limiter = self._faults.connectwise_limiter
        if limiter is None:
            return Admission()
        outcome = limiter.check()
        if outcome.problem is None:
            return Admission()
        self._faults.count_rate_limited(self.name, outcome.problem)
        return Admission(refusal=self._too_many(str(outcome.retry_after)))

    def _too_many(self, retry_after: str | None) -> ApiResponse:
        headers = {"Retry-After": retry_after} if retry_after else {}
        return cw_error(429, "TooManyRequests", "Request volume exceeds capacity limits.", headers)

    def fault_response(self, kind: FaultKind, request: ApiRequest) -> ApiResponse:
        if kind == FaultKind.RATE_LIMIT:
            return self._too_many(str(self._faults.profile.retry_after_seconds))
        if kind == FaultKind.RATE_LIMIT_NO_RETRY_AFTER:
            return self._too_many(None)
        if kind == FaultKind.DAILY_LIMIT:
            return self._too_many("3600")
        if kind == FaultKind.TOKEN_EXPIRED:
            return cw_error(401, "Unauthorized", "The API member's keys were revoked.")
        return cw_error(500, "UnexpectedError", "An unexpected error occurred.")

    def not_found(self, request: ApiRequest) -> ApiResponse:
        return cw_error(404, "NotFound", f"The resource {request.path} was not found.")

    # -- endpoints ---------------------------------------------------------------------------------
    def listing(self, request: ApiRequest) -> ApiResponse:
        try:
            selected = self._select(request)
            if request.params.get("count"):
                return self._json({"count": len(selected)})
            return self._page(request, selected)
        except CwRequestError as error:
            return cw_error(400, "InvalidObject", str(error))

    def _json(self, value: Any, headers: Mapping[str, str] | None = None) -> ApiResponse:
        return ApiResponse(200, dumps(value), CONTENT_TYPE, dict(headers or {}))

    def _select(self, request: ApiRequest) -> list[dict[str, Any]]:
        """Records matching ``conditions`` in ``orderBy`` order (cached per clock and query)."""
        path = request.path.split("/apis/3.0/", 1)[1].removesuffix("/count")
        parent = request.params.get("parentId")
        entity = "additions" if parent else RESOURCES[path]
        key = (entity, parent, request.arg("conditions"), request.arg("orderBy"))
        now = self.business.now
        if now != self._clock_seen:
            self._clock_seen = now
            self._results.clear()
        cached = self._results.get(key)
        if cached is not None:
            self._results.move_to_end(key)
            return cached
        try:
            predicate = parse_conditions(request.arg("conditions") or "")
        except ConditionError as error:
            raise CwRequestError(f"conditions: {error}") from None
        records = self.business.connectwise_records(entity)
        if parent:
            records = [r for r in records if r.get("agreementId") == int(parent)]
        selected = [r for r in records if predicate(r)]
        field, descending = _order(request.arg("orderBy"))
        if field != "id" or descending:
            selected.sort(key=lambda r: (lookup(r, field) or "", r["id"]), reverse=descending)
        self._results[key] = selected
        if len(self._results) > RESULT_CACHE_SIZE:
            self._results.popitem(last=False)
        return selected

    def _page(self, request: ApiRequest, selected: list[dict[str, Any]]) -> ApiResponse:
        size = _int_arg(request, "pageSize", DEFAULT_PAGE_SIZE)
        size = min(max(size, 1), MAX_PAGE_SIZE)
        query = {k: v[-1] for k, v in request.query.items()}
        base = f"http://{request.headers.get('Host') or 'localhost'}{self.prefix}{request.path}?"
        links = []
        if (request.headers.get("pagination-type") or "").lower() == "forward-only":
            if _order(request.arg("orderBy")) != ("id", False):
                raise CwRequestError("forward-only pagination requires orderBy=id asc")
            after = _int_arg(request, "pageId", 0)
            remaining = [r for r in selected if r["id"] > after]
            page = remaining[:size]
            if len(remaining) > size:
                links.append(f'<{base}{urlencode(query | {"pageId": page[-1]["id"]})}>; rel="next"')
        else:
            number = _int_arg(request, "page", 1)
            if number < 1:
                raise CwRequestError("page must be 1 or more")
            last = max(1, -(-len(selected) // size))
            page = selected[(number - 1) * size : number * size]
            if number < last:
                links.append(f'<{base}{urlencode(query | {"page": number + 1})}>; rel="next"')
            links.append(f'<{base}{urlencode(query | {"page": last})}>; rel="last"')
        fields = [f.strip() for f in (request.arg("fields") or "").split(",") if f.strip()]
        body = [_project(r, fields) for r in page] if fields else page
        return self._json(body, {"Link": ", ".join(links)} if links else None)


def _order(text: str | None) -> tuple[str, bool]:
    """``orderBy`` as (field path, descending); ``id asc`` by default."""
    if not text:
        return "id", False
    name, _, direction = text.strip().partition(" ")
    direction = direction.strip().lower() or "asc"
    if name not in _ORDER_FIELDS or direction not in ("asc", "desc"):
        raise CwRequestError(f"orderBy {text!r} is not supported")
    return _ORDER_FIELDS[name], direction == "desc"


def _int_arg(request: ApiRequest, name: str, default: int) -> int:
    raw = request.arg(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise CwRequestError(f"{name} must be an integer") from None
