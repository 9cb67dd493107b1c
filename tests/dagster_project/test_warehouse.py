"""Opening the warehouse while another process holds it: a bounded, reported wait, then one clear
error naming the holder; nothing else changed."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from dagster_project.warehouse import connection
from dagster_project.warehouse.connection import WarehouseBusyError, busy_error, open_warehouse

HOLD = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("create table if not exists t as select 1 as x")
print("holding", flush=True)
sys.stdin.read()
"""


def hold(path: Path) -> subprocess.Popen[str]:
    """Another process holding ``path`` read-write until its stdin closes (or it is killed)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
    return holder


@pytest.fixture
def held(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """A warehouse another process holds read-write until the test ends: (path, that pid)."""
    path = tmp_path / "data" / "warehouse.duckdb"
    path.parent.mkdir()
    holder = hold(path)
    yield path, holder.pid
    holder.communicate("", timeout=30)


@pytest.mark.parametrize("read_only", [False, True], ids=["read-write", "read-only"])
def test_a_held_warehouse_names_itself_and_the_holder(held: tuple[Path, int], read_only: bool) -> None:
    path, pid = held
    with pytest.raises(WarehouseBusyError) as raised, open_warehouse(path, read_only=read_only):
        pass
    assert str(raised.value) == (
        f"the warehouse {path} is in use by another process (pid {pid}: python -c): "
        "wait for it to finish, then run again"
    )
    assert raised.value.pid == pid


def test_a_wait_reports_the_holder_and_gives_up_naming_it(
    held: tuple[Path, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, pid = held
    monkeypatch.setattr(connection, "REPORT_EVERY_SECONDS", 0.4)
    reports: list[str] = []
    with (
        pytest.raises(WarehouseBusyError) as raised,
        open_warehouse(path, wait_seconds=2, on_wait=reports.append),
    ):
        pass
    assert reports, "a wait of 2 s reported nothing"
    assert all(
        report.startswith(f"waiting for the warehouse {path}: it is in use by another process (pid {pid}: ")
        and report.endswith("of at most 2 s)")
        for report in reports
    ), reports
    assert f"(pid {pid}: python -c) (waited 2 s): wait for it to finish" in str(raised.value)


def test_a_wait_ends_as_soon_as_a_killed_holder_is_gone(tmp_path: Path) -> None:
    """The lock is the operating system's: SIGKILL frees it, and the waiting open gets the file."""
    path = tmp_path / "warehouse.duckdb"
    holder = hold(path)
    threading.Timer(1.0, holder.send_signal, [signal.SIGKILL]).start()
    with open_warehouse(path, wait_seconds=120) as con:
        assert con.execute("select x from t").fetchall() == [(1,)]
    assert holder.wait(timeout=30) == -signal.SIGKILL


def test_other_open_errors_pass_through_unchanged(tmp_path: Path) -> None:
    with (
        pytest.raises(duckdb.IOException, match="database does not exist"),
        open_warehouse(tmp_path / "missing.duckdb", read_only=True),
    ):
        pass


def test_a_lock_message_without_a_pid_still_reads_clearly(tmp_path: Path) -> None:
    error = busy_error(tmp_path / "w.duckdb", duckdb.IOException('Could not set lock on file "w.duckdb"'))
    assert error is not None and error.pid is None
    assert "is in use by another process: wait for it to finish" in str(error)
    assert busy_error(tmp_path / "w.duckdb", duckdb.IOException("disk full")) is None


def test_a_free_warehouse_opens_read_write_and_creates_its_directory(tmp_path: Path) -> None:
    path = tmp_path / "new" / "warehouse.duckdb"
    with open_warehouse(path) as con:
        con.execute("create table t as select 42 as x")
    with open_warehouse(path, read_only=True) as con:
        assert con.execute("select x from t").fetchall() == [(42,)]
