"""Error text never carries a credential, even from a server that echoes what it was sent.

A tiny real HTTP server on 127.0.0.1 plays a token endpoint or proxy that answers 400/401/500 with
the request's form body, ``Authorization`` header and query string, as text or inside JSON. The
exception a connector raises (its text, its repr and everything chained to it) must hold none of
the secrets, in any encoding the request carried them, yet still name the status and endpoint.
"""

from __future__ import annotations

import base64
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit

import pytest

from connectors.base import ConnectorError
from connectors.http import HttpClient, HttpSettings, decode_json
from connectors.hubspot.client import HubspotClient
from connectors.hubspot.config import HubspotConfig
from connectors.xero.auth import XeroTokens
from connectors.xero.client import XeroClient, rate_limit_wait
from connectors.xero.config import XeroConfig

CLIENT_ID = "client-id-visible"
TOKEN_PATH = "/identity/connect/token"
API_PATH = "/api.xro/2.0/Accounts"
STATUSES = (400, 401, 500)
STYLES = ("text", "json")


@dataclass
class Echo:
    """How the echo server answers: ``status`` and ``style`` for every request, except that when
    ``issue_tokens`` is set the token path grants (a new access token each time, kept in ``issued``)
    so that a Xero API call gets past its refresh."""

    base_url: str = ""
    status: int = 400
    style: str = "text"
    issue_tokens: bool = False
    issued: list[str] = field(default_factory=list)


class _EchoHandler(BaseHTTPRequestHandler):
    server: _EchoServer

    def do_GET(self) -> None:
        self._answer(b"")

    def do_POST(self) -> None:
        self._answer(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

    def _answer(self, raw: bytes) -> None:
        echo = self.server.echo
        url = urlsplit(self.path)
        if echo.issue_tokens and url.path == TOKEN_PATH:
            echo.issued.append(f"issued.access~{len(echo.issued)}")
            grant = {"access_token": echo.issued[-1], "refresh_token": "rotated", "expires_in": 1800}
            self._send(200, "application/json", json.dumps(grant))
            return
        form, authorization = raw.decode(), self.headers.get("Authorization", "")
        if echo.style == "text":
            body = f"cannot parse {form}\nAuthorization: {authorization}\nquery: {url.query}\n"
            self._send(echo.status, "text/plain", body)
            return
        received = {
            "form": dict(parse_qsl(form)),
            "values": [value for _, value in parse_qsl(form)],
            "authorization": authorization,
            "credential": authorization.partition(" ")[2],
            "query": url.query,
        }
        error = f"cannot parse {form} sent with {authorization}"
        self._send(echo.status, "application/json", json.dumps({"error": error, "received": received}))

    def _send(self, status: int, content_type: str, body: str) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test output is for failures."""


class _EchoServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, echo: Echo) -> None:
        super().__init__(("127.0.0.1", 0), _EchoHandler)
        self.echo = echo


@pytest.fixture
def echo() -> Iterator[Echo]:
    state = Echo()
    server = _EchoServer(state)
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def chain_texts(error: BaseException) -> str:
    """Text and repr of an exception and of everything chained to it."""
    texts, seen, pending = [], set(), [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        texts += [str(current), repr(current)]
        pending += [current.__cause__, current.__context__]
    return "\n".join(texts)


def encodings(secret: str) -> set[str]:
    """A secret as a request may carry it and an echo may return it."""
    return {secret, quote_plus(secret), quote(secret, safe=""), json.dumps(secret)[1:-1]}


def assert_clean(error: BaseException, secrets: list[str], *, status: int, endpoint: str) -> None:
    text = chain_texts(error)
    for secret in secrets:
        for form in encodings(secret):
            assert form not in text, f"{form!r} leaked into: {text}"
    message = str(error)
    assert f"HTTP {status}" in message and endpoint in message, message
    assert "\n" not in message and len(message) < 400, message


def xero_config(echo: Echo, fast_http: HttpSettings, tmp_path: Path, **secrets: str) -> XeroConfig:
    return XeroConfig(
        client_id=CLIENT_ID,
        token_store_path=tmp_path / "store.json",
        api_url=f"{echo.base_url}/api.xro/2.0",
        token_url=f"{echo.base_url}{TOKEN_PATH}",
        tenant_id="tenant-visible",
        http=fast_http,
        **secrets,
    )


# Odd shapes (no pattern knows them: only masking by value can) and realistic ones.
XERO_SECRETS = [
    {"client_secret": "cs weird!shape+7", "refresh_token": "rt/odd=shape&8"},
    {"client_secret": "Zq3v" * 12, "refresh_token": "0f9e8d7c6b5a4938" * 4},
]


@pytest.mark.parametrize("secrets", XERO_SECRETS, ids=["odd", "realistic"])
@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("status", STATUSES)
def test_token_refresh_failure_hides_the_form_it_sent(
    echo: Echo, fast_http: HttpSettings, tmp_path: Path, status: int, style: str, secrets: dict[str, str]
) -> None:
    echo.status, echo.style = status, style
    tokens = XeroTokens(xero_config(echo, fast_http, tmp_path, **secrets), rate_limit_wait)
    try:
        with pytest.raises(ConnectorError) as raised:
            tokens.access_token()
    finally:
        tokens.close()
    basic = base64.b64encode(f"{CLIENT_ID}:{secrets['client_secret']}".encode()).decode()
    assert_clean(raised.value, [*secrets.values(), basic], status=status, endpoint=TOKEN_PATH)


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("status", STATUSES)
def test_xero_api_error_hides_the_bearer_token(
    echo: Echo, fast_http: HttpSettings, tmp_path: Path, status: int, style: str
) -> None:
    echo.status, echo.style, echo.issue_tokens = status, style, True
    secrets = XERO_SECRETS[0]
    client = XeroClient(xero_config(echo, fast_http, tmp_path, **secrets))
    try:
        with pytest.raises(ConnectorError) as raised:
            client.get("Accounts", decode=decode_json, params={"where": 'Status=="ACTIVE"'})
    finally:
        client.close()
    assert echo.issued, "the call got as far as the API"
    assert_clean(raised.value, [*secrets.values(), *echo.issued], status=status, endpoint=API_PATH)


@pytest.mark.parametrize("token", ["pat-na1-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", "odd token~shape"])
@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("status", STATUSES)
def test_hubspot_api_error_hides_the_private_app_token(
    echo: Echo, fast_http: HttpSettings, status: int, style: str, token: str
) -> None:
    echo.status, echo.style = status, style
    client = HubspotClient(HubspotConfig(access_token=token, base_url=echo.base_url, http=fast_http))
    try:
        with pytest.raises(ConnectorError) as raised:
            client.get("/crm/v3/owners", decode_json, {"limit": 1})
    finally:
        client.http.close()
    assert_clean(raised.value, [token], status=status, endpoint="/crm/v3/owners")


def test_transport_errors_do_not_quote_the_query_string(fast_http: HttpSettings) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed on leaving: nothing listens there
    client = HttpClient("x", fast_http, rate_limit_policy=lambda r: 0.0)
    secret = "q-secret~1"
    with pytest.raises(ConnectorError) as raised:
        client.request("GET", f"http://127.0.0.1:{port}/things", params={"access_token": secret})
    text = chain_texts(raised.value)
    assert secret not in text and quote_plus(secret) not in text, text
    assert "GET /things" in str(raised.value) and "ConnectionError" in str(raised.value)
