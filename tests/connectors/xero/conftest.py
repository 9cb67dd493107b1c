"""Xero connector tests: the shared sandbox family (tests/conftest.py), token time on a fake clock
so expiry and grace are stepped."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fake_clock import FakeClock

from connectors.base import Stream
from connectors.http import HttpSettings
from connectors.xero import XeroConfig, xero_streams
from sandbox.service.server import Sandbox
from sandbox.simulation.config import SandboxConfig


@pytest.fixture(scope="module")
def sandbox_config() -> SandboxConfig:
    return SandboxConfig(seed=5, scale=0.05, as_of=date(2025, 6, 30))


@pytest.fixture(scope="module")
def token_clock() -> FakeClock:
    return FakeClock(start=50_000.0)


@pytest.fixture
def make_config(sb: Sandbox, fast_http: HttpSettings, tmp_path: Path) -> Callable[..., XeroConfig]:
    """``make_config(**overrides)``: a config pointing at the sandbox, its token store in tmp_path."""

    def make(**overrides: Any) -> XeroConfig:
        credentials = sb.credentials
        settings: dict[str, Any] = {
            "client_id": credentials.xero_client_id,
            "client_secret": credentials.xero_client_secret,
            "refresh_token": credentials.xero_refresh_token,
            "token_store_path": tmp_path / "xero_token.json",
            "api_url": sb.xero_api_url,
            "token_url": sb.xero_token_url,
            "connections_url": sb.xero_connections_url,
            "requests_per_minute": 10_000,
            "http": fast_http,
        }
        return XeroConfig(**(settings | overrides))

    return make


@pytest.fixture
def streams(make_config: Callable[..., XeroConfig]) -> dict[str, Stream]:
    return {stream.name: stream for stream in xero_streams(make_config())}
