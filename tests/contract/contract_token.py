"""A tiny Xero token endpoint for the contract tests.

Neither vendored Xero document describes ``POST https://identity.xero.com/connect/token`` (the
identity document has ``/Connections`` only), so Prism cannot mock it. This server answers the
refresh grant the way Xero documents it (form body ``grant_type=refresh_token``, client
credentials by HTTP Basic, JSON ``{access_token, refresh_token, expires_in, token_type}``) and
refuses anything else with Xero's ``{"error": ...}`` 400, so the connector's request is checked too.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

TOKEN_PATH = "/connect/token"


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test reports failures itself."""

    def _reply(self, status: int, body: dict[str, object]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode())
        basic = self.headers.get("Authorization", "")
        if self.path != TOKEN_PATH:
            self._reply(404, {"error": "not_found"})
        elif not basic.startswith("Basic ") or b":" not in base64.b64decode(basic[6:] + "=="):
            self._reply(400, {"error": "invalid_client"})
        elif form.get("grant_type") != ["refresh_token"] or not form.get("refresh_token"):
            self._reply(400, {"error": "unsupported_grant_type"})
        else:
            self._reply(
                200,
                {
                    "access_token": secrets.token_urlsafe(24),
                    "refresh_token": secrets.token_urlsafe(24),
                    "expires_in": 1800,
                    "token_type": "Bearer",
                    "scope": "accounting.transactions.read accounting.contacts.read offline_access",
                },
            )


class TokenServer:
    """The endpoint on a free port of 127.0.0.1, served from a daemon thread."""

    def __init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{TOKEN_PATH}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
