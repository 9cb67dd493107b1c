"""The ``sandbox_warehouse`` session fixture: the sandbox business landed, built with dbt, and its truth.

Built once per session (about two minutes on two busy cores); see ``dbt_warehouse`` for how.
Tests read marts with ``sandbox_warehouse.query(sql)`` and compare them to
``sandbox_warehouse.truth`` (``truth["realised"]`` for exact series, ``truth["parameters"]`` for rates).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from dbt_warehouse import SANDBOX_CONFIG, SandboxWarehouse, dbt_build, land_sandbox


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that needs the built warehouse is ``slow`` (``-m "not slow"`` skips the build)."""
    for item in items:
        if "sandbox_warehouse" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def sandbox_warehouse() -> Iterator[SandboxWarehouse]:
    """The sandbox business landed and built with dbt, as of ``SANDBOX_CONFIG.as_of`` (see module doc)."""
    with tempfile.TemporaryDirectory(prefix="milemarker-dbt-") as tmp:
        scratch = Path(tmp)
        warehouse = scratch / "warehouse.duckdb"
        truth = land_sandbox(SANDBOX_CONFIG, warehouse, scratch)
        dbt_build(warehouse, SANDBOX_CONFIG.as_of, scratch)
        yield SandboxWarehouse(path=warehouse, as_of=SANDBOX_CONFIG.as_of, truth=truth)
