"""HTTP clients shared by the sandbox server tests (imported by ``conftest.py``)."""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

import requests

from sandbox.service.server import Sandbox
from sandbox.simulation.config import SandboxConfig

SERVER_CONFIG = SandboxConfig(seed=7, scale=0.2, as_of=date(2025, 6, 30))
"""Small enough to build in seconds, big enough for many pages of every stream."""


class HubspotClient:
    """A thin authenticated session against the sandbox's HubSpot base URL."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.base = sandbox.hubspot_base_url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {sandbox.credentials.hubspot_access_token}"

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.session.get(self.base + path, params=params, timeout=30)

    def post(self, path: str, body: Any, **params: Any) -> requests.Response:
        return self.session.post(self.base + path, json=body, params=params, timeout=30)


class XeroClient:
    """Refreshes like a well-behaved connector (always the newest refresh token) and calls the API."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.session = requests.Session()
        self.refresh_token = sandbox.credentials.xero_refresh_token
        self.access_token = ""
        self.refresh()

    def token_request(self, refresh_token: str) -> requests.Response:
        credentials = self.sandbox.credentials
        return self.session.post(
            self.sandbox.xero_token_url,
            auth=(credentials.xero_client_id, credentials.xero_client_secret),
            data={"grant_type": "refresh_token", "refresh_token": refresh_token},
            timeout=30,
        )

    def refresh(self) -> dict[str, Any]:
        response = self.token_request(self.refresh_token)
        response.raise_for_status()
        grant = response.json()
        self.refresh_token, self.access_token = grant["refresh_token"], grant["access_token"]
        return grant

    def headers(self, **extra: str) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.access_token}",
            "xero-tenant-id": self.sandbox.credentials.xero_tenant_id,
            "Accept": "application/json",
        } | extra

    def get(self, path: str, headers: dict[str, str] | None = None, **params: Any) -> requests.Response:
        return self.session.get(
            self.sandbox.xero_api_url + path, params=params, headers=headers or self.headers(), timeout=30
        )


class ConnectwiseClient:
    """Basic auth (``company+public:private``) and ``clientId`` on every call, like the connector."""

    def __init__(self, sandbox: Sandbox) -> None:
        credentials = sandbox.credentials
        self.base = sandbox.connectwise_base_url
        login = (
            f"{credentials.connectwise_company_id}+{credentials.connectwise_public_key}:"
            f"{credentials.connectwise_private_key}"
        )
        self.headers = {
            "Authorization": "Basic " + base64.b64encode(login.encode()).decode(),
            "clientId": credentials.connectwise_client_id,
        }
        self.session = requests.Session()

    def get(self, path: str, headers: dict[str, str] | None = None, **params: Any) -> requests.Response:
        merged = self.headers if headers is None else headers
        return self.session.get(self.base + path, params=params, headers=merged, timeout=60)
