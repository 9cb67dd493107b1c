"""The instance's event log storage: Dagster's SQLite files, written without an fsync per event by
``make demo`` alone, and Dagster's stock storage whenever the private API it stands on changes."""

from __future__ import annotations

import sqlite3
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
import yaml
from dagster._core.storage.event_log import SqliteEventLogStorage

from dagster_project.cli import event_log
from dagster_project.cli.demo import open_demo_instance
from dagster_project.cli.event_log import HELD_DATABASES, BufferedSqliteEventLogStorage
from dagster_project.cli.instance import ensure_dagster_home, ensure_demo_home

PRIVATE_MODULE = "dagster._core.storage.event_log"


@dg.asset
def counted() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"rows": 3})


@pytest.fixture
def home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A fresh ``DAGSTER_HOME``."""
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture
def instance(home: Path) -> Iterator[dg.DagsterInstance]:
    """The instance ``make demo`` opens in ``home``."""
    with open_demo_instance() as opened:
        yield opened


def event_log_storage(home: Path) -> object:
    """The ``event_log_storage`` section of ``home``'s instance config (None: Dagster's default)."""
    return yaml.safe_load((home / "dagster.yaml").read_text()).get("event_log_storage")


def test_the_demo_uses_it_in_dagsters_own_place(instance: dg.DagsterInstance, home: Path) -> None:
    storage = instance.event_log_storage
    assert isinstance(storage, BufferedSqliteEventLogStorage)
    assert Path(storage._base_dir) == home / "history" / "runs", "the run history `make dev` already reads"


def test_everything_else_gets_dagsters_stock_storage(instance: dg.DagsterInstance, home: Path) -> None:
    """Once the demo's instance is open, the home holds the stock config again: ``make dev``, its
    daemon and schedules, or a ``dagster`` command in a shell never load the private subclass."""
    assert event_log_storage(home) is None
    with dg.DagsterInstance.get() as other:
        assert type(other.event_log_storage) is SqliteEventLogStorage
    ensure_demo_home()  # a demo killed before it opened its instance leaves the buffered config ...
    assert event_log_storage(home) is not None
    ensure_dagster_home()  # ... which `make dev` replaces
    assert event_log_storage(home) is None


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


class WithoutConnect:
    """``SqliteEventLogStorage`` after an upgrade that renamed ``_connect``."""

    def __init__(self, base_dir: str, inst_data: object = None) -> None:
        self.base_dir = base_dir


def upgraded_module(storage_class: type | None) -> types.ModuleType:
    """Dagster's private event log module as an upgrade might leave it: ``storage_class`` in place of
    ``SqliteEventLogStorage``, or no such class at all."""
    module = types.ModuleType(PRIVATE_MODULE)
    module.__dict__.update(vars(sys.modules[PRIVATE_MODULE]))
    del module.SqliteEventLogStorage
    if storage_class is not None:
        module.SqliteEventLogStorage = storage_class  # type: ignore[attr-defined]
    return module


@pytest.mark.parametrize(
    ("storage_class", "reason"),
    [(None, "ImportError"), (WithoutConnect, "WithoutConnect._connect is gone")],
    ids=["class-gone", "connect-gone"],
)
def test_after_an_upgrade_the_demo_says_so_once_and_runs_on_stock_storage(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    home: Path,
    storage_class: type | None,
    reason: str,
) -> None:
    ensure_demo_home()  # a home left with the buffered config (a killed demo, an earlier version)
    assert event_log_storage(home) is not None
    monkeypatch.setitem(sys.modules, PRIVATE_MODULE, upgraded_module(storage_class))
    monkeypatch.delitem(sys.modules, event_log.__name__)  # imported afresh, against the upgrade

    with open_demo_instance() as instance:
        note = capsys.readouterr().out.splitlines()
        assert len(note) == 1 and reason in note[0] and "stock event log storage" in note[0]
        assert event_log_storage(home) is None
        assert type(instance.event_log_storage) is SqliteEventLogStorage
        run = dg.materialize([counted], instance=instance)
        assert run.success
        assert instance.get_latest_materialization_event(counted.key) is not None
