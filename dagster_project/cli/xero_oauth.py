"""Xero's OAuth2 authorisation-code flow with a loopback redirect, for ``milemarker connect xero``.

The consent screen runs in the user's browser; Xero then redirects to
``http://127.0.0.1:<port>/callback`` (the redirect URI registered with the app), where a one-shot
HTTP server on this machine takes the ``code`` and ``state``. The ``state`` is a fresh random value
checked on return, so a redirect this command did not start is refused. The code is exchanged at
the token endpoint, and the first refresh token goes into the same token store, written the same
way (atomic, mode 0600, under the refresh lock), as the connector's own rotations
(:mod:`connectors.xero.auth`), so the next run picks it up.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from connectors.base import AuthenticationError
from connectors.redaction import excerpt
from connectors.shapes import objects, optional_string, required_string
from connectors.xero.auth import TokenSet, TokenStore

AUTHORIZE_URL = "https://login.xero.com/identity/connect/authorize"
_PAGE = (
    b"<html><body><h1>Milemarker</h1><p>Done: close this tab and return to the terminal.</p></body></html>"
)


def authorise_url(authorize_url: str, client_id: str, redirect_uri: str, scopes: str, state: str) -> str:
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": scopes,
        "state": state,
    }
    return f"{authorize_url}?{urlencode(query)}"


def new_state() -> str:
    return secrets.token_urlsafe(24)


class _CallbackHandler(BaseHTTPRequestHandler):
    server: CallbackServer

    def do_GET(self) -> None:
        target = urlsplit(self.path)
        if target.path != "/callback":
            self.send_error(404)
            return
        self.server.received = {k: v[-1] for k, v in parse_qs(target.query).items()}
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(_PAGE)))
        self.end_headers()
        self.wfile.write(_PAGE)
        self.server.done.set()

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the query string carries the authorisation code."""


class CallbackServer(HTTPServer):
    """Serves ``/callback`` on 127.0.0.1 until the first redirect arrives (port 0: any free port)."""

    def __init__(self, port: int) -> None:
        super().__init__(("127.0.0.1", port), _CallbackHandler)
        self.timeout = 0.2  # handle_request returns this often, so closing never waits long
        self.port = int(self.server_address[1])
        self.redirect_uri = f"http://127.0.0.1:{self.port}/callback"
        self.received: dict[str, str] = {}
        self.done = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="xero-callback", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self.done.is_set():
            self.handle_request()

    def wait(self, timeout: float) -> dict[str, str]:
        """The callback's query parameters; ``TimeoutError`` when no redirect came in time."""
        if not self.done.wait(timeout):
            raise TimeoutError(f"no redirect reached {self.redirect_uri} within {timeout:.0f} s")
        return self.received

    def __enter__(self) -> CallbackServer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.done.set()
        self._thread.join()
        self.server_close()


def code_from(received: dict[str, str], state: str) -> str:
    """The authorisation code, once the redirect is known to answer our own request."""
    if received.get("error"):
        raise AuthenticationError(
            f"xero: authorisation refused ({received['error']}): allow access on the consent screen, "
            "with an organisation chosen"
        )
    if not secrets.compare_digest(received.get("state", ""), state):
        raise AuthenticationError("xero: the redirect's state is not this request's; run the command again")
    if not received.get("code"):
        raise AuthenticationError("xero: the redirect carried no code")
    return received["code"]


@dataclass(frozen=True)
class Grant:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: float


_HINTS = {
    "invalid_client": "check XERO_CLIENT_ID and XERO_CLIENT_SECRET",
    "invalid_grant": "the code expired or was used already; run the command again",
}


def exchange_code(
    token_url: str, client_id: str, client_secret: str, code: str, redirect_uri: str, timeout: float = 30.0
) -> Grant:
    """``grant_type=authorization_code`` at the token endpoint (client authenticated by Basic auth)."""
    response = requests.post(
        token_url,
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri},
        auth=(client_id, client_secret),
        timeout=timeout,
    )
    try:
        body = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    if response.status_code != 200 or not body.get("refresh_token") or not body.get("access_token"):
        error = str(body.get("error") or "")
        said = excerpt(error or response.text, (client_secret, code))
        hint = _HINTS.get(error, "check that the app asks for offline_access (no refresh token without it)")
        raise AuthenticationError(f"xero: code exchange failed (HTTP {response.status_code}: {said}); {hint}")
    expires_at = time.time() + float(body.get("expires_in", 1800))
    return Grant(str(body["access_token"]), str(body["refresh_token"]), expires_at)


def store_grant(path: Path, token_url: str, client_id: str, grant: Grant) -> None:
    """Write the first token set as the connector writes its rotations: atomic, 0600, under the lock."""
    store = TokenStore(path)
    with store.locked():
        store.save(TokenSet(token_url, client_id, grant.refresh_token, grant.access_token, grant.expires_at))


@dataclass(frozen=True)
class Organisation:
    tenant_id: str
    name: str


def organisations(connections_url: str, access_token: str, timeout: float = 30.0) -> list[Organisation]:
    """The ORGANISATION connections the token may read (``GET /Connections``)."""
    response = requests.get(
        connections_url, headers={"Authorization": f"Bearer {access_token}"}, timeout=timeout
    )
    if response.status_code != 200:
        raise AuthenticationError(f"xero: {connections_url} answered HTTP {response.status_code}")
    return [
        Organisation(
            required_string(c.get("tenantId"), f"{path}.tenantId"),
            optional_string(c.get("tenantName"), f"{path}.tenantName") or "(unnamed)",
        )
        for path, c in objects(response.json(), "$")
        if c.get("tenantType") == "ORGANISATION"
    ]
