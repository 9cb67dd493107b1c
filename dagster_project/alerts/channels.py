"""Delivery: e-mail over SMTP, and JSON over HTTP to Slack, Teams or any webhook.

A channel that cannot take an alert raises :class:`ChannelError` and nothing else: a refused
connection, an unknown host, a timeout, a 4xx/5xx answer, an SMTP server refusing the sender or
the recipients, a variable not set. Its message is redacted (the webhook URL, which carries the
token, and every other known secret are masked: HTTP libraries quote the URL's path in their
errors) so the caller can log it as it is. :mod:`dagster_project.alerts.dispatch` decides what a
failure means for the other alerts and channels.

HTTP retries only what cannot have delivered the message (urllib3's ``Retry``, :data:`HTTP_RETRY`):
a refused connection, and answers that say "not now" -- 429, 502, 503, 504 -- twice, after 0.5 s
and 1 s. A 500 or a read timeout may have posted the message already, so they are not retried (a
duplicate in a channel is worse than one alert missed and logged). A ``Retry-After`` header is not
waited for: a sensor tick must finish.

Timeouts are short on purpose: alerts are sent from a sensor tick, which must finish.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from connectors.redaction import excerpt
from dagster_project.alerts.events import Alert
from dagster_project.alerts.messages import html, plain_text, subject
from dagster_project.alerts.payloads import slack_payload, teams_payload, webhook_body
from dagster_project.alerts.settings import Channel, EmailChannel, SlackChannel, TeamsChannel

SMTP_HOST_ENV = "MILEMARKER_SMTP_HOST"
SMTP_PORT_ENV = "MILEMARKER_SMTP_PORT"
SMTP_TIMEOUT_SECONDS = 10.0
HTTP_TIMEOUT_SECONDS = (3.05, 10.0)
"""(connect, read): a dead endpoint costs at most this much per sensor tick (dispatch stops using a
channel after its first failure in a batch)."""


HTTP_RETRY = Retry(
    total=2,
    connect=2,
    read=0,
    status=2,
    other=0,
    backoff_factor=0.5,
    status_forcelist=(429, 502, 503, 504),
    allowed_methods=None,  # POST included: these answers mean the message was not taken
    respect_retry_after_header=False,
    raise_on_status=False,
    raise_on_redirect=False,
    redirect=0,
)


class ChannelError(Exception):
    """A channel could not take an alert; the message is redacted and safe to log."""


class Sender(Protocol):
    """One configured channel, ready to send."""

    label: str
    """The channel as logs name it (its type and recipients or variable name, never a secret)."""

    def send(self, alert: Alert) -> str | None:
        """Deliver ``alert``; return a warning for a partial delivery; raise :class:`ChannelError`."""
        ...


@dataclass(frozen=True)
class EmailSender:
    """SMTP with STARTTLS (unless turned off) and an optional login; one connection per alert."""

    label: str
    host: str
    port: int
    starttls: bool
    sender: str
    to: tuple[str, ...]
    login: tuple[str, str] | None
    secrets: frozenset[str]

    def send(self, alert: Alert) -> str | None:
        message = self.new_message(subject(alert))
        message.set_content(plain_text(alert))
        message.add_alternative(html(alert), subtype="html")
        return self.deliver(message)

    def new_message(self, subject_line: str) -> EmailMessage:
        """An empty message from this channel's sender to its recipients (the caller adds the body)."""
        message = EmailMessage()
        message["Subject"] = subject_line
        message["From"] = self.sender
        message["To"] = ", ".join(self.to)
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        return message

    def deliver(self, message: EmailMessage) -> str | None:
        """Send a finished message; return a warning for refused recipients; raise :class:`ChannelError`."""
        try:
            with smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.login:
                    smtp.login(*self.login)
                refused = smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            raise ChannelError(f"every recipient was refused: {_refusals(error.recipients)}") from None
        except smtplib.SMTPNotSupportedError:
            raise ChannelError(
                f"{self.host}:{self.port} does not offer STARTTLS; use the server's submission port, or "
                "set starttls: false only for a relay on a trusted network"
            ) from None
        except (OSError, smtplib.SMTPException) as error:
            raise ChannelError(_redacted(error, self.secrets)) from None
        return f"refused recipients (the others got it): {_refusals(refused)}" if refused else None


@dataclass(frozen=True)
class HttpSender:
    """A JSON POST; any answer but 2xx (redirects included) is a failure."""

    label: str
    url: str
    render: Callable[[Alert], dict[str, Any]]
    secrets: frozenset[str]

    def send(self, alert: Alert) -> str | None:
        try:
            with requests.Session() as session:
                session.mount(self.url, HTTPAdapter(max_retries=HTTP_RETRY))
                response = session.post(
                    self.url, json=self.render(alert), timeout=HTTP_TIMEOUT_SECONDS, allow_redirects=False
                )
        except requests.RequestException as error:
            raise ChannelError(_redacted(error, self.secrets)) from None
        if not 200 <= response.status_code < 300:
            body = excerpt(response.text, self.secrets)
            raise ChannelError(f"HTTP {response.status_code} {response.reason}: {body}")
        return None


def sender_for(channel: Channel, environ: Mapping[str, str], secrets: frozenset[str]) -> Sender:
    """The sender for ``channel``, its secrets read from ``environ`` now.

    Raises :class:`ChannelError` when a variable the channel names is not set (or is not a URL, or
    there is no SMTP host): a mistake of this channel only, reported when an alert is due.
    """
    if isinstance(channel, EmailChannel):
        host = channel.smtp_host or environ.get(SMTP_HOST_ENV)
        if not host:
            raise ChannelError(f"no SMTP host: set smtp_host in goals.yml or {SMTP_HOST_ENV}")
        login = None
        if channel.username_env and channel.password_env:
            login = (_variable(environ, channel.username_env), _variable(environ, channel.password_env))
        return EmailSender(
            label=channel.key,
            host=host,
            port=channel.smtp_port or _port(environ) or (587 if channel.starttls else 25),
            starttls=channel.starttls,
            sender=channel.sender,
            to=tuple(channel.to),
            login=login,
            secrets=secrets,
        )
    if isinstance(channel, SlackChannel):
        return HttpSender(channel.key, _url(environ, channel.webhook_url_env), slack_payload, secrets)
    if isinstance(channel, TeamsChannel):
        return HttpSender(channel.key, _url(environ, channel.webhook_url_env), teams_payload, secrets)
    return HttpSender(channel.key, _url(environ, channel.url_env), webhook_body, secrets)


def _variable(environ: Mapping[str, str], name: str) -> str:
    value = environ.get(name)
    if not value:
        raise ChannelError(f"environment variable {name} is not set")
    return value


def _url(environ: Mapping[str, str], name: str) -> str:
    value = _variable(environ, name)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ChannelError(f"environment variable {name} is not an http(s) URL")
    return value


def _port(environ: Mapping[str, str]) -> int | None:
    value = environ.get(SMTP_PORT_ENV)
    if not value:
        return None
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise ChannelError(f"environment variable {SMTP_PORT_ENV} is not a port number")
    return int(value)


def _refusals(recipients: Mapping[str, tuple[int, bytes]]) -> str:
    return "; ".join(
        f"{address} ({code} {reply.decode('utf-8', 'replace')})"
        for address, (code, reply) in recipients.items()
    )


def _redacted(error: BaseException, secrets: Iterable[str]) -> str:
    return excerpt(f"{type(error).__name__}: {error}", secrets)
