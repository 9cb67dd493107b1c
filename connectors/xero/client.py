"""Xero Accounting transport: OAuth2 bearer, tenant header, pacing and the 429 policy.

Xero allows 60 calls a minute and 5 in flight per organisation; one :class:`RateLimiter` shared
by every stream keeps us at ``requests_per_minute`` (55 by default) so 429s stay rare. A 429 whose
``X-Rate-Limit-Problem`` is ``day`` cannot be waited out in a run (``Retry-After`` can be hours):
it raises ``RateLimitExhausted`` and the caller keeps the old cursor.

The tenant comes from ``GET https://api.xero.com/Connections``, spelled as the identity OpenAPI
spec and Xero's SDKs spell it (the documentation writes it in lower case; see
docs/vendor-contracts.md).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

import requests

from connectors.base import RateLimitExhausted, ResponseShapeError
from connectors.http import HttpClient, retry_after_seconds, server_says
from connectors.shapes import json_reader, objects, optional_string, required_string
from connectors.xero.auth import XeroAuth, xero_tokens
from connectors.xero.config import XeroConfig

T = TypeVar("T")

_DEFAULT_WAIT_SECONDS = 60.0

DATA_SCOPES = (
    "accounting.transactions.read accounting.contacts.read accounting.settings.read "
    "accounting.journals.read accounting.reports.read"
)
"""What a run reads: invoices, payments..., contacts, accounts/items, the journals and the P&L
report. A Custom Connection is created with exactly these (it has no refresh token, so no
``offline_access``)."""
READ_SCOPES = f"offline_access {DATA_SCOPES}"
"""The scopes an app on the consent flow must be authorised with (``offline_access``: a refresh token)."""


def rate_limit_wait(response: requests.Response) -> float:
    """Xero's 429 policy: give up on the day limit, else wait ``Retry-After`` (a minute if absent)."""
    if response.headers.get("X-Rate-Limit-Problem", "").lower() == "day":
        wait = retry_after_seconds(response)
        when = f"in about {wait / 3600:.1f} h (Retry-After)" if wait is not None else "within 24 hours"
        raise RateLimitExhausted(
            f"xero: the organisation's daily API limit (5,000 calls) is spent; it resets {when}. Run again "
            "after that -- streams that did not finish kept their cursors"
        )
    wait = retry_after_seconds(response)
    return _DEFAULT_WAIT_SECONDS if wait is None else wait


def if_modified_since(epoch_ms: int) -> str:
    """``If-Modified-Since`` as Xero wants it: UTC, whole seconds (milliseconds get rejected).

    A full RFC 3339 date-time with its zone (``2023-11-14T22:08:20Z``), as the spec's
    ``format: date-time`` requires: a zoneless value is rejected by a validating server, and
    would leave Xero to guess the zone.
    """
    return datetime.fromtimestamp(epoch_ms // 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def advise(response: requests.Response) -> str:
    """What to do about a 401 or 403 (see :func:`connectors.http.status_error`)."""
    if response.status_code == 401:
        return (
            "Xero refused the access token: check XERO_CLIENT_ID, XERO_CLIENT_SECRET and XERO_REFRESH_TOKEN "
            "(`milemarker connect xero` re-authorises the app with the read scopes for a new refresh token)"
        )
    if response.status_code == 403:
        return (
            f"Xero says the app may not read this ({server_says(response)}): re-authorise it with the scopes "
            f"{READ_SCOPES}, and check that XERO_TENANT_ID (if set) is an organisation the app is "
            "connected to"
        )
    return ""


def advise_custom_connection(response: requests.Response) -> str:
    """:func:`advise` for a Custom Connection, whose scopes are set in the developer portal."""
    if response.status_code == 401:
        return (
            "Xero refused the access token: check the Custom Connection's XERO_CLIENT_ID and "
            "XERO_CLIENT_SECRET"
        )
    if response.status_code == 403:
        return (
            f"Xero says the connection may not read this ({server_says(response)}): give the Custom "
            f"Connection the scopes {DATA_SCOPES} (developer.xero.com > My Apps > the connection), and "
            "unset XERO_TENANT_ID or set it to the connection's organisation"
        )
    return ""


def _organisations(body: Any) -> list[str]:
    """Tenant ids of the ORGANISATION connections (``GET /Connections`` answers an array).

    None is an error of the same kind as a malformed answer, so that it too names the stream and
    the endpoint: the app has no organisation to read, and the user must authorise one.
    """
    tenants = [
        required_string(connection.get("tenantId"), f"{path}.tenantId")
        for path, connection in objects(body, "$")
        if optional_string(connection.get("tenantType"), f"{path}.tenantType") == "ORGANISATION"
    ]
    if not tenants:
        raise ResponseShapeError(
            "$",
            "the app is connected to no organisation; authorise one (the consent flow with the scopes "
            f"{READ_SCOPES}) and set XERO_REFRESH_TOKEN to the token it gives, or, for a Custom "
            "Connection, have the organisation's admin authorise it (the email from Xero)",
        )
    return tenants


class XeroClient:
    """One Xero organisation: shared by every stream so they share tokens and one rate budget."""

    def __init__(self, config: XeroConfig) -> None:
        self.config = config
        self.tokens = xero_tokens(config, rate_limit_wait)
        limiter = config.http.limiter(config.requests_per_minute, 60.0, max_in_flight=config.max_in_flight)
        self.http = HttpClient(
            "xero",
            config.http,
            rate_limit_policy=rate_limit_wait,
            limiter=limiter,
            auth=XeroAuth(self.tokens),
            secrets=(config.client_secret, config.refresh_token),
            advise=advise if config.uses_refresh_token else advise_custom_connection,
        )
        self._tenant_id = config.tenant_id
        self._tenant_lock = threading.Lock()

    def close(self) -> None:
        self.http.close()
        self.tokens.close()

    def tenant_id(self) -> str:
        """The configured tenant, else the first ORGANISATION the app is connected to."""
        with self._tenant_lock:
            if self._tenant_id is None:
                _, organisations = self.http.request(
                    "GET", self.config.connections_url, decode=json_reader(_organisations)
                )
                self._tenant_id = organisations[0]
            return self._tenant_id

    def get(
        self,
        path: str,
        *,
        decode: Callable[[bytes], T],
        params: Mapping[str, Any] | None = None,
        modified_since_ms: int | None = None,
    ) -> T:
        """``GET {api_url}/{path}`` for the tenant, optionally with ``If-Modified-Since``."""
        headers = {"xero-tenant-id": self.tenant_id()}
        if modified_since_ms is not None:
            headers["If-Modified-Since"] = if_modified_since(modified_since_ms)
        url = f"{self.config.api_url.rstrip('/')}/{path}"
        _, body = self.http.request("GET", url, params=params, headers=headers, decode=decode)
        return body
