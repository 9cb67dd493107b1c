"""Child process: read one connector stream against a mock and write what happened as JSON.

Run as ``python contract_runner.py '<job json>'``. A stream runs in its own process so that a
crash (SIGSEGV in a native decoder) or a hang is the parent's verdict with a clear message instead
of a dead or stuck pytest. The streams are built exactly as the product builds them
(``hubspot_streams(HubspotConfig(...))``, ``xero_streams(XeroConfig(...))``,
``connectwise_streams(ConnectWiseConfig(...))``), only the URLs point at the mocks.
``requests.Session.send`` is wrapped to record every request, whether it took the vendor's
incremental path, and the spec violations Prism reports for it (``sl-violations``); nothing else
is patched.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyarrow as pa
import requests

from connectors.base import Stream
from connectors.connectwise import ConnectWiseConfig, connectwise_streams
from connectors.hubspot import HubspotConfig, hubspot_streams
from connectors.xero import XeroConfig, xero_streams

MAX_LOGGED_REQUESTS = 12


def _hubspot_incremental(request: requests.PreparedRequest) -> bool:
    """HubSpot's incremental path is the search window (``POST .../search``)."""
    return urlsplit(request.url or "").path.endswith("/search")


def _xero_incremental(request: requests.PreparedRequest) -> bool:
    """Xero's incremental path is ``If-Modified-Since`` on a collection."""
    return "If-Modified-Since" in request.headers


def _connectwise_incremental(request: requests.PreparedRequest) -> bool:
    """ConnectWise's incremental path is a ``conditions`` query on ``lastUpdated``."""
    query = parse_qs(urlsplit(request.url or "").query)
    return any("lastUpdated" in condition for condition in query.get("conditions", []))


INCREMENTAL_REQUEST: dict[str, Callable[[requests.PreparedRequest], bool]] = {
    "hubspot": _hubspot_incremental,
    "xero": _xero_incremental,
    "connectwise": _connectwise_incremental,
}
"""Per vendor: does this request read incrementally (the cursor was used, not ignored)?"""


@contextmanager
def recording(incremental: Callable[[requests.PreparedRequest], bool]) -> Iterator[dict[str, Any]]:
    """Record requests sent, whether one was ``incremental`` and Prism's violations while the block
    runs (restores ``send``)."""
    log: dict[str, Any] = {"count": 0, "first": [], "last": None, "violations": {}, "incremental": False}
    original = requests.Session.send

    def send(session: requests.Session, request: requests.PreparedRequest, **kwargs: Any) -> Any:
        response = original(session, request, **kwargs)
        entry = {
            "method": request.method,
            "path": urlsplit(request.url or "").path,
            "status": response.status_code,
        }
        log["count"] += 1
        log["incremental"] = log["incremental"] or incremental(request)
        log["last"] = entry
        if len(log["first"]) < MAX_LOGGED_REQUESTS:
            log["first"].append(entry)
        header = response.headers.get("sl-violations")
        if header:
            for violation in json.loads(header):
                key = f"{entry['method']} {entry['path']}: " + "/".join(map(str, violation["location"]))
                log["violations"].setdefault(key, {**violation, "status": response.status_code})
        return response

    requests.Session.send = send  # type: ignore[method-assign]
    try:
        yield log
    finally:
        requests.Session.send = original  # type: ignore[method-assign]


def _hubspot(job: Mapping[str, Any]) -> list[Stream]:
    return hubspot_streams(HubspotConfig(access_token="contract-test-token", base_url=job["api_url"]))


def _xero(job: Mapping[str, Any]) -> list[Stream]:
    return xero_streams(
        XeroConfig(
            client_id="contract-client",
            client_secret="contract-secret",
            refresh_token="contract-refresh",
            token_store_path=Path(job["token_store"]),
            tenant_id=job["tenant_id"],
            api_url=job["api_url"],
            token_url=job["token_url"],
            connections_url=job["connections_url"],
        )
    )


def _connectwise(job: Mapping[str, Any]) -> list[Stream]:
    return connectwise_streams(
        ConnectWiseConfig(
            company_id="contract",
            public_key="contract-public",
            private_key="contract-private",
            client_id="6f1c0a52-3c1e-4d8e-9a57-0c1d2e3f4a5b",
            base_url=job["api_url"],
        )
    )


STREAMS: dict[str, Callable[[Mapping[str, Any]], list[Stream]]] = {
    "hubspot": _hubspot,
    "xero": _xero,
    "connectwise": _connectwise,
}
"""Per vendor: the product's stream list, configured for the mocks."""


def build(job: Mapping[str, Any]) -> Stream:
    """The named stream of the vendor's product stream list, configured for the mocks."""
    (stream,) = [s for s in STREAMS[job["vendor"]](job) if s.name == job["stream"]]
    return stream


def drain(stream: Stream, state: Mapping[str, Any] | None, report: dict[str, Any]) -> None:
    """Read to the end as landing does; count rows and note batches off their declared schema."""
    specs = {spec.name: spec for spec in stream.tables()}
    report["tables"] = {name: 0 for name in specs}
    output = stream.read(state)
    while True:
        try:
            name, batch = next(output)
        except StopIteration as done:
            report["state"] = done.value
            return
        if name not in specs:
            report["schema_errors"].append(f"batch for undeclared table {name!r}")
        elif not batch.schema.equals(specs[name].schema):
            report["schema_errors"].append(f"{name}: batch schema differs from the declared one")
        elif nulls := null_in_required(batch):
            report["schema_errors"].append(f"{name}: nulls in non-nullable column(s) {', '.join(nulls)}")
        else:
            report["tables"][name] += batch.num_rows


def null_in_required(batch: pa.RecordBatch) -> list[str]:
    """Columns declared ``not null`` that hold a null anyway.

    Arrow builds a batch against a schema without checking nullability, so ``schema.equals`` holds
    for a batch whose primary key is null (a record the API sent without its id); landing would
    then fail on the key, far from the stream that let it through.
    """
    return [
        f.name
        for f, column in zip(batch.schema, batch.columns, strict=True)
        if not f.nullable and column.null_count
    ]


def main(argv: list[str]) -> int:
    job = json.loads(argv[1])
    report: dict[str, Any] = {"outcome": "landed", "schema_errors": [], "tables": {}}
    with recording(INCREMENTAL_REQUEST[job["vendor"]]) as log:
        try:
            drain(build(job), job.get("state"), report)
        except BaseException as error:  # every exception: the parent judges it
            report["outcome"] = "raised"
            report["error_type"] = f"{type(error).__module__}.{type(error).__qualname__}"
            report["error_message"] = str(error)
            report["traceback"] = traceback.format_exc(limit=6)
    report["requests"] = {k: log[k] for k in ("count", "first", "last")}
    report["violations"] = list(log["violations"].values())
    report["violation_keys"] = list(log["violations"])
    report["incremental_path_used"] = log["incremental"]
    Path(job["result"]).write_text(json.dumps(report, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
