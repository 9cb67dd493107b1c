"""A fuzz corpus of response shapes: each lands, or stops with one error naming where it broke.

Every case is served by a real HTTP server on 127.0.0.1 (:mod:`tests.connectors.scripted_api`)
at one endpoint a stream reads, every other endpoint answering validly. A case either lands (the
shape is legal) or raises exactly the error it names: :class:`ResponseShapeError` whose message
reads ``<vendor> <stream> <METHOD> <path> (<status>): <JSON path>: ...``, or
:class:`NoProgressError` for paging that does not move. Never an ``AttributeError``, a crash or
a hang (the run's request budget is small, so even a regression ends).
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from scripted_api import (
    INVOICE,
    RECORD,
    Answer,
    Request,
    ScriptedApi,
    body,
    hubspot_routes,
    serve,
    xero_config,
    xero_routes,
)

from connectors.arrow_json import page_decoder
from connectors.base import NoProgressError, ResponseShapeError, Stream
from connectors.http import HttpSettings
from connectors.hubspot import HubspotConfig, hubspot_streams
from connectors.xero import xero_streams

STATE = {"window_end_ms": 1_735_689_600_000}
"""A stored cursor: HubSpot object streams search instead of listing."""
XERO_STATE = {"modified_since_ms": 1_700_000_000_000}


def pages(answer: Answer) -> Answer:
    """``answer`` for list pages; the one-record call that reads the server clock stays valid."""
    return lambda r: (200, {"results": []}) if r.query.get("limit") == "1" else answer(r)


def fresh_cursor(results: Callable[[Request], list[Any]]) -> Answer:
    """A page of ``results(request)`` handing out a new cursor every time: never ends by itself."""
    return lambda r: (200, {"results": results(r), "paging": {"next": {"after": f"c{r.number}"}}})


def record(record_id: str | int | None, **extra: Any) -> dict[str, Any]:
    return {**RECORD, "id": record_id, **extra}


@dataclass(frozen=True)
class Case:
    id: str
    vendor: str
    stream: str
    route: tuple[str, str]
    answer: Answer
    error: type[Exception] | None = None
    """``None``: the shape is legal and lands."""
    says: str = ""
    """For ``ResponseShapeError``: the JSON path and problem after the location prefix; else a fragment."""
    state: dict[str, Any] | None = None
    page_size: int | None = None

    def param(self) -> Any:
        return pytest.param(self, id=self.id)


OWNERS = ("GET", "/crm/v3/owners")
PIPELINES = ("GET", "/crm/v3/pipelines/deals")
RATES = ("GET", "/settings/v3/currencies/exchange-rates")
PROPERTIES = ("GET", "/crm/v3/properties/contacts")
CONTACTS = ("GET", "/crm/v3/objects/contacts")
SEARCH = ("POST", "/crm/v3/objects/contacts/search")
EDGES = ("POST", "/crm/v4/associations/deals/companies/batch/read")
HISTORY = ("POST", "/crm/v3/objects/deals/batch/read")
CONNECTIONS = ("GET", "/connections")
INVOICES = ("GET", "/api.xro/2.0/Invoices")


def hubspot(id: str, stream: str, route: tuple[str, str], answer: Answer, *args: Any, **kw: Any) -> Any:
    return Case(id, "hubspot", stream, route, answer, *args, **kw).param()


def xero(id: str, route: tuple[str, str], answer: Answer, *args: Any, **kw: Any) -> Any:
    return Case(id, "xero", "invoices", route, answer, *args, **kw).param()


CORPUS = [
    # -- owners: plain JSON, paged
    hubspot(
        "owners-null", "owners", OWNERS, body(None), ResponseShapeError, "$: expected an object, got null"
    ),
    hubspot(
        "owners-list", "owners", OWNERS, body([]), ResponseShapeError, "$: expected an object, got an array"
    ),
    hubspot(
        "owners-empty",
        "owners",
        OWNERS,
        body({}),
        ResponseShapeError,
        "$.results: expected an array, got null",
    ),
    hubspot(
        "owners-results-object",
        "owners",
        OWNERS,
        body({"results": {}}),
        ResponseShapeError,
        "$.results: expected an array, got an object",
    ),
    hubspot(
        "owners-null-owner",
        "owners",
        OWNERS,
        body({"results": [None]}),
        ResponseShapeError,
        "$.results[0]: expected an object, got null",
    ),
    hubspot(
        "owners-teams-object",
        "owners",
        OWNERS,
        body({"results": [{"id": "7", "teams": {}}]}),
        ResponseShapeError,
        "$.results[0].teams: expected an array, got an object",
    ),
    hubspot(
        "owners-email-object",
        "owners",
        OWNERS,
        body({"results": [{"id": "7", "email": {"a": 1}}]}),
        ResponseShapeError,
        "$.results[0].email: expected a string, number or boolean, got an object",
    ),
    hubspot(
        "owners-after-number",
        "owners",
        OWNERS,
        body({"results": [{"id": "7"}], "paging": {"next": {"after": 5}}}),
        ResponseShapeError,
        "$.paging.next.after: expected a string, got 5",
    ),
    hubspot(
        "owners-empty-page-next-cursor",
        "owners",
        OWNERS,
        fresh_cursor(lambda r: []),
        NoProgressError,
        "page 1 is empty yet hands out a next page",
    ),
    hubspot(
        "owners-same-owner-fresh-cursors",
        "owners",
        OWNERS,
        fresh_cursor(lambda r: [{"id": "7"}]),
        NoProgressError,
        "page 2 repeats only records already read",
    ),
    hubspot("owners-paging-null", "owners", OWNERS, body({"results": [{"id": "7"}], "paging": None})),
    hubspot("owners-unknown-fields", "owners", OWNERS, body({"results": [{"id": "7", "new": [1]}], "x": 1})),
    # -- pipelines: plain JSON, not paged
    hubspot(
        "pipelines-null", "deal_pipelines", PIPELINES, body(None), ResponseShapeError, "$: expected an object"
    ),
    hubspot(
        "pipelines-stages-object",
        "deal_pipelines",
        PIPELINES,
        body({"results": [{"id": "p", "stages": {}}]}),
        ResponseShapeError,
        "$.results[0].stages: expected an array, got an object",
    ),
    hubspot(
        "pipelines-metadata-list",
        "deal_pipelines",
        PIPELINES,
        body({"results": [{"id": "p", "stages": [{"id": "s", "metadata": []}]}]}),
        ResponseShapeError,
        "$.results[0].stages[0].metadata: expected an object, got an array",
    ),
    hubspot("pipelines-no-stages", "deal_pipelines", PIPELINES, body({"results": [{"id": "p"}]})),
    # -- exchange rates: plain JSON, paged; a 403 body is never read as a page
    hubspot("rates-null", "exchange_rates", RATES, body(None), ResponseShapeError, "$: expected an object"),
    hubspot(
        "rates-results-object",
        "exchange_rates",
        RATES,
        body({"results": {}}),
        ResponseShapeError,
        "$.results: expected an array, got an object",
    ),
    hubspot("rates-none", "exchange_rates", RATES, body({"results": []})),
    # -- property definitions (read by every object stream's tables())
    hubspot(
        "properties-nameless",
        "contacts",
        PROPERTIES,
        body({"results": [{"type": "string"}]}),
        ResponseShapeError,
        "$.results[0].name: expected a non-empty string, got null",
    ),
    hubspot(
        "properties-string",
        "contacts",
        PROPERTIES,
        body('"surprise"'),
        ResponseShapeError,
        "$: expected an object, got 'surprise'",
    ),
    # -- object list pages: Arrow decoding
    hubspot(
        "list-null",
        "contacts",
        CONTACTS,
        pages(body(None)),
        ResponseShapeError,
        "$: expected a JSON object, got null",
    ),
    hubspot(
        "list-array",
        "contacts",
        CONTACTS,
        pages(body([RECORD])),
        ResponseShapeError,
        "$: expected a JSON object, got an array",
    ),
    hubspot(
        "list-no-results",
        "contacts",
        CONTACTS,
        pages(body({})),
        ResponseShapeError,
        "$.results: expected an array, got null",
    ),
    hubspot(
        "list-null-record",
        "contacts",
        CONTACTS,
        pages(body({"results": [RECORD, None]})),
        ResponseShapeError,
        "$.results[1]: expected an object, got null",
    ),
    hubspot(
        "list-id-not-digits",
        "contacts",
        CONTACTS,
        pages(body({"results": [record("in")]})),
        ResponseShapeError,
        "$.results[0].id: expected a string of digits, got 'in'",
    ),
    hubspot(
        "list-id-number",
        "contacts",
        CONTACTS,
        pages(body({"results": [record(5)]})),
        ResponseShapeError,
        "$.results[0].id: record 0 of the page (id 5): id is a JSON number",
    ),
    hubspot(
        "list-properties-array",
        "contacts",
        CONTACTS,
        pages(body({"results": [record("1", properties=[])]})),
        ResponseShapeError,
        "$.results[0].properties: record 0 of the page (id '1'): properties is a JSON array",
    ),
    hubspot(
        "list-paging-array",
        "contacts",
        CONTACTS,
        pages(body({"results": [RECORD], "paging": []})),
        ResponseShapeError,
        "$.paging: expected an object, got an array",
    ),
    hubspot(
        "list-empty-page-fresh-cursors",
        "contacts",
        CONTACTS,
        pages(fresh_cursor(lambda r: [])),
        NoProgressError,
        "page 1 is empty yet hands out a next page",
    ),
    hubspot(
        "list-same-page-fresh-cursors",
        "contacts",
        CONTACTS,
        pages(fresh_cursor(lambda r: [RECORD])),
        NoProgressError,
        "page 2 repeats only records already read",
    ),
    hubspot("list-minimal-record", "contacts", CONTACTS, pages(body({"results": [{"id": "1"}]}))),
    hubspot("list-empty", "contacts", CONTACTS, pages(body({"results": []}))),
    # -- search pages (incremental)
    hubspot(
        "search-null",
        "contacts",
        SEARCH,
        body(None),
        ResponseShapeError,
        "$: expected a JSON object, got null",
        state=STATE,
    ),
    hubspot(
        "search-results-string",
        "contacts",
        SEARCH,
        body({"results": "x"}),
        ResponseShapeError,
        "$.results: expected an array, got a string",
        state=STATE,
    ),
    hubspot(
        "search-ids-backwards",
        "contacts",
        SEARCH,
        lambda r: (
            200,
            {"results": [record(str(100 - r.number))], "paging": {"next": {"after": str(r.number)}}},
        ),
        NoProgressError,
        "page 2 goes backwards (98 after 99)",
        state=STATE,
    ),
    hubspot(
        "search-more-pages-than-total",
        "contacts",
        SEARCH,
        lambda r: (
            200,
            {"total": 1, "results": [record(str(r.number))], "paging": {"next": {"after": str(r.number)}}},
        ),
        NoProgressError,
        "page 1 of 1 the API said there are hands out yet another page",
        state=STATE,
    ),
    hubspot(
        "search-empty-page-next-cursor",
        "contacts",
        SEARCH,
        fresh_cursor(lambda r: []),
        NoProgressError,
        "page 1 is empty yet hands out a next page",
        state=STATE,
    ),
    hubspot("search-no-total", "contacts", SEARCH, body({"results": [RECORD]}), state=STATE),
    # -- stage history of changed deals (batch read): a bad record is set aside, a bad answer stops
    hubspot(
        "history-null",
        "deals",
        HISTORY,
        body(None),
        ResponseShapeError,
        "$: expected a JSON object, got null",
        state=STATE,
    ),
    hubspot(
        "history-results-string",
        "deals",
        HISTORY,
        body({"results": "x"}),
        ResponseShapeError,
        "$.results: expected an array, got a string",
        state=STATE,
    ),
    hubspot(
        "history-no-results",
        "deals",
        HISTORY,
        body({"status": "COMPLETE"}),
        ResponseShapeError,
        "$.results: expected an array, got null",
        state=STATE,
    ),
    hubspot(
        "history-null-record",
        "deals",
        HISTORY,
        body({"results": [RECORD, None]}),
        ResponseShapeError,
        "$.results[1]: expected an object, got null",
        state=STATE,
    ),
    hubspot(
        "history-bad-timestamp-nobody-collecting",
        "deals",
        HISTORY,
        body(
            {
                "results": [
                    record("101", propertiesWithHistory={"dealstage": [{"value": "won", "timestamp": "x"}]})
                ]
            }
        ),
        ResponseShapeError,
        "$.results[0].propertiesWithHistory.dealstage[0].timestamp: record 0 of the page (id '101'): "
        "propertiesWithHistory.dealstage[0].timestamp is not a timestamp: 'x'",
        state=STATE,
    ),
    # -- association batch reads: plain JSON
    hubspot(
        "edges-null", "associations", EDGES, body(None), ResponseShapeError, "$: expected an object, got null"
    ),
    hubspot(
        "edges-from-id-word",
        "associations",
        EDGES,
        body({"results": [{"from": {"id": "in"}, "to": []}]}),
        ResponseShapeError,
        "$.results[0].from.id: expected a string of digits, got 'in'",
    ),
    hubspot(
        "edges-from-null",
        "associations",
        EDGES,
        body({"results": [{"from": None}]}),
        ResponseShapeError,
        "$.results[0].from: expected an object, got null",
    ),
    hubspot(
        "edges-to-object-id-word",
        "associations",
        EDGES,
        body({"results": [{"from": {"id": "1"}, "to": [{"toObjectId": "x"}]}]}),
        ResponseShapeError,
        "$.results[0].to[0].toObjectId: expected a string of digits, got 'x'",
    ),
    hubspot(
        "edges-type-id-null",
        "associations",
        EDGES,
        body({"results": [{"from": {"id": "1"}, "to": [{"toObjectId": "2", "associationTypes": [{}]}]}]}),
        ResponseShapeError,
        "$.results[0].to[0].associationTypes[0].typeId: expected a string of digits, got null",
    ),
    hubspot(
        "edges-ids-as-strings-and-numbers",
        "associations",
        EDGES,
        body(
            {
                "results": [
                    {"from": {"id": 1}, "to": [{"toObjectId": "2", "associationTypes": [{"typeId": "3"}]}]}
                ]
            }
        ),
    ),
    hubspot("edges-errors-only", "associations", EDGES, body({"status": "COMPLETE", "errors": []})),
    # -- Xero connections (tenant lookup)
    xero("connections-null", CONNECTIONS, body(None), ResponseShapeError, "$: expected an array, got null"),
    xero(
        "connections-object",
        CONNECTIONS,
        body({"tenantId": "t"}),
        ResponseShapeError,
        "$: expected an array, got an object",
    ),
    xero(
        "connections-strings",
        CONNECTIONS,
        body(["t"]),
        ResponseShapeError,
        "$[0]: expected an object, got 't'",
    ),
    xero(
        "connections-no-tenant-id",
        CONNECTIONS,
        body([{"tenantType": "ORGANISATION"}]),
        ResponseShapeError,
        "$[0].tenantId: expected a non-empty string, got null",
    ),
    # -- Xero collections
    xero("invoices-null", INVOICES, body(None), ResponseShapeError, "$: expected a JSON object, got null"),
    xero(
        "invoices-list",
        INVOICES,
        body([INVOICE]),
        ResponseShapeError,
        "$: expected a JSON object, got an array",
    ),
    xero(
        "invoices-missing", INVOICES, body({}), ResponseShapeError, "$.Invoices: expected an array, got null"
    ),
    xero(
        "invoices-object",
        INVOICES,
        body({"Invoices": {}}),
        ResponseShapeError,
        "$.Invoices: expected an array, got an object",
    ),
    xero(
        "invoices-null-document",
        INVOICES,
        body({"Invoices": [None]}),
        ResponseShapeError,
        "$.Invoices[0]: expected an object, got null",
    ),
    xero(
        "invoices-total-word",
        INVOICES,
        body({"Invoices": [{**INVOICE, "Total": "abc"}]}),
        ResponseShapeError,
        "$.Invoices[0].Total: record 0 of the page (id 'inv-1'): Total is a JSON string",
    ),
    xero(
        "invoices-line-items-object",
        INVOICES,
        body({"Invoices": [{**INVOICE, "LineItems": {}}]}),
        ResponseShapeError,
        "$.Invoices[0].LineItems: record 0 of the page (id 'inv-1'): LineItems is a JSON object",
    ),
    xero(
        "invoices-same-page-again",
        INVOICES,
        body({"Invoices": [INVOICE, {**INVOICE, "InvoiceID": "inv-2"}]}),
        NoProgressError,
        "page 2 repeats only records already read",
        page_size=2,
    ),
    xero(
        "invoices-more-pages-than-page-count",
        INVOICES,
        lambda r: (
            200,
            {
                "pagination": {"page": r.number, "pageCount": 1},
                "Invoices": [
                    {**INVOICE, "InvoiceID": f"a{r.number}"},
                    {**INVOICE, "InvoiceID": f"b{r.number}"},
                ],
            },
        ),
        NoProgressError,
        "page 1 of 1 the API said there are hands out yet another page",
        page_size=2,
    ),
    xero(
        "invoices-updated-backwards",
        INVOICES,
        lambda r: (
            200,
            {
                "Invoices": [
                    {
                        **INVOICE,
                        "InvoiceID": f"{r.number}{i}",
                        "UpdatedDateUTC": f"/Date({1_800_000 - r.number}000)/",
                    }
                    for i in range(2)
                ]
            },
        ),
        NoProgressError,
        "page 2 goes backwards",
        page_size=2,
    ),
    xero("invoices-empty", INVOICES, body({"Invoices": []})),
    xero("invoices-incremental", INVOICES, body({"Invoices": [INVOICE]}), state=XERO_STATE),
]


@pytest.fixture
def settings(fast_http: HttpSettings) -> HttpSettings:
    """Fast and virtual, with a small run budget: a regression that loops ends instead of hanging."""
    return dataclasses.replace(fast_http, run_request_budget=200)


def stream_for(case: Case, api: ScriptedApi, settings: HttpSettings, tmp_path: Path) -> Stream:
    if case.vendor == "hubspot":
        config = HubspotConfig(access_token="pat-test", base_url=api.base_url, http=settings)
        streams = hubspot_streams(config)
    else:
        extra = {"page_size": case.page_size} if case.page_size else {}
        config = xero_config(api, tmp_path / "xero_token.json", settings, **extra)
        streams = xero_streams(config)
    return next(s for s in streams if s.name == case.stream)


@pytest.fixture
def serve_case(settings: HttpSettings, tmp_path: Path) -> Iterator[Callable[[Case], Stream]]:
    """``serve_case(case)``: a server answering validly except at the case's route, and its stream."""
    with ExitStack() as servers:

        def start(case: Case) -> Stream:
            routes = hubspot_routes() if case.vendor == "hubspot" else xero_routes()
            routes[case.route] = case.answer
            return stream_for(case, servers.enter_context(serve(routes)), settings, tmp_path)

        yield start


@pytest.mark.parametrize("case", CORPUS)
def test_a_response_shape_lands_or_names_what_broke(case: Case, serve_case, drain) -> None:
    stream = serve_case(case)
    if case.error is None:
        drain(stream, case.state)
        return
    with pytest.raises(Exception) as raised:
        drain(stream, case.state)
    error = raised.value
    assert isinstance(error, case.error), f"{type(error).__name__}: {error}"
    text = str(error)
    if case.error is ResponseShapeError:
        method, path = case.route
        assert text.startswith(f"{case.vendor} {case.stream} {method} {path} (200): {case.says}"), text
    else:
        assert text.startswith(f"{case.vendor} ") and case.says in text, text


# -- a null body and pyarrow ---------------------------------------------------------------------
NULL_BODY_SCRIPT = """
import pyarrow as pa
from connectors.arrow_json import page_decoder
decode = page_decoder(pa.schema([("results", pa.list_(pa.struct([("id", pa.string())])))]))
try:
    decode(b"null")
except Exception as error:
    print(type(error).__name__, error)
"""


def test_a_null_body_never_reaches_pyarrow_in_a_child_process() -> None:
    """pyarrow's JSON reader crashes the process (SIGSEGV) on ``null``: run it where a crash is a result."""
    done = subprocess.run(
        [sys.executable, "-c", NULL_BODY_SCRIPT], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr[-500:]}"
    assert done.stdout.strip() == "ResponseShapeError $: expected a JSON object, got null"


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"null", "$: expected a JSON object, got null"),
        (b"  \n null", "$: expected a JSON object, got null"),
        (b"[]", "$: expected a JSON object, got an array"),
        (b"42", "$: expected a JSON object, got 42"),
        (b'"page"', "$: expected a JSON object, got 'page'"),
    ],
)
def test_a_body_that_is_not_an_object_is_a_shape_error(body: bytes, says: str) -> None:
    decode = page_decoder(pa.schema([("results", pa.list_(pa.struct([("id", pa.string())])))]))
    with pytest.raises(ResponseShapeError) as raised:
        decode(body)
    assert str(raised.value) == says
