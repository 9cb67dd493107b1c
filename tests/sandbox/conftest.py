"""Sandbox server tests: the shared family (tests/conftest.py) over a larger business, with token
and rate-limit time on a ``FakeClock`` the tests step by hand, plus raw HTTP clients.
"""

from __future__ import annotations

import pytest
from fake_clock import FakeClock
from server_clients import SERVER_CONFIG, ConnectwiseClient, HubspotClient, XeroClient

from sandbox.service.server import Sandbox
from sandbox.simulation.config import SandboxConfig


@pytest.fixture(scope="module")
def sandbox_config() -> SandboxConfig:
    return SERVER_CONFIG


@pytest.fixture(scope="module")
def token_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def hubspot(sb: Sandbox) -> HubspotClient:
    return HubspotClient(sb)


@pytest.fixture(scope="module")
def xero_module(module_sandbox: Sandbox) -> XeroClient:
    return XeroClient(module_sandbox)


@pytest.fixture
def xero(sb: Sandbox, xero_module: XeroClient) -> XeroClient:
    """A Xero client holding a live access token (refreshed if a test let the last one expire)."""
    xero_module.refresh()
    return xero_module


@pytest.fixture
def connectwise(sb: Sandbox) -> ConnectwiseClient:
    return ConnectwiseClient(sb)
