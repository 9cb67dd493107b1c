"""Building a real warehouse from the sandbox, and reading it: what the ``sandbox_warehouse`` fixture uses.

Every dbt truth test needs the same expensive thing: a simulated business served over real HTTP,
every HubSpot and Xero stream landed by the production landing code, and ``dbt build`` run over the
result. It is built once per session into a temporary DuckDB file (its own dbt target and log
directories too, so several engineers and the Dagster project never share dbt's partial-parse
state). Tests then read the marts read-only and compare them to ``truth`` -- the simulation's own
ground truth at the same clock, never numbers recomputed from the served JSON.

The business is small and fixed (seed 7, scale 0.3, as of 2026-11-23: two reps, ~60 leads a month,
almost four years of history) so the whole build takes about two minutes on two cores.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from dagster_project.goals.landing import land_goals, load_goals_file
from dagster_project.loader.landing import land_stream
from dagster_project.settings import DBT_PROJECT_DIR, SHIPPED_GOALS_FILE
from sandbox.clients import sandbox_streams
from sandbox.service.server import run_sandbox
from sandbox.simulation.config import SandboxConfig

SANDBOX_CONFIG = SandboxConfig(seed=7, scale=0.3, as_of=date(2026, 11, 23))
"""The business every dbt truth test is held to."""


@dataclass(frozen=True)
class SandboxWarehouse:
    """A built warehouse: where it is, the date it was built as of, and the truth it must match."""

    path: Path
    as_of: date
    truth: Mapping[str, Any]
    """``SimulatedBusiness.truth()`` at the same clock; ``truth["realised"]`` holds the exact series."""

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of ``sql`` over a read-only connection (opened per call: nothing stays locked)."""
        with duckdb.connect(str(self.path), read_only=True) as con:
            return con.execute(sql, list(params)).fetchall()

    def records(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Like :meth:`query`, each row as a column-name -> value dict."""
        with duckdb.connect(str(self.path), read_only=True) as con:
            cursor = con.execute(sql, list(params))
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def land_sandbox(
    config: SandboxConfig, warehouse: Path, scratch: Path, goals_file: Path = SHIPPED_GOALS_FILE
) -> dict[str, Any]:
    """Serve ``config``'s business, land every stream and ``goals_file`` (by default the project's
    goals.yml) into ``warehouse``.

    Returns the business's truth.
    """
    with run_sandbox(config, port=0) as sandbox, duckdb.connect(str(warehouse)) as con:
        for stream in sandbox_streams(sandbox, scratch / "xero_token.json"):
            land_stream(con, stream)
        land_goals(con, load_goals_file(goals_file))
        return dict(sandbox.business.truth())


def dbt_build(
    warehouse: Path, as_of: date | None, scratch: Path, select: Sequence[str] = (), command: str = "build"
) -> None:
    """``dbt build`` into ``warehouse`` as of ``as_of``; fails naming what broke. ``as_of`` None
    passes no ``--vars`` at all, as a person running dbt by hand would.

    ``select`` narrows the build to those dbt selectors (default: the whole project). ``command``
    ``"run"`` builds the models alone, without dbt's tests (half the time, for tests that only
    compare rows; the seeds must be loaded first, with ``"seed"``).

    dbt runs in a child process rather than through ``dbtRunner``: dbt-duckdb keeps its DuckDB
    instance open in the process after ``invoke`` returns, so the tests' own (read-only) connections
    would be refused; a finished child has released the file.
    """
    target = scratch / "target"
    argv = [
        str(Path(sys.executable).with_name("dbt")),
        command,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target),
        "--log-path",
        str(scratch / "logs"),
        *(["--vars", json.dumps({"as_of_date": as_of.isoformat()})] if as_of else []),
        *(["--select", *select] if select else []),
    ]
    env = {**os.environ, "MILEMARKER_DUCKDB": str(warehouse)}
    finished = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if finished.returncode == 0:
        return
    results = target / "run_results.json"
    if not results.exists():
        output = (finished.stdout + finished.stderr)[-8000:]
        pytest.fail(f"dbt build could not run:\n{output}", pytrace=False)
    broken = [
        f"{node['unique_id']}: {node['status']} {node.get('message') or ''}".strip()
        for node in json.loads(results.read_text())["results"]
        if node["status"] in {"error", "fail"}
    ]
    pytest.fail("dbt build failed:\n  " + "\n  ".join(broken), pytrace=False)
