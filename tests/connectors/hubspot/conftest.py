"""A real sandbox per test module (tests that advance its clock must not disturb others)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from connectors.base import Stream
from connectors.http import HttpSettings
from connectors.hubspot import HubspotConfig, hubspot_streams
from connectors.sandbox.config import SandboxConfig
from connectors.sandbox.server import Sandbox, run_sandbox

SANDBOX = SandboxConfig(seed=11, scale=0.05, as_of=date(2025, 6, 30))


@pytest.fixture(scope="module")
def module_sandbox() -> Iterator[Sandbox]:
    with run_sandbox(SANDBOX, port=0) as sandbox:
        yield sandbox


@pytest.fixture
def sb(module_sandbox: Sandbox) -> Iterator[Sandbox]:
    """The module's sandbox; faults and the search cap are put back after each test."""
    yield module_sandbox
    module_sandbox.faults.reset()
    module_sandbox.hubspot_search_cap = 10_000


@pytest.fixture
def config(sb: Sandbox, fast_http: HttpSettings) -> HubspotConfig:
    return HubspotConfig(
        access_token=sb.credentials.hubspot_access_token, base_url=sb.hubspot_base_url, http=fast_http
    )


@pytest.fixture
def streams(config: HubspotConfig) -> dict[str, Stream]:
    return {stream.name: stream for stream in hubspot_streams(config)}
