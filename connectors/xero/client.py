"""Xero Accounting transport: OAuth2 bearer, tenant header, pacing and the 429 policy.

Xero allows 60 calls a minute and 5 in flight per organisation; one :class:`RateLimiter` shared
by every stream keeps us at ``requests_per_minute`` (55 by default) so 429s stay rare. A 429 whose
``X-Rate-Limit-Problem`` is ``day`` cannot be waited out in a run (``Retry-After`` can be hours):
it raises ``RateLimitExhausted`` and the caller keeps the old cursor.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

import requests

from connectors.base import ConnectorError, RateLimitExhausted
from connectors.http import HttpClient, retry_after_seconds
from connectors.xero.auth import XeroAuth, XeroTokens
from connectors.xero.config import XeroConfig

T = TypeVar("T")

_DEFAULT_WAIT_SECONDS = 60.0


def rate_limit_wait(response: requests.Response) -> float:
    """Xero's 429 policy: give up on the day limit, else wait ``Retry-After`` (a minute if absent)."""
    if response.headers.get("X-Rate-Limit-Problem", "").lower() == "day":
        raise RateLimitExhausted("xero: the organisation's daily API limit is spent; resume after it resets")
    wait = retry_after_seconds(response)
    return _DEFAULT_WAIT_SECONDS if wait is None else wait


def if_modified_since(epoch_ms: int) -> str:
    """``If-Modified-Since`` as Xero wants it: UTC, whole seconds (milliseconds get rejected)."""
    return datetime.fromtimestamp(epoch_ms // 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")


class XeroClient:
    """One Xero organisation: shared by every stream so they share tokens and one rate budget."""

    def __init__(self, config: XeroConfig) -> None:
        self.config = config
        self.tokens = XeroTokens(config, rate_limit_wait)
        limiter = config.http.limiter(config.requests_per_minute, 60.0, max_in_flight=config.max_in_flight)
        self.http = HttpClient(
            "xero",
            config.http,
            rate_limit_policy=rate_limit_wait,
            limiter=limiter,
            auth=XeroAuth(self.tokens),
            secrets=(config.client_secret, config.refresh_token),
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
                _, connections = self.http.request("GET", self.config.connections_url)
                organisations = [c for c in connections or [] if c.get("tenantType") == "ORGANISATION"]
                if not organisations:
                    raise ConnectorError("xero: the app is connected to no organisation; authorise one")
                self._tenant_id = str(organisations[0]["tenantId"])
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
