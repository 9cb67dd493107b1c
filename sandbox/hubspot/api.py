"""HubSpot CRM v3/v4 (and the settings API's exchange rates) as the sandbox serves it under
``/hubspot`` (== ``https://api.hubapi.com``).

Paths, parameters, bodies, status codes and error bodies follow the official OpenAPI files
(vendored in ``tests/contract/specs/hubspot``) and the live API's documented behaviour
(``docs/vendor-contracts.md``, ``docs/contracts.md``): string-typed
property values, opaque ``after`` cursors with no ``paging`` on the last page, search that never
returns archived records and refuses to page past 10,000, 207 for partial batch reads, the
``Error`` body (status/message/correlationId/category) and both 429 body styles.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from sandbox.hubspot.index import (
    SINGULAR,
    ObjectIndex,
    canonical_type,
    decode_cursor,
    encode_cursor,
)
from sandbox.hubspot.search import SearchError, SearchQuery, parse_search, run_search
from sandbox.service.auth import secrets_equal
from sandbox.service.faults import FaultController, FaultKind
from sandbox.service.routing import Admission, ApiRequest, ApiResponse, VendorApi, json_response
from sandbox.service.timefmt import iso_ms
from sandbox.simulation.model import Association, Business, HubspotRecord, PropertyChange
from sandbox.simulation.timeline import ASSOCIATION_PAIRS, HUBSPOT_TYPES

LIST_DEFAULT_LIMIT = 10
LIST_MAX_LIMIT = 100
HISTORY_MAX_LIMIT = 50
"""``propertiesWithHistory`` lowers the page size HubSpot allows."""
BATCH_READ_MAX_INPUTS = 100
ASSOCIATION_BATCH_MAX_INPUTS = 1000
OWNERS_DEFAULT_LIMIT = 100
OWNERS_MAX_LIMIT = 500
EXCHANGE_RATES_DEFAULT_LIMIT = 100
EXCHANGE_RATES_MAX_LIMIT = 100
SEARCH_RESULT_CAP = 10_000
"""HubSpot's search window: no query pages past its 10,000th result."""
MAX_TARGET_LENGTH = 8192
"""Longer request lines get ``414 URI Too Long`` (the trap long ``properties`` lists fall into)."""
SEARCH_CACHE_SIZE = 64

_OBJECT = r"(?P<object_type>[A-Za-z0-9-]+)"
_TO = r"(?P<to_type>[A-Za-z0-9-]+)"


class BadRequest(ValueError):
    """A parameter HubSpot would reject with ``400 VALIDATION_ERROR``."""


def hubspot_error(request: ApiRequest, status: int, category: str, message: str, **extra: Any) -> ApiResponse:
    """The spec's ``Error`` body."""
    body = {
        "status": "error",
        "message": message,
        "correlationId": str(request.request_id),
        "category": category,
    }
    return json_response(status, body | extra)


class HubspotApi(VendorApi):
    """Routes and contract of the HubSpot CRM API over a ``Business``."""

    name = "hubspot"
    prefix = "/hubspot"

    def __init__(self, business: Business, access_token: str, faults: FaultController) -> None:
        super().__init__()
        self.business = business
        self.search_result_cap = SEARCH_RESULT_CAP
        """HubSpot's 10k search window; tests may lower it to reach the cap with a small business."""
        self._access_token = access_token
        self._faults = faults
        self._clock_seen: object = None
        self._indexes: dict[str, ObjectIndex] = {}
        self._associations: dict[tuple[str, str], Mapping[int, Sequence[Association]]] = {}
        self._searches: OrderedDict[tuple[Any, ...], list[int]] = OrderedDict()
        add = self.router.add
        add("GET", rf"/crm/v3/objects/{_OBJECT}", self.list_objects)
        add("POST", rf"/crm/v3/objects/{_OBJECT}/search", self.search)
        add("POST", rf"/crm/v3/objects/{_OBJECT}/batch/read", self.batch_read)
        add("POST", rf"/crm/v4/associations/{_OBJECT}/{_TO}/batch/read", self.association_batch_read)
        add("GET", rf"/crm/v4/objects/{_OBJECT}/(?P<object_id>\d+)/associations/{_TO}", self.associations_of)
        add("GET", rf"/crm/v3/pipelines/{_OBJECT}", self.pipelines)
        add("GET", rf"/crm/v3/pipelines/{_OBJECT}/(?P<pipeline_id>[^/]+)", self.pipeline)
        add("GET", rf"/crm/v3/pipelines/{_OBJECT}/(?P<pipeline_id>[^/]+)/stages", self.pipeline_stages)
        add("GET", r"/crm/v3/owners/?", self.owners)
        add("GET", r"/settings/v3/currencies/exchange-rates/?", self.exchange_rates)
        add("GET", rf"/crm/v3/properties/{_OBJECT}", self.properties)

    # -- cross-cutting: URL length, auth, limits, faults -----------------------------------------
    def preflight(self, request: ApiRequest, target: str) -> ApiResponse | None:
        if len(target) > MAX_TARGET_LENGTH:
            return ApiResponse(
                414, b"<html><body><h1>414 Request-URI Too Large</h1></body></html>", "text/html"
            )
        return None

    def authenticate(self, request: ApiRequest) -> ApiResponse | None:
        scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
        if scheme.lower() == "bearer" and token and secrets_equal(token.strip(), self._access_token):
            return None
        return hubspot_error(
            request,
            401,
            "INVALID_AUTHENTICATION",
            "Authentication credentials not found. This API supports OAuth 2.0 authentication and you "
            "can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
        )

    def admit(self, request: ApiRequest) -> Admission:
        limiter = self._faults.hubspot_limiter
        if limiter is None:
            return Admission()
        outcome = limiter.check(search=request.path.endswith("/search"))
        if outcome.problem is None:
            return Admission(outcome.headers)
        self._faults.count_rate_limited(self.name, outcome.problem)
        headers = dict(outcome.headers)
        if limiter.limits.send_retry_after and outcome.problem != "DAILY":
            headers["Retry-After"] = str(outcome.retry_after)
        return Admission(outcome.headers, self._rate_limited(request, outcome.problem, headers))

    def _rate_limited(self, request: ApiRequest, policy: str, headers: dict[str, str]) -> ApiResponse:
        body = {
            "status": "error",
            "message": f"You have reached your {policy.lower()} limit.",
            "errorType": "RATE_LIMIT",
            "correlationId": str(request.request_id),
            "policyName": policy,
            "requestId": str(uuid.uuid5(request.request_id, "request")),
        }
        return json_response(429, body, headers)

    def fault_response(self, kind: FaultKind, request: ApiRequest) -> ApiResponse:
        limiter = self._faults.hubspot_limiter
        ten_secondly = limiter.limits.ten_secondly if limiter else 100
        daily = limiter.limits.daily if limiter else 250_000
        burst_headers = {
            "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
            "X-HubSpot-RateLimit-Max": str(ten_secondly),
            "X-HubSpot-RateLimit-Remaining": "0",
        }
        if kind == FaultKind.RATE_LIMIT:
            retry = {"Retry-After": str(self._faults.profile.retry_after_seconds)}
            return self._rate_limited(request, "TEN_SECONDLY_ROLLING", burst_headers | retry)
        if kind == FaultKind.RATE_LIMIT_NO_RETRY_AFTER:
            return self._rate_limited(request, "TEN_SECONDLY_ROLLING", burst_headers)
        if kind == FaultKind.DAILY_LIMIT:
            daily_headers = {
                "X-HubSpot-RateLimit-Daily": str(daily),
                "X-HubSpot-RateLimit-Daily-Remaining": "0",
            }
            return self._rate_limited(request, "DAILY", daily_headers)
        if kind == FaultKind.TOKEN_EXPIRED:
            return hubspot_error(
                request,
                401,
                "EXPIRED_AUTHENTICATION",
                "The OAuth token used to make this call expired 0 second(s) ago.",
            )
        return hubspot_error(request, 500, "INTERNAL_ERROR", "internal error")

    def not_found(self, request: ApiRequest) -> ApiResponse:
        return hubspot_error(
            request, 404, "OBJECT_NOT_FOUND", f"No route for {request.method} {request.path}."
        )

    # -- per-clock caches ----------------------------------------------------------------------
    def _refresh(self) -> None:
        """Drop every cached view when the business clock has moved (records changed)."""
        now = self.business.now
        if now != self._clock_seen:
            self._clock_seen = now
            self._indexes.clear()
            self._associations.clear()
            self._searches.clear()

    def warm(self) -> None:
        """Build every object's index and the stored association directions for the current clock
        now, so the next client does not pay for them (the real API has nothing to rebuild)."""
        for object_type in HUBSPOT_TYPES:
            self._index(object_type)
        for from_type, to_type in ASSOCIATION_PAIRS:
            self._edges(from_type, to_type)

    def _index(self, object_type: str) -> ObjectIndex:
        self._refresh()
        index = self._indexes.get(object_type)
        if index is None:
            index = ObjectIndex(
                object_type,
                self.business.hubspot_records(object_type),
                self.business.hubspot_properties(object_type),
            )
            self._indexes[object_type] = index
        return index

    def _edges(self, from_type: str, to_type: str) -> Mapping[int, Sequence[Association]]:
        self._refresh()
        key = (from_type, to_type)
        edges = self._associations.get(key)
        if edges is None:
            edges = self.business.hubspot_associations(from_type, to_type)
            self._associations[key] = edges
        return edges

    def _search_positions(self, object_type: str, index: ObjectIndex, query: SearchQuery) -> list[int]:
        key = (object_type, *query.cache_key())
        positions = self._searches.get(key)
        if positions is None:
            positions = run_search(index, query)
            self._searches[key] = positions
            if len(self._searches) > SEARCH_CACHE_SIZE:
                self._searches.popitem(last=False)
        else:
            self._searches.move_to_end(key)
        return positions

    # -- objects ---------------------------------------------------------------------------------
    def list_objects(self, request: ApiRequest) -> ApiResponse:
        try:
            object_type = _object_type(request.params["object_type"])
            history = _csv(request, "propertiesWithHistory") or ()
            limit = _limit(request, LIST_DEFAULT_LIMIT, HISTORY_MAX_LIMIT if history else LIST_MAX_LIMIT)
            to_types = tuple(_object_type(name) for name in _csv(request, "associations") or ())
            last_id = _after(request)
        except BadRequest as error:
            return hubspot_error(request, 400, "VALIDATION_ERROR", str(error))
        index = self._index(object_type)
        partition = index.archived if request.arg("archived", "false").lower() == "true" else index.live
        names = index.select(_csv(request, "properties"))
        start = partition.start_after(last_id)
        page = range(start, min(start + limit, len(partition.records)))
        results = []
        for position in page:
            record = partition.records[position]
            associations = self._associations_json(object_type, to_types, record.id) if to_types else None
            results.append(_object_json(record, partition.props[position], names, history, associations))
        body: dict[str, Any] = {"results": results}
        next_after = (
            encode_cursor(partition.ids[page[-1]]) if page and page.stop < len(partition.records) else None
        )
        if request.arg("after") and request.take_fault(FaultKind.REPEAT_CURSOR):
            next_after = request.arg("after")
        if next_after is not None:
            body["paging"] = {"next": {"after": next_after, "link": _next_link(request, next_after)}}
        return json_response(200, body)

    def _associations_json(self, from_type: str, to_types: Sequence[str], record_id: int) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for to_type in to_types:
            edges = self._edges(from_type, to_type).get(record_id)
            if edges:
                kind = f"{SINGULAR[from_type]}_to_{SINGULAR[to_type]}"
                found[to_type] = {"results": [{"id": str(edge.to_id), "type": kind} for edge in edges]}
        return found

    def search(self, request: ApiRequest) -> ApiResponse:
        try:
            object_type = _object_type(request.params["object_type"])
            query = parse_search(_json_body(request), self.search_result_cap)
            index = self._index(object_type)
            positions = self._search_positions(object_type, index, query)
        except (BadRequest, SearchError) as error:
            return hubspot_error(request, 400, "VALIDATION_ERROR", str(error))
        names = index.select(query.properties)
        page = positions[query.after : query.after + query.limit]
        live = index.live
        body: dict[str, Any] = {
            "total": len(positions),
            "results": [_object_json(live.records[p], live.props[p], names) for p in page],
        }
        next_offset = query.after + query.limit
        next_after = str(next_offset) if next_offset < len(positions) and query.limit else None
        if query.after and request.take_fault(FaultKind.REPEAT_CURSOR):
            next_after = str(query.after)
        if next_after is not None:
            body["paging"] = {"next": {"after": next_after}}
        return json_response(200, body)

    def batch_read(self, request: ApiRequest) -> ApiResponse:
        try:
            object_type = _object_type(request.params["object_type"])
            body = _json_body(request)
            ids = _input_ids(body, BATCH_READ_MAX_INPUTS)
            if body.get("idProperty") not in (None, "", "hs_object_id"):
                raise BadRequest("The sandbox reads by record id only (no idProperty).")
            history = _string_list(body, "propertiesWithHistory")
            requested = _string_list(body, "properties")
        except BadRequest as error:
            return hubspot_error(request, 400, "VALIDATION_ERROR", str(error))
        index = self._index(object_type)
        archived = request.arg("archived", "false").lower() == "true"
        names = index.select(requested or None)
        results, missing = [], []
        for raw_id in ids:
            found = index.by_id.get(int(raw_id)) if raw_id.isdigit() else None
            if found is None or found[0].archived != archived:
                missing.append(raw_id)
            else:
                results.append(_object_json(found[0], found[1], names, history))
        response = self._batch_envelope(results)
        if not missing:
            return json_response(200, response)
        error = _standard_error(
            "OBJECT_NOT_FOUND",
            f"Could not get some {SINGULAR[object_type].upper()} objects, they may be deleted or not exist. "
            "Check that ids are valid.",
            {"ids": missing},
        )
        return json_response(207, response | {"numErrors": 1, "errors": [error]})

    def _batch_envelope(self, results: list[Any]) -> dict[str, Any]:
        now = iso_ms(self.business.now)
        return {"status": "COMPLETE", "results": results, "startedAt": now, "completedAt": now}

    # -- associations ------------------------------------------------------------------------------
    def association_batch_read(self, request: ApiRequest) -> ApiResponse:
        try:
            from_type = _object_type(request.params["object_type"])
            to_type = _object_type(request.params["to_type"])
            ids = _input_ids(_json_body(request), ASSOCIATION_BATCH_MAX_INPUTS)
        except BadRequest as error:
            return hubspot_error(request, 400, "VALIDATION_ERROR", str(error))
        edges = self._edges(from_type, to_type)
        results, errors = [], []
        for raw_id in ids:
            found = edges.get(int(raw_id)) if raw_id.isdigit() else None
            if found:
                results.append({"from": {"id": raw_id}, "to": [_edge_json(edge) for edge in found]})
            else:
                errors.append(
                    _standard_error(
                        "OBJECT_NOT_FOUND",
                        f"No {SINGULAR[to_type]} is associated with {SINGULAR[from_type]} {raw_id}.",
                        {"fromObjectId": [raw_id]},
                    )
                )
        response = self._batch_envelope(results)
        if not errors:
            return json_response(200, response)
        return json_response(207, response | {"numErrors": len(errors), "errors": errors})

    def associations_of(self, request: ApiRequest) -> ApiResponse:
        try:
            from_type = _object_type(request.params["object_type"])
            to_type = _object_type(request.params["to_type"])
            limit = _limit(request, 500, 500)
            start = _after(request)
        except BadRequest as error:
            return hubspot_error(request, 400, "VALIDATION_ERROR", str(error))
        edges = self._edges(from_type, to_type).get(int(request.params["object_id"]), ())
        body: dict[str, Any] = {"results": [_edge_json(edge) for edge in edges[start : start + limit]]}
        if start + limit < len(edges):
            token = encode_cursor(start + limit)
            body["paging"] = {"next": {"after": token, "link": _next_link(request, token)}}
        return json_response(200, body)

    # -- metadata ------------------------------------------------------------------------------------
    def pipelines(self, request: ApiRequest) -> ApiResponse:
        try:
            return json_response(200, {"results": list(self._pipelines(request))})
        except BadRequest as error:
            return hubspot_error(request, 400, "VALIDATION_ERROR", str(error))

    def pipeline(self, request: ApiRequest) -> ApiResponse:
        return self._with_pipeline(request, lambda pipeline: pipeline)

    def pipeline_stages(self, request: ApiRequest) -> ApiResponse:
        return self._with_pipeline(request, lambda pipeline: {"results": list(pipeline["stages"])})

    def _with_pipeline(self, request: ApiRequest, render: Callable[[Mapping[str, Any]], Any]) -> ApiResponse:
        try:
            pipelines = self._pipelines(request)
        except BadRequest as error:
            return hubspot_error(request, 400, "VALIDATION_ERROR", str(error))
        wanted = request.params["pipeline_id"]
        found = next((p for p in pipelines if p["id"] == wanted), None)
        if found is None:
            return hubspot_error(request, 404, "OBJECT_NOT_FOUND", f"Unable to find pipeline {wanted}.")
        return json_response(200, render(found))

    def _pipelines(self, request: ApiRequest) -> Sequence[Mapping[str, Any]]:
        object_type = canonical_type(request.params["object_type"]) or request.params["object_type"]
        if object_type != "deals":
            raise BadRequest(f"Object type {object_type} does not support pipelines in the sandbox.")
        return self.business.hubspot_pipelines(object_type)

    def owners(self, request: ApiRequest) -> ApiResponse:
        archived = request.arg("archived", "false").lower() == "true"
        email = request.arg("email")
        owners = [
            owner
            for owner in self.business.hubspot_owners()
            if bool(owner.get("archived")) == archived and (email is None or owner.get("email") == email)
        ]
        return _page(request, owners, OWNERS_DEFAULT_LIMIT, OWNERS_MAX_LIMIT)

    def exchange_rates(self, request: ApiRequest) -> ApiResponse:
        rates = self.business.hubspot_exchange_rates()
        return _page(request, rates, EXCHANGE_RATES_DEFAULT_LIMIT, EXCHANGE_RATES_MAX_LIMIT)

    def properties(self, request: ApiRequest) -> ApiResponse:
        try:
            object_type = _object_type(request.params["object_type"])
        except BadRequest as error:
            return hubspot_error(request, 400, "VALIDATION_ERROR", str(error))
        archived = request.arg("archived", "false").lower() == "true"
        definitions = self.business.hubspot_properties(object_type)
        return json_response(
            200, {"results": [d for d in definitions if bool(d.get("archived")) == archived]}
        )


# -- rendering -----------------------------------------------------------------------------------------
def _object_json(
    record: HubspotRecord,
    props: Mapping[str, str | None],
    names: Sequence[str],
    history: Sequence[str] = (),
    associations: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One ``SimplePublicObject(WithAssociations)``, keys in HubSpot's order."""
    body: dict[str, Any] = {"id": str(record.id), "properties": {name: props.get(name) for name in names}}
    if history:
        body["propertiesWithHistory"] = {
            name: [_change_json(change) for change in reversed(record.history[name])]
            for name in history
            if name in record.history
        }
    body["createdAt"] = iso_ms(record.created_at)
    body["updatedAt"] = iso_ms(record.updated_at)
    body["archived"] = record.archived
    if record.archived and record.archived_at is not None:
        body["archivedAt"] = iso_ms(record.archived_at)
    if associations:
        body["associations"] = associations
    return body


def _change_json(change: PropertyChange) -> dict[str, Any]:
    """A ``ValueWithTimestamp``; a cleared value is the empty string, as HubSpot reports it."""
    body: dict[str, Any] = {
        "value": change.value if change.value is not None else "",
        "timestamp": iso_ms(change.timestamp),
        "sourceType": change.source_type,
    }
    if change.updated_by_user_id is not None:
        body["updatedByUserId"] = change.updated_by_user_id
    return body


def _edge_json(edge: Association) -> dict[str, Any]:
    return {
        "toObjectId": str(edge.to_id),
        "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": edge.type_id, "label": edge.label}],
    }


def _standard_error(category: str, message: str, context: dict[str, list[str]]) -> dict[str, Any]:
    """A ``StandardError`` entry of a 207 batch response (every field the spec requires)."""
    return {
        "status": "error",
        "category": category,
        "message": message,
        "context": context,
        "errors": [],
        "links": {},
    }


def _page(request: ApiRequest, items: Sequence[Mapping[str, Any]], default: int, maximum: int) -> ApiResponse:
    """One ``after``/``limit`` page of a settings-style list (owners, exchange rates)."""
    try:
        limit = _limit(request, default, maximum)
        start = _after(request)
    except BadRequest as error:
        return hubspot_error(request, 400, "VALIDATION_ERROR", str(error))
    body: dict[str, Any] = {"results": list(items[start : start + limit])}
    if start + limit < len(items):
        token = encode_cursor(start + limit)
        body["paging"] = {"next": {"after": token, "link": _next_link(request, token)}}
    return json_response(200, body)


def _next_link(request: ApiRequest, token: str) -> str:
    return f"?after={quote(token, safe='')}"


# -- parameter parsing ---------------------------------------------------------------------------------
def _object_type(name: str) -> str:
    canonical = canonical_type(name)
    if canonical is None:
        raise BadRequest(f"Unable to infer object type from: {name}")
    return canonical


def _csv(request: ApiRequest, name: str) -> list[str] | None:
    """A comma list that may also be repeated (``properties=a,b`` or ``properties=a&properties=b``)."""
    values = request.query.get(name)
    if not values:
        return None
    return [item for value in values for item in value.split(",") if item]


def _after(request: ApiRequest) -> int:
    """Where the ``after`` cursor says the page starts (0 without one); an unreadable one is a 400."""
    after = request.arg("after")
    start = decode_cursor(after) if after else 0
    if start is None:
        raise BadRequest(f"Invalid 'after' cursor {after!r}.")
    return start


def _limit(request: ApiRequest, default: int, maximum: int) -> int:
    raw = request.arg("limit")
    if raw is None:
        return default
    try:
        limit = int(raw)
    except ValueError:
        raise BadRequest(f"limit must be an integer, got {raw!r}.") from None
    if limit < 1:
        raise BadRequest("limit must be at least 1.")
    return min(limit, maximum)


def _json_body(request: ApiRequest) -> dict[str, Any]:
    try:
        body = request.json()
    except ValueError:
        raise BadRequest("Invalid input JSON on line 1.") from None
    if not isinstance(body, dict):
        raise BadRequest("Invalid input JSON: expected an object.")
    return body


def _input_ids(body: Mapping[str, Any], maximum: int) -> list[str]:
    inputs = body.get("inputs")
    if not isinstance(inputs, list) or not all(isinstance(i, dict) and "id" in i for i in inputs):
        raise BadRequest('inputs must be a list of {"id": ...} objects.')
    if len(inputs) > maximum:
        raise BadRequest(f"Too many inputs: {len(inputs)} (maximum {maximum}).")
    return [str(item["id"]) for item in inputs]


def _string_list(body: Mapping[str, Any], name: str) -> list[str]:
    value = body.get(name) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadRequest(f"{name} must be a list of strings.")
    return value
