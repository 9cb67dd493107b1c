"""Real local servers that alerts are delivered to: an SMTP server (aiosmtpd) and an HTTP receiver.

Both listen on 127.0.0.1 only and record what arrives, parsed: the e-mail as the standard library
reads it, the HTTP request's JSON body. A path of the HTTP receiver can be told to answer an error
(or to answer slowly) so that channel failures are real failures, not mocks.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tests.contract.contract_prism import free_port


@dataclass
class Mailbox:
    """What the SMTP server accepted: each message with its envelope, and the logins it saw."""

    port: int
    refuse: frozenset[str] = frozenset()
    login: tuple[str, str] | None = None
    messages: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content if isinstance(envelope.content, bytes) else str(envelope.content).encode()
        parsed = message_from_bytes(content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append((str(envelope.mail_from), list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        """aiosmtpd's authenticator: the one login this mailbox was given, nothing else."""
        ok = isinstance(auth_data, LoginPassword) and self.login == (
            auth_data.login.decode(),
            auth_data.password.decode(),
        )
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)  # not handled: aiosmtpd answers 235 or 535


@contextmanager
def smtp_server(
    refuse: frozenset[str] = frozenset(), login: tuple[str, str] | None = None
) -> Iterator[Mailbox]:
    """An SMTP server on 127.0.0.1 (plain, no STARTTLS); with ``login``, AUTH is required."""
    mailbox = Mailbox(port=free_port(), refuse=refuse, login=login)
    options: dict[str, Any] = {}
    if login is not None:
        options = {"authenticator": mailbox.authenticate, "auth_required": True, "auth_require_tls": False}
    controller = Controller(
        mailbox, hostname="127.0.0.1", port=mailbox.port, server_hostname="localhost", **options
    )
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()


@dataclass(frozen=True)
class Received:
    """One POST the HTTP receiver got."""

    path: str
    content_type: str
    body: Any


@dataclass(frozen=True)
class Answer:
    """What a path answers: a status, a body, and how long to wait first."""

    status: int = 200
    body: str = "ok"
    delay_seconds: float = 0.0


class HttpReceiver:
    """An HTTP server on 127.0.0.1 recording every POST; ``answers`` scripts a path's reply (a list:
    one reply per request, in turn)."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.answers: dict[str, Answer | list[Answer]] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                scripted = receiver.answers.get(self.path, Answer())
                if isinstance(scripted, list):  # answered in turn; the last one from then on
                    answer = scripted.pop(0) if len(scripted) > 1 else scripted[0]
                else:
                    answer = scripted
                time.sleep(answer.delay_seconds)
                receiver.received.append(
                    Received(self.path, self.headers.get("Content-Type", ""), json.loads(body or b"null"))
                )
                payload = answer.body.encode()
                self.send_response(answer.status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the tests read ``received``, not stderr."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def bodies(self, path: str) -> list[Any]:
        """The JSON bodies POSTed to ``path``, in order."""
        return [request.body for request in self.received if request.path == path]


@contextmanager
def http_receiver() -> Iterator[HttpReceiver]:
    receiver = HttpReceiver()
    receiver.thread.start()
    try:
        yield receiver
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
