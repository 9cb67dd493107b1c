"""Every read ends: stalled servers, endless fresh cursors, long 429s and failing searches.

Servers are real (127.0.0.1, :mod:`scripted_api`); where the point is wall-clock time, so is the
clock. Each test names the bound it holds the connector to.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pytest
from scripted_api import RECORD, Request, ScriptedApi, body, hubspot_routes, serve, stalled_server

from connectors.base import (
    ApiError,
    BudgetExhausted,
    ResponseShapeError,
    Stream,
    collect_read_stats,
)
from connectors.http import HttpSettings, HttpStatusError
from connectors.hubspot import HubspotConfig, hubspot_streams
from dagster_project.defs.resources import HttpResource
from dagster_project.loader.landing import land_stream
from dagster_project.loader.stream_state import read_state

OWNERS = ("GET", "/crm/v3/owners")
SEARCH = ("POST", "/crm/v3/objects/contacts/search")


def real_time(**overrides: Any) -> HttpSettings:
    """Short timeouts on the real clock (what is measured here is wall time)."""
    defaults: dict[str, Any] = {"connect_timeout": 1.0, "read_timeout": 1.0, "backoff_factor": 0.01}
    return HttpSettings(**(defaults | {"backoff_max": 0.02} | overrides))


def hubspot_stream(base_url: str, settings: HttpSettings, name: str) -> Stream:
    config = HubspotConfig(access_token="pat-test", base_url=base_url, http=settings)
    return next(s for s in hubspot_streams(config) if s.name == name)


def endless_owners(request: Request) -> tuple[int, Any]:
    """A new owner and a new cursor on every page, a little slowly: no progress check can object."""
    time.sleep(0.02)
    page = {"results": [{"id": str(request.number)}], "paging": {"next": {"after": f"c{request.number}"}}}
    return 200, page


def read_in_landing_context(stream: Stream, drain: Callable[..., Any], state: Any = None) -> Any:
    """Drain as the landing code does: inside ``collect_read_stats``, which carries the deadline."""
    with collect_read_stats():
        return drain(stream, state)


def test_a_stalled_server_costs_one_request_its_read_timeouts_only(drain) -> None:
    """Bound: (1 + read_retries) * read_timeout per request (default 3 x 60 s; here 2 x 0.3 s)."""
    settings = real_time(read_timeout=0.3, read_retries=1)
    with stalled_server() as url:
        started = time.monotonic()
        with pytest.raises(ApiError, match=r"hubspot owners GET /crm/v3/owners: .*Read timed out"):
            read_in_landing_context(hubspot_stream(url, settings, "owners"), drain)
        elapsed = time.monotonic() - started
    assert 0.6 <= elapsed < 1.5, elapsed


def test_a_stalled_server_ends_the_stream_by_its_deadline(drain) -> None:
    """Request timeouts are clipped to what is left of ``stream_deadline``: 0.5 s, not 6 x 10 s."""
    settings = real_time(read_timeout=10.0, read_retries=0, stream_deadline=0.5)
    with stalled_server() as url:
        started = time.monotonic()
        with pytest.raises(BudgetExhausted, match=r"ran past its deadline of 0\.5 s .*stream_deadline"):
            read_in_landing_context(hubspot_stream(url, settings, "owners"), drain)
        elapsed = time.monotonic() - started
    assert elapsed < 2.0, elapsed


def test_fresh_cursors_forever_end_at_the_stream_deadline(drain) -> None:
    routes = hubspot_routes()
    routes[OWNERS] = endless_owners
    with serve(routes) as api:
        stream = hubspot_stream(api.base_url, real_time(stream_deadline=0.5), "owners")
        started = time.monotonic()
        with pytest.raises(
            BudgetExhausted, match="hubspot GET /crm/v3/owners: the stream ran past its deadline"
        ):
            read_in_landing_context(stream, drain)
    assert 0.5 <= time.monotonic() - started < 2.0
    assert api.calls[OWNERS] > 5, "pages were served until the deadline, not refused by a progress check"


def test_fresh_cursors_forever_end_at_the_run_request_budget(drain, fast_http: HttpSettings) -> None:
    routes = hubspot_routes()
    routes[OWNERS] = endless_owners
    with serve(routes) as api:
        stream = hubspot_stream(api.base_url, dataclasses.replace(fast_http, run_request_budget=25), "owners")
        with pytest.raises(BudgetExhausted, match="this run has sent its budget of 25 requests"):
            drain(stream)
    assert api.calls[OWNERS] == 25


def test_one_resource_gives_one_budget_to_every_stream_of_the_run() -> None:
    http = HttpResource(run_request_budget=10, stream_deadline=60.0, read_retries=1, server_error_retries=0)
    first, second = http.settings(), http.settings()
    assert first.budget is second.budget, "both vendors (and every step) of a run spend one budget"
    assert (first.run_request_budget, first.stream_deadline, first.read_retries) == (10, 60.0, 1)
    assert first.server_error_retries == 0
    assert HttpResource().settings().budget is not first.budget, "another run starts afresh"


def test_a_429_longer_than_the_deadline_stops_at_once(drain, fast_http: HttpSettings, virtual_time) -> None:
    routes = hubspot_routes()
    routes[OWNERS] = lambda r: (429, {"message": "slow down"}, {"Retry-After": "600"})
    with serve(routes) as api:
        stream = hubspot_stream(api.base_url, dataclasses.replace(fast_http, stream_deadline=300.0), "owners")
        with pytest.raises(BudgetExhausted, match="rate limited for 600 s, past the stream's deadline"):
            read_in_landing_context(stream, drain)
    assert not [s for s in virtual_time.sleeps if s >= 1.0], "nothing slept on a wait that cannot end in time"
    assert api.calls[OWNERS] == 1


def search_bodies(api: ScriptedApi) -> list[dict[str, Any]]:
    return [orjson.loads(r.body) for r in api.received if (r.method, r.path) == SEARCH]


def test_search_sends_after_on_every_page_and_documented_sorts(drain, fast_http: HttpSettings) -> None:
    def two_pages(request: Request) -> tuple[int, Any]:
        first = request.number == 1
        page = {"total": 201, "results": [{**RECORD, "id": "101" if first else "102"}]}
        return 200, {**page, "paging": {"next": {"after": "1"}}} if first else page

    routes = hubspot_routes()
    routes[SEARCH] = two_pages
    with serve(routes) as api:
        drain(hubspot_stream(api.base_url, fast_http, "contacts"), {"window_end_ms": 1_735_689_600_000})
    bodies = search_bodies(api)
    assert [b["after"] for b in bodies] == ["0", "1"], "the spec requires after; page 1 sends 0"
    assert all(b["sorts"] == [{"propertyName": "hs_object_id", "direction": "ASCENDING"}] for b in bodies)


STACK_TRACE = (
    "java.lang.IllegalStateException: boom\n" + "\tat com.hubspot.search.Query.run(Query.java:42)\n" * 40
)


def test_a_failing_search_costs_two_attempts_and_a_short_message(drain) -> None:
    """A 500 is retried ``server_error_retries`` (1) times, not five; the error quotes the message."""
    routes = hubspot_routes()
    error = {
        "status": "error",
        "message": "internal error",
        "category": "INTERNAL_ERROR",
        "trace": STACK_TRACE,
    }
    routes[SEARCH] = body(error, 500)
    routes[("POST", "/crm/v3/objects/companies/search")] = body(STACK_TRACE, 500)
    with serve(routes) as api:
        started = time.monotonic()
        with pytest.raises(HttpStatusError) as raised:
            drain(hubspot_stream(api.base_url, real_time(), "contacts"), {"window_end_ms": 0})
        elapsed = time.monotonic() - started
        with pytest.raises(HttpStatusError) as plain:
            drain(hubspot_stream(api.base_url, real_time(), "companies"), {"window_end_ms": 0})
    assert api.calls[SEARCH] == 2 and elapsed < 2.0
    assert str(raised.value) == (
        "hubspot contacts POST /crm/v3/objects/contacts/search: HTTP 500: internal error (INTERNAL_ERROR)"
    )
    assert len(str(plain.value)) < 300 and "(cut;" in str(plain.value)


def test_a_failed_stream_leaves_its_cursor_and_rows_alone(
    drain, fast_http: HttpSettings, tmp_path: Path
) -> None:
    """Landing commits rows and cursor together; a stream that raises rolls both back."""
    routes = hubspot_routes()
    with serve(routes) as api, duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        first = land_stream(con, hubspot_stream(api.base_url, fast_http, "contacts"))
        state = read_state(con, "hubspot", "contacts")
        assert state == first.state and state is not None
        rows = con.execute("select * from raw_hubspot.contacts order by id").fetchall()

        routes[SEARCH] = body({"total": 1, "results": [{**RECORD, "id": "in"}]})
        with pytest.raises(ResponseShapeError, match=r"\$\.results\[0\]\.id: expected a string of digits"):
            land_stream(con, hubspot_stream(api.base_url, fast_http, "contacts"))
        assert read_state(con, "hubspot", "contacts") == state
        assert con.execute("select * from raw_hubspot.contacts order by id").fetchall() == rows
