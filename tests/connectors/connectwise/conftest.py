"""ConnectWise connector tests: the shared sandbox family (tests/conftest.py), a config builder."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from connectors.connectwise import ConnectWiseConfig
from connectors.http import HttpSettings
from sandbox.clients import connectwise_config
from sandbox.service.server import Sandbox
from sandbox.simulation.config import SandboxConfig


@pytest.fixture(scope="module")
def sandbox_config() -> SandboxConfig:
    """A PSA with two time entries entered before its day and hard-deleted in the week after (the
    sandbox deletes about 3 % of entries within five days of entry): the incremental test needs them."""
    return SandboxConfig(seed=11, scale=0.2, as_of=date(2025, 6, 13))


@pytest.fixture
def make_config(sb: Sandbox, fast_http: HttpSettings) -> Callable[..., ConnectWiseConfig]:
    """``make_config(**overrides)``: the sandbox's PSA, its waits on virtual time."""

    def make(**overrides: Any) -> ConnectWiseConfig:
        return ConnectWiseConfig(**({**vars(connectwise_config(sb)), "http": fast_http} | overrides))

    return make
