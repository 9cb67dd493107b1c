"""Connector settings pointed at a running sandbox, paced by the limits the sandbox enforces.

The connectors pace themselves for the real services (HubSpot 100 requests per 10 s, search 4 a
second; Xero 55 a minute) until the server reports its budget. A sandbox with its limits switched
off enforces none, so pacing for HubSpot's free tier there would only make the demo, the tests and
the benchmark wait on a limit nobody imposes. With limits switched on, the connectors get exactly
the sandbox's budgets, as they would read them from the real service's documentation.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from pathlib import Path

from connectors.base import Stream
from connectors.connectwise import ConnectWiseConfig, connectwise_streams
from connectors.hubspot import HubspotConfig, hubspot_streams
from connectors.xero import XeroConfig, xero_streams
from sandbox.service.server import Sandbox

UNLIMITED = 1_000_000
"""A budget no run reaches: what "no limit" means to a sliding-window limiter."""


def hubspot_config(sandbox: Sandbox) -> HubspotConfig:
    """HubSpot settings for ``sandbox``: its URL, its token, its burst and search budgets."""
    limits = sandbox.faults.profile.hubspot_limits
    return HubspotConfig(
        access_token=sandbox.credentials.hubspot_access_token,
        base_url=sandbox.hubspot_base_url,
        requests_per_ten_seconds=limits.ten_secondly if limits else UNLIMITED,
        search_requests_per_second=limits.search_per_second if limits else UNLIMITED,
    )


def xero_config(sandbox: Sandbox, token_store_path: Path) -> XeroConfig:
    """Xero settings for ``sandbox``; the rotating refresh token is kept in ``token_store_path``."""
    limits = sandbox.faults.profile.xero_limits
    credentials = sandbox.credentials
    return XeroConfig(
        client_id=credentials.xero_client_id,
        client_secret=credentials.xero_client_secret,
        refresh_token=credentials.xero_refresh_token,
        tenant_id=credentials.xero_tenant_id,
        api_url=sandbox.xero_api_url,
        token_url=sandbox.xero_token_url,
        connections_url=sandbox.xero_connections_url,
        token_store_path=token_store_path,
        requests_per_minute=limits.per_minute if limits else UNLIMITED,
        max_in_flight=limits.concurrent if limits else XeroConfig.max_in_flight,
    )


def connectwise_config(sandbox: Sandbox) -> ConnectWiseConfig:
    """ConnectWise PSA settings for ``sandbox``: its URL, its API member's keys, its pacing."""
    limits = sandbox.faults.profile.connectwise_limits
    credentials = sandbox.credentials
    return ConnectWiseConfig(
        company_id=credentials.connectwise_company_id,
        public_key=credentials.connectwise_public_key,
        private_key=credentials.connectwise_private_key,
        client_id=credentials.connectwise_client_id,
        base_url=sandbox.connectwise_base_url,
        requests_per_minute=limits.per_minute if limits else UNLIMITED,
    )


def sandbox_streams(sandbox: Sandbox, token_store_path: Path) -> list[Stream]:
    """Every HubSpot, Xero and ConnectWise stream, reading from ``sandbox``."""
    return [
        *hubspot_streams(hubspot_config(sandbox)),
        *xero_streams(xero_config(sandbox, token_store_path)),
        *connectwise_streams(connectwise_config(sandbox)),
    ]


def export_line(name: str, value: str) -> str:
    """One setting as ``serve`` prints it: a shell ``export`` line, quoted for pasting."""
    return f"export {name}={shlex.quote(value)}"


def parse_export_line(line: str) -> tuple[str, str] | None:
    """The setting in one line of ``serve``'s output (the inverse of :func:`export_line`), or None
    for any other line."""
    if not line.startswith("export "):
        return None
    name, _, quoted = line.removeprefix("export ").strip().partition("=")
    return name, "".join(shlex.split(quoted))


def env_streams(env: Mapping[str, str], token_store_path: Path) -> list[Stream]:
    """Every stream, reading from a sandbox known only by its ``env()`` lines (one another process
    serves, as ``python -m sandbox serve`` prints them), unpaced: such a sandbox runs
    with its limits off."""
    hubspot = HubspotConfig.from_env(
        env, requests_per_ten_seconds=UNLIMITED, search_requests_per_second=UNLIMITED
    )
    xero = XeroConfig.from_env(env, token_store_path, requests_per_minute=UNLIMITED)
    connectwise = ConnectWiseConfig.from_env(env, requests_per_minute=UNLIMITED)
    return [*hubspot_streams(hubspot), *xero_streams(xero), *connectwise_streams(connectwise)]
