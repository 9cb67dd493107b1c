"""Crash safety: SIGKILL the landing process at random points; streams land whole or not at all.

Two phases, each against its own sandbox: the first load into an empty warehouse, and an
incremental run over that load after the business moved on twenty days. For each, a clean
reference run in the test process gives the "before" and "after" states. A seeded kill (see
``crash.py``) then interrupts a landing child, and the test holds the survivor to the issue:

- the warehouse opens (DuckDB replays or discards its write-ahead log);
- every stream's cursor is its before or its after cursor, and the stream's tables are in exactly
  the state that cursor describes (never ahead of its data, never behind it);
- the next run completes, and the warehouse then equals the clean run's: no gap, no duplicate.

``make test`` kills once per phase; ``make stress`` kills eight times per phase.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from crash import NOTHING, STREAM_TABLES, Snapshot, kill_during_landing, land_all, snapshot, torn_streams
from warehouse_compare import differences

from sandbox.service.server import Sandbox, run_sandbox
from sandbox.simulation.config import SandboxConfig

SANDBOX = SandboxConfig(seed=5, scale=0.05, as_of=date(2026, 11, 23))
ADVANCE_DAYS = 20


def token_time() -> float:
    """The sandboxes' token clock, stopped: each kill starts from the configured Xero refresh token,
    which a long ``make stress`` session would otherwise see expire (30 minutes after rotation)."""
    return 0.0


@dataclass(frozen=True)
class Phase:
    sandbox: Sandbox
    start: Path | None
    """The warehouse the phase starts from (copied), ``None`` for an empty one."""
    before: Snapshot
    after: Snapshot
    requests: int
    """API requests a clean run of the phase takes: the range kills are drawn from."""


@pytest.fixture(scope="module")
def phases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Phase]]:
    references = tmp_path_factory.mktemp("crash-references")
    first, later = references / "first" / "warehouse.duckdb", references / "later" / "warehouse.duckdb"
    first.parent.mkdir()
    later.parent.mkdir()
    with (
        run_sandbox(SANDBOX, port=0, clock=token_time) as day_one,
        run_sandbox(SANDBOX, port=0, clock=token_time) as moved_on,
    ):
        moved_on.advance(ADVANCE_DAYS)
        first_requests = land_all(day_one, first)
        shutil.copy(first, later)
        later_requests = land_all(moved_on, later)
        loaded = snapshot(first)
        yield {
            "first-load": Phase(day_one, None, NOTHING, loaded, first_requests),
            "incremental": Phase(moved_on, first, loaded, snapshot(later), later_requests),
        }


def crash_and_recover(
    phases: dict[str, Phase], name: str, seed: int, workdir: Path, summary: Callable[[str], None]
) -> None:
    phase = phases[name]
    warehouse = workdir / "warehouse.duckdb"
    if phase.start is not None:
        shutil.copy(phase.start, warehouse)
    aim = kill_during_landing(phase.sandbox, warehouse, random.Random(f"{name}:{seed}"), phase.requests)

    crashed = snapshot(warehouse)  # opens read-write: a WAL that cannot be replayed fails here
    torn = torn_streams(crashed, phase.before, phase.after)
    moved = sum(crashed.cursors.get(key) != phase.before.cursors.get(key) for key in phase.after.cursors)
    summary(f"crash {name} seed={seed}: killed {aim}; {moved} of {len(STREAM_TABLES)} cursors had moved")
    assert torn == {}, aim

    land_all(phase.sandbox, warehouse)
    recovered = snapshot(warehouse)
    assert differences(recovered.tables, phase.after.tables) == {}, aim
    assert recovered.cursors == phase.after.cursors, aim


@pytest.mark.slow
@pytest.mark.parametrize(("phase", "seed"), [("first-load", 1), ("incremental", 2)])
def test_a_killed_landing_leaves_whole_streams_and_the_next_run_completes(
    phases: dict[str, Phase], phase: str, seed: int, tmp_path: Path, stress_summary: Callable[[str], None]
) -> None:
    crash_and_recover(phases, phase, seed, tmp_path, stress_summary)


@pytest.mark.stress
@pytest.mark.parametrize("phase", ["first-load", "incremental"])
@pytest.mark.parametrize("seed", range(100, 108))
def test_many_killed_landings_leave_whole_streams(
    phases: dict[str, Phase], phase: str, seed: int, tmp_path: Path, stress_summary: Callable[[str], None]
) -> None:
    crash_and_recover(phases, phase, seed, tmp_path, stress_summary)
