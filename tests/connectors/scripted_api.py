"""A small real HTTP server on 127.0.0.1 answering each route with a scripted function.

The sandbox simulates a whole business and breaks records inside well-formed pages; contract
tests need the other kind of break -- a ``null`` body, a list where an object is due, a server
that pages forever -- at any endpoint. Each route is ``(method, path) -> answer(request)``;
:func:`hubspot_routes` and :func:`xero_routes` give minimal, valid answers for every endpoint a
stream touches, so a test overrides just the one it breaks.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from connectors.http import HttpSettings
from connectors.xero import XeroConfig


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    number: int
    """1 for the first request to this route, 2 for the second..."""


Answer = Callable[[Request], tuple[Any, ...]]
"""``(status, body)`` or ``(status, body, headers)``: bytes and str bodies are sent as they are,
anything else as JSON."""


def body(value: Any, status: int = 200) -> Answer:
    """An answer that is always ``value``."""
    return lambda request: (status, value)


@dataclass
class ScriptedApi:
    routes: dict[tuple[str, str], Answer]
    base_url: str = ""
    calls: dict[tuple[str, str], int] = field(default_factory=dict)
    received: list[Request] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(
        self, method: str, target: str, headers: dict[str, str], raw: bytes
    ) -> tuple[int, bytes, dict[str, str]]:
        url = urlsplit(target)
        key = (method, url.path)
        with self._lock:
            self.calls[key] = number = self.calls.get(key, 0) + 1
        route = self.routes.get(key)
        if route is None:
            return 404, b'{"message": "no such route"}', {}
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        request = Request(method, url.path, query, headers, raw, number)
        with self._lock:
            self.received.append(request)
        status, value, *extra = route(request)
        if isinstance(value, str):
            value = value.encode()
        data = value if isinstance(value, bytes) else json.dumps(value).encode()
        return status, data, extra[0] if extra else {}


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._reply(b"")

    def do_POST(self) -> None:
        self._reply(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

    def _reply(self, raw: bytes) -> None:
        status, data, headers = self.server.api.answer(self.command, self.path, dict(self.headers), raw)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test output is for failures."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, api: ScriptedApi) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.api = api


@contextmanager
def serve(routes: dict[tuple[str, str], Answer]) -> Iterator[ScriptedApi]:
    api = ScriptedApi(routes)
    server = _Server(api)
    api.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def stalled_server() -> Iterator[str]:
    """A base URL whose server accepts connections and never answers (the kernel's backlog
    completes the handshake; nobody reads or writes)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


RECORD = {
    "id": "101",
    "properties": {"email": "a@example.com", "hs_object_id": "101"},
    "createdAt": "2025-01-01T00:00:00Z",
    "updatedAt": "2025-01-02T00:00:00Z",
    "archived": False,
}


def hubspot_routes() -> dict[tuple[str, str], Answer]:
    """Valid, one-record answers for every endpoint the HubSpot streams read."""
    objects = ("contacts", "companies", "deals")
    routes: dict[tuple[str, str], Answer] = {
        ("GET", "/crm/v3/owners"): body(
            {"results": [{"id": "7", "email": "o@example.com", "teams": [{"id": "1", "primary": True}]}]}
        ),
        ("GET", "/crm/v3/pipelines/deals"): body(
            {"results": [{"id": "default", "label": "Sales", "stages": [{"id": "won", "metadata": {}}]}]}
        ),
        ("GET", "/settings/v3/currencies/exchange-rates"): body(
            {
                "results": [
                    {"id": "1", "fromCurrencyCode": "CAD", "toCurrencyCode": "USD", "conversionRate": 0.7}
                ]
            },
        ),
    }
    for name in objects:
        routes[("GET", f"/crm/v3/properties/{name}")] = body(
            {"results": [{"name": "email", "type": "string"}]}
        )
        routes[("GET", f"/crm/v3/objects/{name}")] = body({"results": [RECORD]})
        routes[("POST", f"/crm/v3/objects/{name}/search")] = body({"total": 1, "results": [RECORD]})
        routes[("POST", f"/crm/v3/objects/{name}/batch/read")] = body({"results": [RECORD]})
    for pair in ("deals/companies", "deals/contacts", "contacts/companies"):
        routes[("POST", f"/crm/v4/associations/{pair}/batch/read")] = body(
            {
                "results": [
                    {"from": {"id": "101"}, "to": [{"toObjectId": 5, "associationTypes": [{"typeId": 3}]}]}
                ]
            }
        )
    return routes


INVOICE = {"InvoiceID": "inv-1", "Status": "AUTHORISED", "UpdatedDateUTC": "/Date(1700000000000+0000)/"}


def xero_config(api: ScriptedApi, token_store: Path, http: HttpSettings, **overrides: Any) -> XeroConfig:
    """A Xero connector config pointed at ``api``'s token, connections and accounting routes."""
    return XeroConfig(
        **{"client_id": "client", "client_secret": "secret", "refresh_token": "refresh", **overrides},
        token_store_path=token_store,
        api_url=f"{api.base_url}/api.xro/2.0",
        token_url=f"{api.base_url}/identity/connect/token",
        connections_url=f"{api.base_url}/connections",
        http=http,
    )


def xero_routes() -> dict[tuple[str, str], Answer]:
    """Valid answers for the token, connections and invoices endpoints."""
    grant = {"access_token": "access", "refresh_token": "rotated", "expires_in": 1800}
    return {
        ("POST", "/identity/connect/token"): body(grant),
        ("GET", "/connections"): body([{"tenantId": "tenant-1", "tenantType": "ORGANISATION"}]),
        ("GET", "/api.xro/2.0/Invoices"): body({"Invoices": [INVOICE]}),
    }
