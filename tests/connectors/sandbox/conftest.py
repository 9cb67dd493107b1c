"""Fixtures for the sandbox server tests: one real server per module, over the real simulation.

The business is ``SimulatedBusiness`` at a small scale (fast to build, still thousands of records);
token and rate-limit time runs on a ``FakeClock`` the tests step by hand.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from server_clients import SERVER_CONFIG, FakeClock, HubspotClient, XeroClient

from connectors.sandbox.server import Sandbox, run_sandbox


@pytest.fixture(scope="module")
def token_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="module")
def sandbox(token_clock: FakeClock) -> Iterator[Sandbox]:
    with run_sandbox(SERVER_CONFIG, clock=token_clock) as running:
        yield running


@pytest.fixture
def sb(sandbox: Sandbox) -> Iterator[Sandbox]:
    """The module's sandbox, with faults, limits and the search cap put back after each test."""
    yield sandbox
    sandbox.faults.reset()
    sandbox.hubspot_search_cap = 10_000


@pytest.fixture
def hubspot(sb: Sandbox) -> HubspotClient:
    return HubspotClient(sb)


@pytest.fixture(scope="module")
def xero_module(sandbox: Sandbox) -> XeroClient:
    return XeroClient(sandbox)


@pytest.fixture
def xero(sb: Sandbox, xero_module: XeroClient) -> XeroClient:
    """A Xero client holding a live access token (refreshed if a test let the last one expire)."""
    xero_module.refresh()
    return xero_module
