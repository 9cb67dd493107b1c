"""One fixture family for every test that talks to a running sandbox.

A directory says which business it needs by overriding ``sandbox_config`` and, when its tests step
token expiry or rate-limit windows by hand, ``token_clock``. Each test module gets its own server
(``module_sandbox``): tests that advance its clock or script faults must not disturb other modules.
``sb`` is that server with faults and the search cap put back after each test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pytest

from sandbox.hubspot.api import SEARCH_RESULT_CAP
from sandbox.service.server import Sandbox, run_sandbox
from sandbox.simulation.config import SandboxConfig


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """End-to-end modules first, then the other slow ones, then the rest: ``make test`` hands whole
    modules to its workers in this order, so the modules that take many minutes start at once
    instead of leaving one worker busy alone at the end."""
    slow_modules = {item.path for item in items if item.get_closest_marker("slow") is not None}
    # stable: each module keeps its own order
    items.sort(key=lambda item: (item.path not in slow_modules, item.path.parent.name != "e2e"))


@pytest.fixture(scope="module")
def sandbox_config() -> SandboxConfig:
    """A small business: fast to build, still thousands of records."""
    return SandboxConfig(seed=11, scale=0.05, as_of=date(2025, 6, 30))


@pytest.fixture(scope="module")
def token_clock() -> Callable[[], float] | None:
    """Token and rate-limit time: the wall clock unless a directory steps it by hand."""
    return None


@pytest.fixture(scope="module")
def module_sandbox(
    sandbox_config: SandboxConfig, token_clock: Callable[[], float] | None
) -> Iterator[Sandbox]:
    options = {} if token_clock is None else {"clock": token_clock}
    with run_sandbox(sandbox_config, port=0, **options) as sandbox:
        yield sandbox


@pytest.fixture
def sb(module_sandbox: Sandbox) -> Iterator[Sandbox]:
    """The module's sandbox; faults and the search cap are put back after each test."""
    yield module_sandbox
    module_sandbox.faults.reset()
    module_sandbox.hubspot_search_cap = SEARCH_RESULT_CAP
