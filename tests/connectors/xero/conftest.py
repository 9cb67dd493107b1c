"""A real sandbox per test module; token time on a fake clock so expiry and grace are stepped."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from connectors.base import Stream
from connectors.http import HttpSettings
from connectors.sandbox.config import SandboxConfig
from connectors.sandbox.server import Sandbox, run_sandbox
from connectors.xero import XeroConfig, xero_streams

SANDBOX = SandboxConfig(seed=5, scale=0.05, as_of=date(2025, 6, 30))


class TokenClock:
    """The sandbox's token/rate-limit clock: moves only when a test says so."""

    def __init__(self) -> None:
        self.now = 50_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def token_clock() -> TokenClock:
    return TokenClock()


@pytest.fixture(scope="module")
def module_sandbox(token_clock: TokenClock) -> Iterator[Sandbox]:
    with run_sandbox(SANDBOX, port=0, clock=token_clock) as sandbox:
        yield sandbox


@pytest.fixture
def sb(module_sandbox: Sandbox) -> Iterator[Sandbox]:
    yield module_sandbox
    module_sandbox.faults.reset()


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
