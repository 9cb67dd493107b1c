"""ConnectWise PSA transport: Basic auth of the API member, the ``clientId`` header, pacing, 429s.

Every call sends ``Authorization: Basic base64(company+publicKey:privateKey)`` (requests builds it),
the integrator's ``clientId`` and an ``Accept`` that pins the response version. A 429 waits the
numeric ``Retry-After`` (a minute when absent: Cloudflare's answers may carry none); 5xx and
transport errors are retried by the shared session.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

import requests

from connectors.connectwise.config import ACCEPT, ConnectWiseConfig
from connectors.http import HttpClient, retry_after_seconds, server_says, server_time_ms

T = TypeVar("T")

_DEFAULT_WAIT_SECONDS = 60.0


def rate_limit_wait(response: requests.Response) -> float:
    """``Retry-After`` seconds, else a minute."""
    wait = retry_after_seconds(response)
    return _DEFAULT_WAIT_SECONDS if wait is None else wait


def advise(response: requests.Response) -> str:
    """What to do about a 401 or 403 (see :func:`connectors.http.status_error`)."""
    if response.status_code == 401:
        return (
            "ConnectWise refused the API keys: check CONNECTWISE_COMPANY_ID, CONNECTWISE_PUBLIC_KEY, "
            "CONNECTWISE_PRIVATE_KEY (an API member's keys, System > Members > API Members) and "
            "CONNECTWISE_CLIENT_ID (from the developer portal)"
        )
    if response.status_code == 403:
        return (
            f"ConnectWise says the API member may not read this ({server_says(response)}): give its security "
            "role Inquire access to Time, Service Desk, Project, Finance (agreements), Companies and System "
            "(members)"
        )
    return ""


class ConnectWiseClient:
    """One PSA site: shared by every stream so they share the session and one rate budget."""

    def __init__(self, config: ConnectWiseConfig) -> None:
        self.config = config
        self.http = HttpClient(
            "connectwise",
            config.http,
            rate_limit_policy=rate_limit_wait,
            limiter=config.http.limiter(config.requests_per_minute, 60.0),
            auth=requests.auth.HTTPBasicAuth(config.username, config.private_key),
            secrets=(config.private_key,),
            advise=advise,
        )
        self.headers = {"clientId": config.client_id, "Accept": ACCEPT}
        """Sent with every call: the integrator's ``clientId`` and the pinned response version."""

    def close(self) -> None:
        self.http.close()

    def get(
        self,
        path: str,
        *,
        decode: Callable[[bytes], T],
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[requests.Response, T]:
        """``GET {base_url}/{path}``: the response (``Link`` and ``Date`` headers) and the decoded body."""
        sent = {**self.headers, **(headers or {})}
        return self.http.request("GET", self.url(path), params=params, headers=sent, decode=decode)

    def server_now(self, path: str) -> datetime:
        """The PSA's clock: the ``Date`` header of a cheap ``{path}/count`` call. Windows and refresh
        intervals are measured on it, not on this machine's clock, so a site in another zone (or
        the sandbox at its simulated day) is read for the days it has."""
        response, _ = self.get(f"{path.rstrip('/')}/count", decode=lambda body: body)
        return datetime.fromtimestamp(server_time_ms(response) / 1000, tz=UTC)

    def url(self, path: str) -> str:
        return f"{self.config.base_url.rstrip('/')}/{path.lstrip('/')}"
