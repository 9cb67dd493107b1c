"""A small sandbox with the real rate limits, and an environment pointing ``connect``/``doctor`` at it."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.service.faults import FaultProfile
from sandbox.service.limits import HubspotLimits, XeroLimits
from sandbox.service.server import ENV_NAMES, Sandbox
from sandbox.simulation.config import SandboxConfig

CONFIG = SandboxConfig(seed=11, scale=0.05)
LIMITS = FaultProfile(hubspot_limits=HubspotLimits(), xero_limits=XeroLimits())
"""With limits on, the sandbox sends the vendors' rate-limit headers."""


def point_at(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Credentials and URLs of ``sandbox`` as if they were a real account's; files under ``tmp_path``."""
    for name in (*ENV_NAMES, "XERO_AUTHORIZE_URL", "XERO_GRANT_TYPE", "MILEMARKER_DUCKDB"):
        monkeypatch.delenv(name, raising=False)
    for name, value in sandbox.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("XERO_AUTHORIZE_URL", sandbox.xero_authorize_url)
    monkeypatch.setenv("MILEMARKER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))


def as_custom_connection(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    """After :func:`point_at`: the sandbox's Custom Connection instead of its web app, as documented
    (``XERO_GRANT_TYPE=client_credentials``, no ``XERO_REFRESH_TOKEN``)."""
    monkeypatch.setenv("XERO_GRANT_TYPE", "client_credentials")
    monkeypatch.setenv("XERO_CLIENT_ID", sandbox.credentials.xero_custom_client_id)
    monkeypatch.setenv("XERO_CLIENT_SECRET", sandbox.credentials.xero_custom_client_secret)
    monkeypatch.delenv("XERO_REFRESH_TOKEN")
