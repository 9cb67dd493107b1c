"""Concurrency: a second run while one is writing waits, then fails clearly; export readers see
whole files.

DuckDB lets one process hold the warehouse. A landing child (``child.py land``, kept busy by a
sandbox that answers every request slowly) holds it while a real Dagster run of ``land_raw``
starts in the test process: every step of that run must wait, then fail with the message naming the
file and the child's pid, nothing of it may reach the file, and the child must finish a warehouse identical
to a clean run's.

Exports are published as whole sets behind the ``current`` symlink. A reader loop in the test
process reads every Parquet file and the manifest through it while a child exports again and again,
and must only ever see complete files (and must have seen several versions, or it raced nothing).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from crash import CHILD, LandingChild, land_all, snapshot
from storm import SkippedWaits, sandbox_resources, step_errors
from warehouse_compare import differences

from dagster_project.definitions import defs as load_definitions
from dagster_project.defs.jobs import LAND_RAW
from dagster_project.defs.resources import WarehouseResource
from dagster_project.warehouse.exports import CURRENT, MANIFEST_FILE
from sandbox.service.faults import FaultKind, FaultProfile
from sandbox.service.server import run_sandbox
from sandbox.simulation.config import SandboxConfig

SANDBOX = SandboxConfig(seed=5, scale=0.05, as_of=date(2026, 11, 23))
SLOW = FaultProfile(rates={FaultKind.SLOW: 1.0}, slow_seconds=0.3)
"""Every request takes 0.3 s until the second run is over: the first keeps writing meanwhile."""
BUSY_WAIT = 1
"""Seconds each step of the second run waits for the file before it gives up (600 by default)."""
EXPORT_TABLES = {"wide_mart": 150_000, "narrow_mart": 30_000, "empty_mart": 0}
EXPORTS = 8


@pytest.mark.slow
def test_a_second_run_fails_clearly_while_another_process_writes(
    tmp_path: Path, stress_summary: Callable[[str], None]
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    job = load_definitions().resolve_job_def(LAND_RAW)
    with run_sandbox(SANDBOX, port=0, faults=SLOW) as sandbox:
        child = LandingChild(sandbox, warehouse)
        try:
            child.wait_for_commit(timeout=120)
            resources = sandbox_resources(sandbox, warehouse, SkippedWaits())
            resources["warehouse"] = WarehouseResource(path=str(warehouse), busy_wait_seconds=BUSY_WAIT)
            second = job.execute_in_process(resources=resources, raise_on_error=False)
            first_still_writing = child.process.poll() is None
        finally:
            sandbox.faults.reset()  # full speed again: let the first run finish
            returncode = child.finish(timeout=600)
        reference = tmp_path / "reference" / "warehouse.duckdb"
        reference.parent.mkdir()
        land_all(sandbox, reference)

    assert first_still_writing, "the first run finished before the second tried the warehouse"
    # the wait is the time actually waited, whole seconds: on a loaded machine a step may wait longer
    busy = re.compile(
        re.escape(
            f"the warehouse {warehouse} is in use by another process (pid {child.process.pid}: python "
            "child.py land) (waited "
        )
        + r"\d+ s\): wait for it to finish, then run again"
    )
    errors = step_errors(second)
    stress_summary(f"concurrency: {len(errors)} steps of the second run refused: {busy.pattern}")
    assert not second.success
    assert second.get_step_success_events() == []
    assert errors and all(any(busy.search(error) for error in chain) for chain in errors.values()), errors
    assert returncode == 0
    landed, clean = snapshot(warehouse), snapshot(reference)
    assert differences(landed.tables, clean.tables) == {}
    assert landed.cursors == clean.cursors


def make_marts(warehouse: Path) -> None:
    """A few mart-like tables, large enough that writing one takes a while."""
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        for name, rows in EXPORT_TABLES.items():
            con.execute(
                f"""create table marts.{name} as
                    select i as id, i * 1.5 as amount, 'row ' || i as label,
                           date '2026-01-01' + cast(i % 365 as integer) as day
                    from range({rows}) t(i)"""
            )


@pytest.mark.slow
def test_export_readers_only_ever_see_whole_files(
    tmp_path: Path, stress_summary: Callable[[str], None]
) -> None:
    warehouse, exports = tmp_path / "warehouse.duckdb", tmp_path / "exports"
    make_marts(warehouse)
    writer = subprocess.Popen(
        [sys.executable, str(CHILD), "export", str(warehouse), str(exports), str(EXPORTS)],
        stdout=subprocess.DEVNULL,
    )
    versions: defaultdict[str, set[int]] = defaultdict(set)
    reads = 0
    try:
        while writer.poll() is None:
            for name, rows in EXPORT_TABLES.items():
                path = exports / CURRENT / f"{name}.parquet"
                try:
                    with path.open("rb") as handle:  # one open file: the version read is the version checked
                        versions[name].add(os.fstat(handle.fileno()).st_ino)
                        assert pq.read_table(handle).num_rows == rows
                except FileNotFoundError:
                    continue  # not written yet
                reads += 1
            manifest = exports / CURRENT / MANIFEST_FILE
            if manifest.exists():
                assert {entry["mart"] for entry in json.loads(manifest.read_text())["marts"]} == set(
                    EXPORT_TABLES
                )
    finally:
        writer.wait(timeout=600)
    stress_summary(
        f"exports: {reads} reads of files being replaced, "
        f"{sum(map(len, versions.values()))} versions seen, none torn"
    )
    assert writer.returncode == 0
    assert all(len(seen) >= 3 for seen in versions.values()), "the reader never overlapped the writer"
