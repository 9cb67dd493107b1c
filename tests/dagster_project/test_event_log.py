"""The instance's event log storage: Dagster's SQLite files, written without an fsync per event."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from dagster_project.cli.event_log import HELD_DATABASES, BufferedSqliteEventLogStorage
from dagster_project.cli.instance import ensure_dagster_home

MATERIALIZED = dg.DagsterEventType.ASSET_MATERIALIZATION.value


@dg.asset
def counted() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"rows": 3})


@pytest.fixture
def home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A fresh ``DAGSTER_HOME`` holding our instance config, as ``make demo`` prepares it."""
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    return ensure_dagster_home()


@pytest.fixture
def instance(home: Path) -> Iterator[dg.DagsterInstance]:
    with dg.DagsterInstance.get() as opened:
        yield opened


def test_the_instance_config_selects_it_in_dagsters_own_place(
    instance: dg.DagsterInstance, home: Path
) -> None:
    storage = instance.event_log_storage
    assert isinstance(storage, BufferedSqliteEventLogStorage)
    assert Path(storage._base_dir) == home / "history" / "runs", "the run history `make dev` already reads"


def test_events_survive_the_process_and_idle_connections_stay_bounded(
    instance: dg.DagsterInstance, home: Path
) -> None:
    runs = [dg.materialize([counted], instance=instance) for _ in range(HELD_DATABASES + 2)]
    storage = instance.event_log_storage
    assert isinstance(storage, BufferedSqliteEventLogStorage)
    assert len(storage._held) <= HELD_DATABASES

    instance.dispose()
    assert not storage._held
    for run in runs:  # read back with plain sqlite: committed, complete, not stuck in a cache
        with sqlite3.connect(home / "history" / "runs" / f"{run.run_id}.db") as con:
            stored = con.execute(
                "SELECT count(*) FROM event_logs WHERE dagster_event_type = 'ASSET_MATERIALIZATION'"
            )
            assert stored.fetchone() == (1,)
    with dg.DagsterInstance.get() as reopened:
        latest = reopened.get_latest_materialization_event(counted.key)
        assert latest is not None and latest.run_id == runs[-1].run_id
