"""Killing a landing process on purpose, and what the warehouse must look like afterwards.

A landing child (``child.py land``) is started against a sandbox served by the test process and
SIGKILLed at a point drawn from a seeded RNG: after a random number of API requests (almost always
mid-stream, inside a landing transaction), or a few milliseconds after a random stream committed
(the next stream's first writes, or the checkpoint when the connection closes). The sandbox's
request counter and the child's ``committed`` lines are how the kill is aimed.
"""

from __future__ import annotations

import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from warehouse_compare import Fingerprint, fingerprints

from connectors.registry import SOURCES
from dagster_project.loader.landing import land_stream
from dagster_project.warehouse.connection import open_warehouse
from sandbox.clients import sandbox_streams
from sandbox.service.server import Sandbox

CHILD = Path(__file__).with_name("child.py")
STREAM_TABLES: dict[tuple[str, str], tuple[str, ...]] = {
    (catalog.source, stream.name): tuple(f"{catalog.raw_schema}.{table.name}" for table in stream.tables)
    for catalog in (source.catalog for source in SOURCES)
    for stream in catalog.streams
}
"""(vendor, stream) -> the raw tables it commits together with its cursor."""
EMPTY = Fingerprint(rows=0, digest=0)
"""A table the first load has not created yet compares as an empty one."""


@dataclass(frozen=True)
class Snapshot:
    """A warehouse's raw tables (fingerprints) and stored cursors."""

    tables: Mapping[str, Fingerprint]
    cursors: Mapping[tuple[str, str], str]

    def table(self, name: str) -> Fingerprint:
        return self.tables.get(name, EMPTY)


NOTHING = Snapshot(tables={}, cursors={})


def snapshot(warehouse: Path) -> Snapshot:
    """Open the warehouse read-write first (so a crashed one replays its WAL as a run would)."""
    with open_warehouse(warehouse) as con:
        exists = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'raw_meta'"
        ).fetchone()[0]
        query = "select vendor, stream, state from raw_meta.stream_state"
        rows = con.execute(query).fetchall() if exists else []
    tables = fingerprints(warehouse, tuple(source.catalog.raw_schema for source in SOURCES))
    return Snapshot(tables=tables, cursors={(vendor, stream): state for vendor, stream, state in rows})


def land_all(sandbox: Sandbox, warehouse: Path) -> int:
    """Land every stream in the test process (the clean run, or the run after a crash); returns the
    number of API requests it took."""
    before = sandbox.stats()["requests_total"]
    with open_warehouse(warehouse) as con:
        for stream in sandbox_streams(sandbox, warehouse.parent / "xero_token.json"):
            land_stream(con, stream)
    return sandbox.stats()["requests_total"] - before


class LandingChild:
    """A running ``child.py land`` process and the streams it has committed so far."""

    def __init__(self, sandbox: Sandbox, warehouse: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(CHILD), "land", str(warehouse)],
            env={**os.environ, **sandbox.env()},
            stdout=subprocess.PIPE,
            text=True,
        )
        self._lines: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.committed = 0

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("committed"):
                self._lines.put(line)

    def poll_commits(self) -> int:
        """How many streams the child has committed (reads what it printed since the last call)."""
        while not self._lines.empty():
            self._lines.get()
            self.committed += 1
        return self.committed

    def wait_for_commit(self, timeout: float) -> None:
        """Block until the child committed its first stream: from then on it is writing."""
        self._lines.get(timeout=timeout)
        self.committed += 1

    def kill(self) -> int:
        """SIGKILL the child (a no-op if it already exited); returns its exit status."""
        self.process.send_signal(signal.SIGKILL)
        return self.finish()

    def finish(self, timeout: float | None = None) -> int:
        returncode = self.process.wait(timeout)
        self._reader.join()
        return returncode


def kill_during_landing(sandbox: Sandbox, warehouse: Path, rng: random.Random, requests: int) -> str:
    """Start a landing child and SIGKILL it at a random point; returns where it was aimed."""
    if rng.random() < 0.5:
        after_requests, after_commit, jitter = rng.randint(1, requests), None, 0.0
        aim = f"after {after_requests} of ~{requests} requests"
    else:
        after_requests, after_commit, jitter = None, rng.randrange(len(STREAM_TABLES)), rng.uniform(0, 0.02)
        aim = f"{jitter * 1000:.0f} ms after commit {after_commit + 1} of {len(STREAM_TABLES)}"
    start = sandbox.stats()["requests_total"]
    child = LandingChild(sandbox, warehouse)
    while child.process.poll() is None:
        if after_requests is not None and sandbox.stats()["requests_total"] - start >= after_requests:
            break
        if after_commit is not None and child.poll_commits() > after_commit:
            time.sleep(jitter)
            break
        time.sleep(0.002)
    returncode = child.kill()
    return aim if returncode == -signal.SIGKILL else f"{aim}: the child had finished ({returncode})"


def torn_streams(crashed: Snapshot, before: Snapshot, after: Snapshot) -> dict[str, str]:
    """Streams the crash left in neither their before nor their after state (empty when none).

    A stream's cursor must be its before or its after cursor, and every table of the stream must
    be in the state that cursor describes: a cursor ahead of its data, or tables ahead of their
    cursor, is exactly what one transaction per stream exists to prevent.
    """
    torn = {}
    for key, tables in STREAM_TABLES.items():
        name = "/".join(key)
        cursor = crashed.cursors.get(key)
        candidates = [s for s in (after, before) if s.cursors.get(key) == cursor]
        if not candidates:
            torn[name] = "cursor is neither the one before nor the one after"
        elif not any(all(crashed.table(t) == s.table(t) for t in tables) for s in candidates):
            torn[name] = "tables do not match the state of the stored cursor"
    return torn
