"""Opening the warehouse while another process holds it: one clear error, nothing else changed."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from dagster_project.lib.warehouse import WarehouseBusyError, busy_error, open_warehouse

HOLD = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("create table if not exists t as select 1 as x")
print("holding", flush=True)
sys.stdin.read()
"""


@pytest.fixture
def held(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """A warehouse another process holds read-write until the test ends: (path, that pid)."""
    path = tmp_path / "data" / "warehouse.duckdb"
    path.parent.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
    yield path, holder.pid
    holder.communicate("", timeout=30)


@pytest.mark.parametrize("read_only", [False, True], ids=["read-write", "read-only"])
def test_a_held_warehouse_names_itself_and_the_holder(held: tuple[Path, int], read_only: bool) -> None:
    path, pid = held
    with pytest.raises(WarehouseBusyError) as raised, open_warehouse(path, read_only=read_only):
        pass
    assert str(raised.value) == (
        f"the warehouse {path} is in use by another process (pid {pid}): "
        "wait for it to finish, then run again"
    )
    assert raised.value.pid == pid


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
