"""Fault storm, crash and concurrency tests: the ``stress`` marker and the storm summary.

Tests marked ``stress`` (the long storm, the many-seed crash loop) are deselected unless the
``-m`` expression names them (``make stress`` runs ``pytest -m stress``), so neither ``make test``
nor ``-m "not slow"`` pays for them. Whatever a storm or crash test records with the
``stress_summary`` fixture is printed at the end of the session, passed or not: the figures
(runs, faults, retries, rows compared) are the point of running them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

# The clean reference warehouse is built by the dbt tests' own helpers (dbt_warehouse.py).
sys.path.insert(0, str(Path(__file__).parents[1] / "dbt"))

_SUMMARY = pytest.StashKey[list[str]]()
_TABLE = pytest.StashKey[list[dict[str, object]]]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "stress" in (config.getoption("markexpr") or ""):
        return
    deselected = [item for item in items if item.get_closest_marker("stress")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("stress")]


@pytest.fixture
def stress_summary(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """``stress_summary(line)``: print ``line`` in the session's terminal summary."""
    return request.config.stash.setdefault(_SUMMARY, []).append


@pytest.fixture
def stress_table(request: pytest.FixtureRequest) -> Callable[[dict[str, object]], None]:
    """``stress_table(row)``: one row (column -> value) of the table printed after the summary."""
    return request.config.stash.setdefault(_TABLE, []).append


def _table(rows: list[dict[str, object]]) -> list[str]:
    columns = list(dict.fromkeys(column for row in rows for column in row))
    cells = [[str(row.get(column, "")) for column in columns] for row in rows]
    widths = [max(len(column), *(len(line[i]) for line in cells)) for i, column in enumerate(columns)]

    def render(values: list[str]) -> str:
        return "| " + " | ".join(v.rjust(w) for v, w in zip(values, widths, strict=True)) + " |"

    return [render(columns), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(render, cells)]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    lines = config.stash.get(_SUMMARY, [])
    rows = config.stash.get(_TABLE, [])
    if lines or rows:
        terminalreporter.section("fault storm, crash and concurrency figures")
        for line in [*lines, *(_table(rows) if rows else [])]:
            terminalreporter.write_line(line)
