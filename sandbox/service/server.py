"""The sandbox HTTP server: HubSpot, Xero and ConnectWise under their prefixes, control under ``/_sandbox``.

Built on the standard library's ``ThreadingHTTPServer`` speaking HTTP/1.1 keep-alive (a
``requests.Session`` reuses its connection), with Nagle off and headers and body leaving in one
write. The ``Date`` header is the business clock, never the wall clock: connectors take it as the
server's "now" for search windows, and two sandboxes with the same configuration must answer the
same request with the same bytes.

Per request: pick the vendor by prefix, refuse over-long URLs, route, authenticate, apply the rate
limits, then draw a fault (or not) and run the handler under the state lock, so ``advance`` never
runs while a page is being built; a successful JSON page finally passes the scripted corruptions
(``payload_faults``), which leave it untouched unless one is aimed at it.
"""

from __future__ import annotations

import hashlib
import logging
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs

from sandbox.connectwise.api import ConnectwiseApi
from sandbox.hubspot.api import HubspotApi
from sandbox.service.auth import Clock, SandboxCredentials, XeroTokenAuthority
from sandbox.service.control_api import ControlApi
from sandbox.service.faults import FaultController, FaultKind, FaultProfile
from sandbox.service.routing import ApiRequest, ApiResponse, VendorApi, json_response
from sandbox.service.timefmt import http_date
from sandbox.simulation.business import SimulatedBusiness
from sandbox.simulation.config import SandboxConfig
from sandbox.simulation.model import Business
from sandbox.xero.api import XeroAccountingApi
from sandbox.xero.identity import XeroIdentityApi

log = logging.getLogger(__name__)

_REQUEST_NAMESPACE = uuid.UUID("0b7f3c2e-5d0a-4c1e-8f57-5a3f2f6a9e01")
_VENDOR_RENDERED = frozenset(
    {
        FaultKind.RATE_LIMIT,
        FaultKind.RATE_LIMIT_NO_RETRY_AFTER,
        FaultKind.DAILY_LIMIT,
        FaultKind.TOKEN_EXPIRED,
        FaultKind.HTTP_500,
    }
)
_GATEWAY_PAGES = {
    FaultKind.HTTP_502: (502, "Bad Gateway"),
    FaultKind.HTTP_503: (503, "Service Unavailable"),
}
_HTML_ERROR_PAGE = (
    b"<!DOCTYPE html><html><head><title>Service temporarily unavailable</title></head>"
    b"<body><h1>Something went wrong</h1><p>Please try again later.</p></body></html>"
)


def _html(status: int, title: str) -> ApiResponse:
    page = f"<html><head><title>{status} {title}</title></head><body><h1>{status} {title}</h1></body></html>"
    return ApiResponse(status, page.encode(), "text/html")


@dataclass(frozen=True)
class Outcome:
    """The response to write and the fault that shaped it (``truncated`` changes how it is written)."""

    response: ApiResponse
    fault: FaultKind | None = None


ENV_NAMES = frozenset(
    {
        "HUBSPOT_BASE_URL",
        "HUBSPOT_ACCESS_TOKEN",
        "XERO_BASE_URL",
        "XERO_TOKEN_URL",
        "XERO_CONNECTIONS_URL",
        "XERO_CLIENT_ID",
        "XERO_CLIENT_SECRET",
        "XERO_REFRESH_TOKEN",
        "XERO_TENANT_ID",
        "CONNECTWISE_BASE_URL",
        "CONNECTWISE_COMPANY_ID",
        "CONNECTWISE_PUBLIC_KEY",
        "CONNECTWISE_PRIVATE_KEY",
        "CONNECTWISE_CLIENT_ID",
    }
)
"""The settings :meth:`Sandbox.env` gives: a process reading ``serve``'s output has them all once it
has seen these."""


class SandboxApp:
    """Everything behind the socket: vendors, faults, tokens and the lock around the business."""

    def __init__(
        self, business: Business, credentials: SandboxCredentials, clock: Clock, faults: FaultController
    ) -> None:
        self.business = business
        self.faults = faults
        self.tokens = XeroTokenAuthority(credentials, clock)
        self.state_lock = threading.RLock()
        self.hubspot = HubspotApi(business, credentials.hubspot_access_token, faults)
        self.xero = XeroAccountingApi(business, credentials.xero_tenant_id, self.tokens, faults)
        self.connectwise = ConnectwiseApi(business, credentials, faults)
        vendors: list[VendorApi] = [
            self.hubspot,
            self.xero,
            self.connectwise,
            XeroIdentityApi(business, credentials, self.tokens),
            ControlApi(business, faults, self.tokens, warm=self.warm),
        ]
        self._vendors = sorted(vendors, key=lambda v: len(v.prefix), reverse=True)

    def warm(self) -> None:
        """Rebuild what every vendor serves for the current clock (otherwise built on first request)."""
        self.hubspot.warm()
        self.xero.warm()
        self.connectwise.warm()

    def date_header(self) -> str:
        return http_date(self.business.now)

    def handle(self, method: str, target: str, headers: Message, body: bytes) -> Outcome:
        path, _, query_string = target.partition("?")
        vendor = next((v for v in self._vendors if path == v.prefix or path.startswith(v.prefix + "/")), None)
        if vendor is None:
            return Outcome(json_response(404, {"error": f"no service at {path}"}))
        self.faults.count_request(vendor.name)
        request = ApiRequest(
            method=method,
            path=path[len(vendor.prefix) :] or "/",
            query=parse_qs(query_string, keep_blank_values=True),
            headers=headers,
            body=body,
            request_id=self._request_id(method, target, body),
            take_fault=(lambda kind: self.faults.take(kind, target))
            if vendor.injects_faults
            else (lambda kind: False),
        )
        refusal = vendor.preflight(request, target)
        if refusal is not None:
            return Outcome(refusal)
        matched = vendor.router.match(method, request.path)
        if matched is None:
            return Outcome(vendor.not_found(request))
        handler, params = matched
        request = replace(request, params=params)
        denied = vendor.authenticate(request)
        if denied is not None:
            return Outcome(denied)
        admission = vendor.admit(request)
        try:
            if admission.refusal is not None:
                return Outcome(admission.refusal)
            fault = self.faults.draw(target) if vendor.injects_faults else None
            response = self._respond(vendor, handler, request, fault)
            if vendor.injects_faults and response.status == 200 and "json" in response.content_type:
                # a new response, not the handler's object: a cached page must stay uncorrupted
                response = replace(response, body=self.faults.corrupt_page(target, response.body))
            for name, value in admission.headers.items():
                response.headers.setdefault(name, value)
            return Outcome(response, fault)
        finally:
            admission.release()

    def _respond(
        self,
        vendor: VendorApi,
        handler: Callable[[ApiRequest], ApiResponse],
        request: ApiRequest,
        fault: FaultKind | None,
    ) -> ApiResponse:
        if fault in _VENDOR_RENDERED:
            return vendor.fault_response(fault, request)
        if fault in _GATEWAY_PAGES:
            return _html(*_GATEWAY_PAGES[fault])
        if fault == FaultKind.HTML_200:
            return ApiResponse(200, _HTML_ERROR_PAGE, "text/html; charset=utf-8")
        if fault == FaultKind.SLOW:
            time.sleep(self.faults.profile.slow_seconds)
        with self.state_lock:
            return handler(request)

    def _request_id(self, method: str, target: str, body: bytes) -> uuid.UUID:
        """A uuid5 of the request and the business clock: reproducible, unlike a random id."""
        digest = hashlib.sha256(body).hexdigest() if body else ""
        return uuid.uuid5(_REQUEST_NAMESPACE, f"{self.business.now.isoformat()}|{method}|{target}|{digest}")


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "MilemarkerSandbox/1.0"
    disable_nagle_algorithm = True
    wbufsize = 1 << 16
    """Buffered writes: status line, headers and body leave in one ``send`` on flush."""
    server: SandboxHTTPServer

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def version_string(self) -> str:
        return self.server_version

    def date_time_string(self, timestamp: float | None = None) -> str:
        return self.server.app.date_header()

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            outcome = self.server.app.handle(self.command, self.path, self.headers, body)
        except Exception:
            log.exception("sandbox handler failed for %s %s", self.command, self.path.partition("?")[0])
            outcome = Outcome(json_response(500, {"error": "sandbox internal error"}))
        self._write(outcome)

    def _write(self, outcome: Outcome) -> None:
        response = outcome.response
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if outcome.fault == FaultKind.TRUNCATED:
            self.wfile.write(response.body[: len(response.body) // 2])
            self.close_connection = True
        else:
            self.wfile.write(response.body)


class SandboxHTTPServer(ThreadingHTTPServer):
    """Tracks open connections so ``stop`` can close idle keep-alive sockets instead of leaking threads."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: SandboxApp) -> None:
        self.app = app
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _RequestHandler)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._connections_lock:
                self._connections.discard(request)

    def close_connections(self) -> None:
        with self._connections_lock:
            for connection in list(self._connections):
                with suppress(OSError):  # the client may have closed it already
                    connection.shutdown(socket.SHUT_RDWR)


class Sandbox:
    """A running sandbox: its URLs, the credentials it accepts, and the knobs tests turn.

    Use ``run_sandbox`` (context manager) in tests, ``start_sandbox`` where the caller manages the
    lifetime (the Dagster project's embedded sandbox); the serving thread is a daemon either way.
    """

    def __init__(
        self,
        business: Business,
        credentials: SandboxCredentials,
        *,
        host: str,
        port: int,
        clock: Clock,
        faults: FaultProfile | None,
    ) -> None:
        self.business = business
        self.credentials = credentials
        self.faults = FaultController(clock, faults)
        self._app = SandboxApp(business, credentials, clock, self.faults)
        self._server = SandboxHTTPServer((host, port), self._app)
        bound_host, bound_port = self._server.server_address[:2]
        self.host, self.port = str(bound_host), int(bound_port)
        self.base_url = f"http://{self.host}:{self.port}"
        self.hubspot_base_url = f"{self.base_url}/hubspot"
        self.xero_api_url = f"{self.base_url}/xero/api.xro/2.0"
        self.xero_authorize_url = f"{self.base_url}/xero/identity/connect/authorize"
        """Xero's consent screen, answering at once (``milemarker connect xero --authorize-url``)."""
        self.xero_token_url = f"{self.base_url}/xero/identity/connect/token"
        self.xero_connections_url = f"{self.base_url}/xero/connections"
        self.connectwise_base_url = f"{self.base_url}/connectwise/v4_6_release/apis/3.0"
        """ConnectWise PSA (any codebase segment is accepted in place of ``v4_6_release``)."""
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"sandbox:{self.port}",
            daemon=True,
        )
        self._thread.start()

    @property
    def hubspot_search_cap(self) -> int:
        """HubSpot's 10,000-result search window (lower it to reach the cap with a small business)."""
        return self._app.hubspot.search_result_cap

    @hubspot_search_cap.setter
    def hubspot_search_cap(self, value: int) -> None:
        self._app.hubspot.search_result_cap = value

    @property
    def connectwise_require_client_id(self) -> bool:
        """Whether ConnectWise requests without the ``clientId`` header get a 401 (default on)."""
        return self._app.connectwise.require_client_id

    @connectwise_require_client_id.setter
    def connectwise_require_client_id(self, value: bool) -> None:
        self._app.connectwise.require_client_id = value

    def env(self) -> dict[str, str]:
        """The connector settings that point at this sandbox (what the CLI prints), named as in
        :data:`ENV_NAMES`."""
        return {
            "HUBSPOT_BASE_URL": self.hubspot_base_url,
            "HUBSPOT_ACCESS_TOKEN": self.credentials.hubspot_access_token,
            "XERO_BASE_URL": self.xero_api_url,
            "XERO_TOKEN_URL": self.xero_token_url,
            "XERO_CONNECTIONS_URL": self.xero_connections_url,
            "XERO_CLIENT_ID": self.credentials.xero_client_id,
            "XERO_CLIENT_SECRET": self.credentials.xero_client_secret,
            "XERO_REFRESH_TOKEN": self.credentials.xero_refresh_token,
            "XERO_TENANT_ID": self.credentials.xero_tenant_id,
            "CONNECTWISE_BASE_URL": self.connectwise_base_url,
            "CONNECTWISE_COMPANY_ID": self.credentials.connectwise_company_id,
            "CONNECTWISE_PUBLIC_KEY": self.credentials.connectwise_public_key,
            "CONNECTWISE_PRIVATE_KEY": self.credentials.connectwise_private_key,
            "CONNECTWISE_CLIENT_ID": self.credentials.connectwise_client_id,
        }

    def advance(self, days: int) -> None:
        """Move the business clock (waits for in-flight pages; caches rebuild on the next request,
        or at once through ``POST /_sandbox/advance`` with ``"warm": true``)."""
        with self._app.state_lock:
            self.business.advance(days)

    def expire_tokens(self) -> int:
        """Expire every live Xero access token now; returns how many were live."""
        return self._app.tokens.revoke_access_tokens()

    def stats(self) -> dict[str, Any]:
        return self.faults.stats()

    def stop(self) -> None:
        """Stop serving, close open keep-alive connections and release the port. Idempotent."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.close_connections()
        self._server.server_close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def start_sandbox(
    config: SandboxConfig,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    clock: Clock = time.monotonic,
    faults: FaultProfile | None = None,
    business: Business | None = None,
    credentials: SandboxCredentials | None = None,
) -> Sandbox:
    """Build the simulated business for ``config`` (unless given) and serve it; port 0 picks a free one.

    ``clock`` drives token expiry and rate-limit windows (inject a fake one in tests); the business
    clock is separate and only moves on ``advance``. ``credentials`` default to the seed's; a test
    gives its own recognisable ones to look for them afterwards in everything a run wrote.
    """
    if business is None:
        business = SimulatedBusiness(config)
    if credentials is None:
        credentials = SandboxCredentials.for_seed(config.seed)
    return Sandbox(business, credentials, host=host, port=port, clock=clock, faults=faults)


@contextmanager
def run_sandbox(config: SandboxConfig, **options: Any) -> Iterator[Sandbox]:
    """``with run_sandbox(SandboxConfig(seed=7, scale=0.2), port=0) as sb: ...``"""
    sandbox = start_sandbox(config, **options)
    try:
        yield sandbox
    finally:
        sandbox.stop()
