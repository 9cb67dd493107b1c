"""HubSpot CRM v3 transport: auth, rate limits, and the three ways to page objects.

* :meth:`HubspotClient.list_records` pages ``GET /crm/v3/objects/{type}`` by the opaque ``after``
  cursor (first loads and the archived pass), splitting a long ``properties`` list into URL-sized
  chunks fetched with the same cursor and merged by id;
* :meth:`HubspotClient.search_records` pages ``POST .../search`` over a modified-date window, sorted
  by ``hs_object_id`` and restarted on ``hs_object_id > last id`` before the 10,000-result cap, so
  it terminates even when more than 10,000 records share one timestamp. The body follows what
  HubSpot documents and accepts -- ``sorts`` as ``{"propertyName", "direction"}`` objects, ``after``
  on every page (``"0"`` on the first, as the spec requires it) -- see docs/vendor-contracts.md;
* :meth:`HubspotClient.batch_read` reads given ids (stage history of changed deals).

All three yield *record tables*: one row per record with columns ``id``, ``createdAt``,
``updatedAt``, ``archived``, ``archivedAt``, ``properties.<name>`` (strings, as HubSpot sends them)
and, when asked, ``propertiesWithHistory.<name>``. Typing is the streams' job. Every page is
checked for shape (``results`` present, no ``null`` record, ids strings of digits) and paging for
progress (:mod:`connectors.paging`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import requests

from connectors.arrow_json import RecordCheck, page_decoder, records, scalar_at
from connectors.base import RateLimitExhausted
from connectors.http import HttpClient, retry_after_seconds, server_says, server_time_ms
from connectors.hubspot.config import HubspotConfig
from connectors.hubspot.record_checks import batch_read_check, history_check
from connectors.paging import CursorGuard, PageProgress
from connectors.shapes import (
    json_reader,
    mismatch,
    objects,
    optional_string,
    required_object,
    required_string,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

HISTORY_ENTRY = pa.struct(
    [
        ("value", pa.string()),
        ("timestamp", pa.string()),
        ("sourceType", pa.string()),
        ("sourceId", pa.string()),
        ("sourceLabel", pa.string()),
        ("updatedByUserId", pa.int64()),
    ]
)
PAGING = pa.struct([("next", pa.struct([("after", pa.string())]))])
_DEFAULT_INTERVAL_SECONDS = 10.0
_DIGITS = r"^[0-9]+$"

READ_SCOPES = (
    "crm.objects.{contacts,companies,deals,owners}.read, crm.schemas.{contacts,companies,deals}.read, "
    "sales-email-read"
)
"""What the private app needs: every object read, owners, emails, and the property definitions."""


class BearerAuth(requests.auth.AuthBase):
    """``Authorization: Bearer`` for a private-app token; its repr never shows the token."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request

    def __repr__(self) -> str:
        return "BearerAuth(token=<redacted>)"


def rate_limit_wait(response: requests.Response) -> float:
    """HubSpot's 429 policy: stop on the daily quota, else wait ``Retry-After`` or one interval."""
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        body = {}
    if isinstance(body, dict) and body.get("policyName") == "DAILY":
        raise RateLimitExhausted(
            f"hubspot: the portal's daily API quota is spent ({server_says(response)}). It resets at "
            "midnight in the portal's time zone (Settings > Account Defaults); run again after that -- "
            "streams that did not finish kept their cursors"
        )
    retry_after = retry_after_seconds(response)
    if retry_after is not None:
        return retry_after
    interval = response.headers.get("X-HubSpot-RateLimit-Interval-Milliseconds")
    return int(interval) / 1000 if interval and interval.isdigit() else _DEFAULT_INTERVAL_SECONDS


def advise(response: requests.Response) -> str:
    """What to do about a 401 or 403 (see :func:`connectors.http.status_error`)."""
    if response.status_code == 401:
        return (
            "Set HUBSPOT_ACCESS_TOKEN to the private app's current token (this one is expired, revoked "
            f"or mistyped); the app needs the scopes {READ_SCOPES}"
        )
    if response.status_code == 403:
        missing = missing_scopes(response)
        scopes = f"the scope(s) {', '.join(missing)}" if missing else f"the read scopes {READ_SCOPES}"
        return f"The private app lacks {scopes}: add them to the app in HubSpot, then run again"
    return ""


def missing_scopes(response: requests.Response) -> list[str]:
    """The scopes a 403 body names: in ``context`` or ``errors[].context`` under a ``*scope*`` key."""
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return []
    if not isinstance(body, dict):
        return []
    errors = body.get("errors") if isinstance(body.get("errors"), list) else []
    contexts = [body.get("context"), *(e.get("context") for e in errors if isinstance(e, dict))]
    found = [
        scope
        for context in contexts
        if isinstance(context, dict)
        for key, values in context.items()
        if "scope" in key.lower() and isinstance(values, list)
        for scope in values
        if isinstance(scope, str)
    ]
    return list(dict.fromkeys(found))


def _property_definitions(body: Any) -> list[tuple[str, str]]:
    results = objects(required_object(body, "$").get("results"), "$.results")
    return [
        (
            required_string(d.get("name"), f"{path}.name"),
            optional_string(d.get("type"), f"{path}.type") or "string",
        )
        for path, d in results
    ]


def record_schema(properties: Sequence[str], history: Sequence[str] = ()) -> pa.DataType:
    """The JSON shape of one CRM object as list, search and batch read return it."""
    fields = [
        ("id", pa.string()),
        ("createdAt", pa.string()),
        ("updatedAt", pa.string()),
        ("archived", pa.bool_()),
        ("archivedAt", pa.string()),
        ("properties", pa.struct([(name, pa.string()) for name in properties])),
    ]
    if history:
        fields.append(("propertiesWithHistory", pa.struct([(n, pa.list_(HISTORY_ENTRY)) for n in history])))
    return pa.struct(fields)


def page_schema(record: pa.DataType, *, total: bool = False) -> pa.Schema:
    """A page of records with HubSpot's forward paging (and, for search, the ``total`` count)."""
    fields = [("results", pa.list_(record)), ("paging", PAGING)]
    return pa.schema([*fields, ("total", pa.int64())] if total else fields)


def record_decoder(schema: pa.Schema, check: RecordCheck | None = None) -> Callable[[bytes], pa.Table]:
    """A page decoder that also refuses a missing ``results``, a ``null`` record or a non-numeric id.

    A non-numeric id stops the read here: list and search track their progress by id (search
    restarts after the last one). ``check`` adds the per-record rules of pages with history.
    """
    decode = page_decoder(schema, required=("results",), check=check)

    def checked(body: bytes) -> pa.Table:
        page = decode(body)
        ids = pc.struct_field(records(page, "results"), "id")
        bad = pc.fill_null(pc.invert(pc.match_substring_regex(ids, _DIGITS)), False)
        if pc.any(bad).as_py():
            position = pc.index(bad, True).as_py()
            raise mismatch(f"$.results[{position}].id", "a string of digits", ids[position].as_py())
        return page

    return checked


def record_table(page: pa.Table) -> pa.Table:
    """One row per record, nested objects flattened one level (``properties.<name>``)."""
    return pa.Table.from_struct_array(records(page, "results")).flatten()


def merge_by_id(base: pa.Table, extra: pa.Table) -> pa.Table:
    """Add ``extra``'s property columns to ``base``, aligned on ``id`` (missing ids give nulls)."""
    positions = pc.index_in(base.column("id"), value_set=extra.column("id"))
    for name in extra.column_names:
        if name.startswith("properties."):
            base = base.append_column(name, extra.column(name).take(positions))
    return base


class HubspotClient:
    """One HubSpot account: shared by every stream so they share one rate budget."""

    def __init__(self, config: HubspotConfig) -> None:
        self.config = config
        self._limiter = config.http.limiter(config.requests_per_ten_seconds, 10.0)
        self._search_limiter = config.http.limiter(config.search_requests_per_second, 1.0)
        self.http = HttpClient(
            "hubspot",
            config.http,
            rate_limit_policy=rate_limit_wait,
            limiter=self._limiter,
            auth=BearerAuth(config.access_token),
            observe=self._observe_budget,
            secrets=(config.access_token,),
            advise=advise,
        )

    def _observe_budget(self, response: requests.Response) -> None:
        """Follow the budget HubSpot advertises; when it says none is left, wait out the window."""
        if response.status_code == 429:
            return  # the 429 policy decides the wait; Retry-After outranks the window counters
        headers = response.headers
        limit = headers.get("X-HubSpot-RateLimit-Max")
        interval = headers.get("X-HubSpot-RateLimit-Interval-Milliseconds")
        remaining = headers.get("X-HubSpot-RateLimit-Remaining")
        if not (limit and interval and limit.isdigit() and interval.isdigit()):
            return
        seconds = int(interval) / 1000
        if self._limiter.budget != (int(limit), seconds):
            self._limiter.reconfigure(int(limit), seconds)
        if remaining is not None and remaining.isdigit() and int(remaining) == 0:
            self._limiter.pause(seconds)

    def url(self, path: str) -> str:
        return f"{self.config.base_url.rstrip('/')}{path}"

    def get(self, path: str, decode: Callable[[bytes], T], params: Mapping[str, Any] | None = None) -> T:
        """A small GET (metadata) read by ``decode`` (see :mod:`connectors.shapes`)."""
        _, body = self.http.request("GET", self.url(path), params=params, decode=decode)
        return body

    def properties(self, object_type: str) -> list[tuple[str, str]]:
        """``(name, type)`` of each property of an object type (``GET /crm/v3/properties/{type}``)."""
        return self.get(f"/crm/v3/properties/{object_type}", json_reader(_property_definitions))

    def server_now_ms(self, object_type: str) -> int:
        """The server's clock (``Date`` of a one-record list call): the upper bound of a search window.

        Taking it from the server, not the local clock, keeps windows right under client clock skew.
        """
        response, _ = self.http.request(
            "GET",
            self.url(f"/crm/v3/objects/{object_type}"),
            params={"limit": 1, "properties": "hs_object_id"},
            decode=bytes,
        )
        return server_time_ms(response)

    def window_start_ms(self, previous_end_ms: int) -> int:
        """Where the next search window starts: the last one's end minus ``lookback`` (never < 0)."""
        return max(0, int(previous_end_ms) - int(self.config.lookback.total_seconds() * 1000))

    # -- list ------------------------------------------------------------------------------
    def property_chunks(
        self, path: str, properties: Sequence[str], fixed: Mapping[str, str]
    ) -> list[list[str]]:
        """Split ``properties`` so that every GET URL stays under ``max_url_length``."""
        base = len(self.url(path)) + 1 + len(urlencode({**fixed, "after": "x" * 64, "properties": ""}))
        budget = self.config.max_url_length - base
        chunks: list[list[str]] = [[]]
        used = 0
        for name in properties:
            cost = len(urlencode({"": name})) + 2  # the encoded name plus an encoded comma
            if chunks[-1] and used + cost > budget:
                chunks.append([])
                used = 0
            chunks[-1].append(name)
            used += cost
        return chunks

    def list_records(
        self,
        object_type: str,
        properties: Sequence[str],
        *,
        archived: bool = False,
        history: Sequence[str] = (),
    ) -> Iterator[pa.Table]:
        """Every live (or every archived) record, one record table per page."""
        path = f"/crm/v3/objects/{object_type}"
        limit = self.config.history_page_size if history else self.config.page_size
        fixed = {"limit": str(limit), "archived": str(archived).lower()}
        if history:
            fixed["propertiesWithHistory"] = ",".join(history)
        chunks = self.property_chunks(path, properties, fixed)
        check = history_check(history) if history else None
        decoders = [
            record_decoder(page_schema(record_schema(chunk, history if i == 0 else ())), check)
            for i, chunk in enumerate(chunks)
        ]
        what = f"hubspot {object_type} GET {path}{' (archived)' if archived else ''}"
        cursors, progress = CursorGuard(what), PageProgress(what)
        after: str | None = None
        while True:
            table: pa.Table | None = None
            next_after: str | None = None
            for i, (chunk, decode) in enumerate(zip(chunks, decoders, strict=True)):
                params = {**fixed, "properties": ",".join(chunk)}
                if i > 0:
                    params.pop("propertiesWithHistory", None)
                if after is not None:
                    params["after"] = after
                _, page = self.http.request("GET", self.url(path), params=params, decode=decode)
                if table is None:
                    table, next_after = record_table(page), scalar_at(page, "paging.next.after")
                else:
                    table = merge_by_id(table, record_table(page))
            assert table is not None
            progress.page(table.column("id").to_pylist(), has_next=bool(next_after))
            if table.num_rows:
                yield table
            if not next_after:
                return
            after = cursors.advance(next_after)

    # -- search ----------------------------------------------------------------------------
    def search_records(
        self,
        object_type: str,
        properties: Sequence[str],
        *,
        cursor_property: str,
        start_ms: int,
        end_ms: int,
    ) -> Iterator[pa.Table]:
        """Records whose ``cursor_property`` lies in ``[start_ms, end_ms]``, sorted by id."""
        url = self.url(f"/crm/v3/objects/{object_type}/search")
        decode = record_decoder(page_schema(record_schema(properties), total=True))
        limit, cap = self.config.search_page_size, self.config.search_result_cap
        what = f"hubspot {object_type} POST /crm/v3/objects/{object_type}/search"
        progress = PageProgress(what)
        last_id = 0
        while True:
            body: dict[str, Any] = {
                "filterGroups": [
                    {
                        "filters": [
                            {"propertyName": cursor_property, "operator": "GTE", "value": str(start_ms)},
                            {"propertyName": cursor_property, "operator": "LTE", "value": str(end_ms)},
                            {"propertyName": "hs_object_id", "operator": "GT", "value": str(last_id)},
                        ]
                    }
                ],
                "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
                "properties": list(properties),
                "limit": limit,
                "after": "0",
            }
            cursors = CursorGuard(what)
            progress.new_query()
            fetched = 0
            while True:
                _, page = self.http.request(
                    "POST", url, json=body, decode=decode, extra_limiter=self._search_limiter
                )
                table = record_table(page)
                next_after = scalar_at(page, "paging.next.after")
                ids = pc.cast(table.column("id"), pa.int64())
                progress.promise(scalar_at(page, "total"), limit)
                progress.page(ids.to_pylist(), has_next=bool(next_after), order=ids.to_pylist())
                fetched += table.num_rows
                if table.num_rows:
                    yield table
                if not next_after:
                    return
                if fetched + limit > cap:
                    last_id = int(pc.max(ids).as_py())
                    log.info("hubspot %s search: restarting after id %d (result cap)", object_type, last_id)
                    break
                body["after"] = cursors.advance(next_after)

    # -- batch read ------------------------------------------------------------------------
    def batch_read(
        self,
        object_type: str,
        ids: Sequence[int],
        properties: Sequence[str],
        *,
        history: Sequence[str] = (),
        table: str | None = None,
    ) -> Iterator[pa.Table]:
        """Records by id (``207`` partial answers accepted: ids gone meanwhile are skipped).

        A record that breaks the contract (a value of the wrong JSON type, an id that is not
        digits, a history entry without a readable timestamp) is set aside against raw table
        ``table`` (:mod:`connectors.hubspot.record_checks`) and comes back as a stub without its
        properties; an answer that is not a list of records stops the read.
        """
        url = self.url(f"/crm/v3/objects/{object_type}/batch/read")
        decode = page_decoder(
            pa.schema([("results", pa.list_(record_schema(properties, history)))]),
            required=("results",),
            check=batch_read_check(history),
            table=table,
        )
        size = self.config.history_page_size if history else self.config.page_size
        for start in range(0, len(ids), size):
            body = {
                "inputs": [{"id": str(i)} for i in ids[start : start + size]],
                "properties": list(properties),
                "propertiesWithHistory": list(history),
            }
            _, page = self.http.request("POST", url, json=body, decode=decode, accept=(200, 207))
            table = record_table(page)
            if table.num_rows:
                yield table

    def post(
        self, path: str, body: Any, decode: Callable[[bytes], T], *, accept: tuple[int, ...] = (200,)
    ) -> T:
        """A POST decoded by ``decode`` (association batch reads)."""
        _, page = self.http.request("POST", self.url(path), json=body, decode=decode, accept=accept)
        return page
