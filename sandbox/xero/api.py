"""Xero Accounting API 2.0 as the sandbox serves it under ``/xero/api.xro/2.0``.

Follows the official ``xero_accounting.yaml`` (vendored in ``tests/contract/specs/xero``) and the
live API's documented behaviour (``docs/vendor-contracts.md``): the ``xero-tenant-id``
header on every call (403 ``AuthenticationUnsuccessful`` when missing or wrong), bearer tokens from
the identity service (401 ``TokenExpired`` / ``AuthenticationUnsuccessful``), 1-based ``page`` with
``pageSize`` up to 1,000 on the paged collections, ``If-Modified-Since`` compared strictly against
``UpdatedDateUTC``, ``order``, simple ``where`` chains, ``Statuses``, ``IDs``, ``includeArchived``,
the ``{"Id","Status","ProviderName","DateTimeUTC","pagination",...}`` envelope, XML unless
``Accept: application/json``, and the rate-limit headers and 429s when limits are on.

``GET /Journals`` pages by ``offset`` (JournalNumber), 100 journals a call, without a ``pagination``
envelope, as the real endpoint does; ``GET /ManualJournals`` is paged like the invoices.

Sandbox choices where the real API is vague: a paged collection requested without ``page`` answers
page 1 (with ``pagination``, so a client that forgot to page can see ``pageCount``); the default
order is by the document's id; a ``where`` outside the supported subset, a malformed
``If-Modified-Since`` or P&L ``periods``/tracking parameters are a 400 rather than silently ignored.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sandbox.service.auth import AccessCheck, XeroTokenAuthority, secrets_equal
from sandbox.service.faults import FaultController, FaultKind
from sandbox.service.routing import Admission, ApiRequest, ApiResponse, VendorApi, dumps, json_response
from sandbox.service.timefmt import ms_date, parse_http_or_iso
from sandbox.simulation.model import Business, XeroDocument
from sandbox.xero.query import Clause, Order, QueryParseError, parse_order, parse_where
from sandbox.xero.xml_bodies import render_xml

PROVIDER_NAME = "Milemarker Sandbox"
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
JOURNALS_PER_CALL = 100
RESULT_CACHE_SIZE = 64
TIMEFRAME_MONTHS = {"MONTH": 1, "QUARTER": 3, "YEAR": 12}
"""The P&L report's ``timeframe``: how many months apart its comparison periods are."""
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"


@dataclass(frozen=True)
class Collection:
    """How one GET collection endpoint behaves, per the spec's parameter lists."""

    name: str
    paged: bool = False
    modified_since: bool = False
    archived_status: str | None = None
    """The status field ``includeArchived`` controls (archived documents hidden unless asked for)."""


COLLECTIONS = {
    c.name: c
    for c in (
        Collection("Invoices", paged=True, modified_since=True),
        Collection("Contacts", paged=True, modified_since=True, archived_status="ContactStatus"),
        Collection("Payments", paged=True, modified_since=True),
        Collection("CreditNotes", paged=True, modified_since=True),
        Collection("BankTransactions", paged=True, modified_since=True),
        Collection("ManualJournals", paged=True, modified_since=True),
        Collection("Accounts", modified_since=True),
        Collection("Items", modified_since=True),
        Collection("RepeatingInvoices"),
        Collection("TrackingCategories", archived_status="Status"),
        Collection("Currencies"),
    )
}


class XeroRequestError(ValueError):
    """A 400 with Xero's body: ``QueryParseException`` (16) or ``ValidationException`` (10)."""

    def __init__(self, message: str, *, parse: bool = False) -> None:
        super().__init__(message)
        self.parse = parse


def problem(
    request: ApiRequest, status: int, title: str, detail: str, headers: Mapping[str, str] | None = None
) -> ApiResponse:
    """The identity gateway's problem-details body (401/403/429), always JSON."""
    body = {
        "Type": None,
        "Title": title,
        "Status": status,
        "Detail": detail,
        "Instance": str(request.request_id),
        "Extensions": {},
    }
    return json_response(status, body, headers)


def bearer_token(request: ApiRequest) -> str | None:
    scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def check_bearer(request: ApiRequest, tokens: XeroTokenAuthority) -> ApiResponse | None:
    """401 unless the request carries a live access token (shared with ``/connections``)."""
    token = bearer_token(request)
    state = tokens.check_access(token) if token else AccessCheck.UNKNOWN
    if state == AccessCheck.VALID:
        return None
    if state == AccessCheck.EXPIRED:
        return problem(
            request,
            401,
            "Unauthorized",
            "TokenExpired: token expired",
            {"WWW-Authenticate": 'Bearer error="invalid_token", error_description="The token expired"'},
        )
    challenge = 'Bearer error="invalid_token"' if token else "Bearer"
    return problem(
        request, 401, "Unauthorized", "AuthenticationUnsuccessful", {"WWW-Authenticate": challenge}
    )


class _CollectionIndex:
    """One collection at one clock reading: business order, and ``UpdatedDateUTC`` order for bisecting."""

    def __init__(self, documents: Sequence[XeroDocument]) -> None:
        self.documents = list(documents)
        self.position = {doc.id: i for i, doc in enumerate(self.documents)}
        self.by_updated = sorted(self.documents, key=lambda doc: (doc.updated_at, self.position[doc.id]))
        self.updated_keys = [doc.updated_at for doc in self.by_updated]

    def modified_after(self, since: datetime) -> list[XeroDocument]:
        return self.by_updated[bisect_right(self.updated_keys, since) :]


class XeroAccountingApi(VendorApi):
    """Routes and contract of the Xero Accounting API over a ``Business``."""

    name = "xero"
    prefix = "/xero/api.xro/2.0"

    def __init__(
        self, business: Business, tenant_id: str, tokens: XeroTokenAuthority, faults: FaultController
    ) -> None:
        super().__init__()
        self.business = business
        self._tenant_id = tenant_id
        self._tokens = tokens
        self._faults = faults
        self._clock_seen: object = None
        self._indexes: dict[str, _CollectionIndex] = {}
        self._results: OrderedDict[tuple[Any, ...], list[XeroDocument]] = OrderedDict()
        for name in COLLECTIONS:
            self.router.add("GET", f"/{name}", self.collection)
        self.router.add("GET", "/Journals", self.journals)
        self.router.add("GET", "/Organisation", self.organisation)
        self.router.add("GET", "/Reports/ProfitAndLoss", self.profit_and_loss)

    # -- cross-cutting ---------------------------------------------------------------------------
    def authenticate(self, request: ApiRequest) -> ApiResponse | None:
        denied = check_bearer(request, self._tokens)
        if denied is not None:
            return denied
        tenant = request.headers.get("xero-tenant-id") or ""
        if not secrets_equal(tenant.strip().lower(), self._tenant_id):
            return problem(request, 403, "Forbidden", "AuthenticationUnsuccessful")
        return None

    def admit(self, request: ApiRequest) -> Admission:
        limiter = self._faults.xero_limiter
        if limiter is None:
            return Admission()
        outcome = limiter.enter()
        if outcome.problem is None:
            return Admission(outcome.headers, release=limiter.leave)
        self._faults.count_rate_limited(self.name, outcome.problem)
        headers = outcome.headers | {
            "Retry-After": str(outcome.retry_after),
            "X-Rate-Limit-Problem": outcome.problem,
        }
        return Admission(outcome.headers, self._too_many(request, headers))

    def _too_many(self, request: ApiRequest, headers: Mapping[str, str]) -> ApiResponse:
        return problem(request, 429, "Too Many Requests", "Rate limit exceeded", headers)

    def fault_response(self, kind: FaultKind, request: ApiRequest) -> ApiResponse:
        retry = str(self._faults.profile.retry_after_seconds)
        if kind == FaultKind.RATE_LIMIT:
            return self._too_many(
                request, {"Retry-After": retry, "X-Rate-Limit-Problem": "minute", "X-MinLimit-Remaining": "0"}
            )
        if kind == FaultKind.RATE_LIMIT_NO_RETRY_AFTER:
            return self._too_many(request, {"X-Rate-Limit-Problem": "minute", "X-MinLimit-Remaining": "0"})
        if kind == FaultKind.DAILY_LIMIT:
            now = self.business.now
            until_midnight = 86400 - (now.hour * 3600 + now.minute * 60 + now.second)
            return self._too_many(
                request,
                {
                    "Retry-After": str(until_midnight),
                    "X-Rate-Limit-Problem": "day",
                    "X-DayLimit-Remaining": "0",
                },
            )
        if kind == FaultKind.TOKEN_EXPIRED:
            self._tokens.revoke_access_tokens()
            denied = check_bearer(request, self._tokens)
            assert denied is not None  # every live token was just revoked
            return denied
        return problem(request, 500, "Internal Server Error", "An error occurred in Xero.")

    def not_found(self, request: ApiRequest) -> ApiResponse:
        return ApiResponse(
            404, b"The resource you're looking for cannot be found", "text/html; charset=utf-8"
        )

    # -- per-clock caches --------------------------------------------------------------------------
    def warm(self) -> None:
        """Build every collection's index for the current clock now (see ``HubspotApi.warm``)."""
        for name in (*COLLECTIONS, "Journals"):
            self._index(name)

    def _index(self, name: str) -> _CollectionIndex:
        now = self.business.now
        if now != self._clock_seen:
            self._clock_seen = now
            self._indexes.clear()
            self._results.clear()
        index = self._indexes.get(name)
        if index is None:
            index = _CollectionIndex(self.business.xero_collection(name))
            self._indexes[name] = index
        return index

    # -- endpoints ---------------------------------------------------------------------------------
    def collection(self, request: ApiRequest) -> ApiResponse:
        spec = COLLECTIONS[request.path.strip("/")]
        try:
            documents = self._select(spec, request)
            page, page_size = _paging(request) if spec.paged else (1, len(documents) or 1)
        except XeroRequestError as error:
            return self._bad_request(request, error)
        envelope = self._envelope(request)
        if spec.paged:
            served_page = page - 1 if page > 1 and request.take_fault(FaultKind.REPEAT_CURSOR) else page
            start = (served_page - 1) * page_size
            envelope["pagination"] = {
                "page": page,
                "pageSize": page_size,
                "pageCount": math.ceil(len(documents) / page_size),
                "itemCount": len(documents),
            }
            documents = documents[start : start + page_size]
        envelope[spec.name] = [doc.body for doc in documents]
        return self._render(request, envelope)

    def _select(self, spec: Collection, request: ApiRequest) -> list[XeroDocument]:
        """The matching documents in the requested order (cached per clock reading and query)."""
        since = _modified_since(request) if spec.modified_since else None
        include_archived = (request.arg("includeArchived") or "").lower() == "true"
        key = (
            spec.name,
            since,
            include_archived,
            request.arg("where"),
            request.arg("order"),
            request.arg("Statuses"),
            request.arg("IDs"),
        )
        index = self._index(spec.name)
        cached = self._results.get(key)
        if cached is not None:
            self._results.move_to_end(key)
            return cached
        tests = self._filters(spec, request, include_archived)
        candidates = index.modified_after(since) if since else index.documents
        selected = [doc for doc in candidates if all(test(doc) for test in tests)]
        order_text = request.arg("order")
        try:
            order: Order | None = parse_order(order_text) if order_text else None
        except QueryParseError as error:
            raise XeroRequestError(str(error), parse=True) from None
        if order is not None:
            selected.sort(key=order.key, reverse=order.descending)
        elif since:
            selected.sort(key=lambda doc: index.position[doc.id])
        self._results[key] = selected
        if len(self._results) > RESULT_CACHE_SIZE:
            self._results.popitem(last=False)
        return selected

    def _filters(
        self, spec: Collection, request: ApiRequest, include_archived: bool
    ) -> list[Callable[[XeroDocument], bool]]:
        tests: list[Callable[[XeroDocument], bool]] = []
        if spec.archived_status and not include_archived:
            field = spec.archived_status
            tests.append(lambda doc: doc.body.get(field) != "ARCHIVED")
        statuses = request.arg("Statuses")
        if statuses:
            wanted = {s.strip().upper() for s in statuses.split(",")}
            tests.append(lambda doc: str(doc.body.get("Status", "")).upper() in wanted)
        ids = request.arg("IDs")
        if ids:
            wanted_ids = {i.strip().lower() for i in ids.split(",")}
            tests.append(lambda doc: doc.id.lower() in wanted_ids)
        where = request.arg("where")
        if where:
            try:
                clauses: tuple[Clause, ...] = parse_where(where)
            except (QueryParseError, ValueError) as error:
                raise XeroRequestError(str(error), parse=True) from None
            tests.extend(clause.test for clause in clauses)
        return tests

    def journals(self, request: ApiRequest) -> ApiResponse:
        """``GET /Journals``: up to 100 journals with a JournalNumber above ``offset``, in number order.

        No ``pagination`` envelope (the real endpoint has none): a client pages by re-asking with
        ``offset`` = the last JournalNumber it got until a batch comes back empty. ``If-Modified-Since``
        keeps journals created strictly after it (journals are immutable). Cash basis
        (``paymentsOnly=true``) is not simulated: a 400 rather than accrual journals under its name.
        """
        try:
            raw_offset = (request.arg("offset") or "0").strip()
            try:
                offset = int(raw_offset)
            except ValueError:
                raise XeroRequestError(f"offset must be an integer, not {raw_offset!r}.") from None
            payments_only = (request.arg("paymentsOnly") or "false").strip().lower()
            if payments_only == "true":
                raise XeroRequestError("paymentsOnly=true (cash basis) is not supported by the sandbox.")
            if payments_only != "false":
                raise XeroRequestError(f"paymentsOnly must be true or false, not {payments_only!r}.")
            since = _modified_since(request)
        except XeroRequestError as error:
            return self._bad_request(request, error)
        index = self._index("Journals")
        # documents are in JournalNumber order, numbered 1..N by creation instant, so the journals
        # above ``offset`` start at index ``offset`` and the ones created after ``since`` at a bisection
        start = max(offset, 0)
        if since is not None:
            start = max(start, bisect_right(index.updated_keys, since))
        envelope = self._envelope(request)
        envelope["Journals"] = [doc.body for doc in index.documents[start : start + JOURNALS_PER_CALL]]
        return self._render(request, envelope)

    def organisation(self, request: ApiRequest) -> ApiResponse:
        envelope = self._envelope(request)
        envelope["Organisations"] = [self.business.xero_organisation()]
        return self._render(request, envelope)

    def profit_and_loss(self, request: ApiRequest) -> ApiResponse:
        """The report for ``fromDate``..``toDate`` (default: the current month) and ``periods``
        comparison periods of one ``timeframe`` each (MONTH, QUARTER, YEAR), most recent first."""
        unsupported = [
            p
            for p in ("trackingCategoryID", "trackingCategoryID2", "trackingOptionID", "trackingOptionID2")
            if request.arg(p)
        ]
        try:
            if unsupported:
                raise XeroRequestError(
                    f"The sandbox does not support {', '.join(unsupported)} on ProfitAndLoss."
                )
            first = self.business.as_of.replace(day=1)
            default_to = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            from_date = _date(request.arg("fromDate"), first)
            to_date = _date(request.arg("toDate"), default_to)
            if to_date < from_date:
                raise XeroRequestError("toDate must not be before fromDate.")
            comparisons = _comparison_periods(request.arg("periods"))
            timeframe = (request.arg("timeframe") or "MONTH").upper()
            if timeframe not in TIMEFRAME_MONTHS:
                raise XeroRequestError(f"timeframe must be one of {', '.join(TIMEFRAME_MONTHS)}.")
        except XeroRequestError as error:
            return self._bad_request(request, error)
        envelope = self._envelope(request)
        report = self.business.xero_profit_and_loss(
            from_date, to_date, comparisons, TIMEFRAME_MONTHS[timeframe]
        )
        envelope["Reports"] = [report]
        return self._render(request, envelope)

    # -- rendering -----------------------------------------------------------------------------------
    def _envelope(self, request: ApiRequest) -> dict[str, Any]:
        return {
            "Id": str(request.request_id),
            "Status": "OK",
            "ProviderName": PROVIDER_NAME,
            "DateTimeUTC": ms_date(self.business.now),
        }

    def _render(
        self, request: ApiRequest, body: Mapping[str, Any], status: int = 200, xml_root: str = "Response"
    ) -> ApiResponse:
        if "application/json" in (request.headers.get("Accept") or "").lower():
            return ApiResponse(status, dumps(body), JSON_TYPE)
        return ApiResponse(status, render_xml(xml_root, body), XML_TYPE)

    def _bad_request(self, request: ApiRequest, error: XeroRequestError) -> ApiResponse:
        if error.parse:
            body: dict[str, Any] = {"ErrorNumber": 16, "Type": "QueryParseException", "Message": str(error)}
        else:
            body = {
                "ErrorNumber": 10,
                "Type": "ValidationException",
                "Message": "A validation exception occurred",
                "Elements": [{"ValidationErrors": [{"Message": str(error)}]}],
            }
        return self._render(request, body, 400, "ApiException")


def _paging(request: ApiRequest) -> tuple[int, int]:
    try:
        page = int(request.arg("page") or 1)
        page_size = int(request.arg("pageSize") or DEFAULT_PAGE_SIZE)
    except ValueError:
        raise XeroRequestError("page and pageSize must be integers.") from None
    if page < 1 or page_size < 1:
        raise XeroRequestError("page and pageSize must be at least 1.")
    return page, min(page_size, MAX_PAGE_SIZE)


def _modified_since(request: ApiRequest) -> datetime | None:
    raw = request.headers.get("If-Modified-Since")
    if not raw:
        return None
    try:
        return parse_http_or_iso(raw.strip())
    except (ValueError, TypeError):
        raise XeroRequestError(f"Cannot parse If-Modified-Since {raw!r}; send a UTC timestamp.") from None


def _comparison_periods(raw: str | None) -> int:
    """``periods``: how many earlier periods to compare with, 1 to 12 (none when absent)."""
    if not raw:
        return 0
    try:
        periods = int(raw)
    except ValueError:
        raise XeroRequestError(f"periods must be an integer, got {raw!r}.") from None
    if not 1 <= periods <= 12:
        raise XeroRequestError("periods must be between 1 and 12.")
    return periods


def _date(raw: str | None, default: date) -> date:
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise XeroRequestError(f"Invalid date {raw!r}; expected YYYY-MM-DD.") from None
