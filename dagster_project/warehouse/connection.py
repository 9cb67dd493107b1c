"""Open the DuckDB warehouse, turning "another process holds it" into an error a person can act on.

DuckDB allows one process to hold a database file read-write (or several to hold it read-only).
Inside one Dagster run steps execute one at a time, in process, but nothing stops a second run --
a schedule firing during ``make demo``, a UI launch during a backfill -- from starting in another
process. Its first open of the file then fails with DuckDB's ``IO Error: Could not set lock on
file ... Conflicting lock is held in <exe> (PID n)``, which says what broke but not what to do.
That failure is harmless (nothing was written: the open itself is refused).

A run that finds the file held waits for it, for a bounded time, and says so: every
:data:`REPORT_EVERY_SECONDS` it reports which process holds the file and how long it has waited,
and after ``wait_seconds`` it gives up with :class:`WarehouseBusyError` naming the holder. Waiting
on DuckDB's own lock (rather than a Dagster concurrency pool) cannot wedge: the lock is the
operating system's, released the moment its holder exits, however it dies -- a SIGKILLed run, an
OOM kill or a reboot leaves nothing behind for the next run to wait on.

Dagster-free on purpose: resources, the CLI and tests all open the warehouse through here, and
get the other "cannot use this file" messages too (``warehouse_file``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from dagster_project.warehouse.file_errors import ensure_writable_dir, incompatible_version

_LOCK_CONFLICT = "Could not set lock on file"
_HOLDER_PID = re.compile(r"\(PID (\d+)\)")
POLL_SECONDS = 0.5
"""How often a waiting open tries the file again."""
_UNSHOWN = re.compile(r"[\s=]")
"""An argument with a space or an ``=`` is code or a setting, not a command name: never shown."""
REPORT_EVERY_SECONDS = 5.0
"""How often a waiting open says what it waits for (a wait shorter than this stays silent)."""


def holder_description(pid: int | None) -> str:
    """``another process (pid 123: python dbt build)``: the holder and, where ``/proc`` tells, its
    command.

    Only the program and its first two arguments are shown, paths by their last part, short words
    only: enough to tell a run from a dbt build or a DuckDB shell, too little to carry an argument
    that might be a secret.
    """
    if pid is None:
        return "another process"
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return f"another process (pid {pid})"
    words = (Path(word).name for word in argv[:3])
    command = " ".join(word for word in words if 0 < len(word) <= 40 and not _UNSHOWN.search(word))
    return f"another process (pid {pid}: {command})" if command else f"another process (pid {pid})"


class WarehouseBusyError(RuntimeError):
    """Another process holds the warehouse file; ``pid`` is that process when DuckDB names it."""

    def __init__(self, path: Path, pid: int | None, waited_seconds: float = 0.0) -> None:
        waited = f" (waited {waited_seconds:.0f} s)" if waited_seconds >= 0.5 else ""
        super().__init__(
            f"the warehouse {path} is in use by {holder_description(pid)}{waited}: wait for it to "
            "finish, then run again"
        )
        self.path = path
        self.pid = pid


def busy_error(path: Path, error: duckdb.Error, waited_seconds: float = 0.0) -> WarehouseBusyError | None:
    """The :class:`WarehouseBusyError` that ``error`` means, or ``None`` if it is another failure."""
    message = str(error)
    if _LOCK_CONFLICT not in message:
        return None
    holder = _HOLDER_PID.search(message)
    return WarehouseBusyError(path, int(holder.group(1)) if holder else None, waited_seconds)


def _connect_waiting(
    path: Path, read_only: bool, wait_seconds: float, on_wait: Callable[[str], None] | None
) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect``, retried while another process holds the file, for at most ``wait_seconds``."""
    started = time.monotonic()
    reported = started
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as exc:
            now = time.monotonic()
            busy = busy_error(path, exc, now - started)
            if busy is None or now - started >= wait_seconds:
                raise
            if on_wait is not None and now - reported >= REPORT_EVERY_SECONDS:
                reported = now
                on_wait(
                    f"waiting for the warehouse {path}: it is in use by {holder_description(busy.pid)} "
                    f"(waited {now - started:.0f} s of at most {wait_seconds:.0f} s)"
                )
        time.sleep(min(POLL_SECONDS, max(wait_seconds - (time.monotonic() - started), 0.0)))


@contextmanager
def open_warehouse(
    path: Path,
    *,
    read_only: bool = False,
    wait_seconds: float = 0.0,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the warehouse at ``path``, closed on exit so the next writer can take the file.

    A read-write open first makes sure the directory exists and is writable. While another process
    holds the file it waits up to ``wait_seconds`` (none by default: interactive readers should
    not hang), telling ``on_wait`` every few seconds what it waits for. Raises
    :class:`WarehouseBusyError` when the file is still held after that and ``WarehouseFileError``
    when it cannot be used (an unwritable directory, a file from an incompatible DuckDB); every
    other DuckDB error passes through unchanged.
    """
    if not read_only:
        ensure_writable_dir(path.parent, "the warehouse")
    started = time.monotonic()
    try:
        con = _connect_waiting(path, read_only, wait_seconds, on_wait)
    except duckdb.Error as exc:
        explained = busy_error(path, exc, time.monotonic() - started) or incompatible_version(path, exc)
        if explained is None:
            raise
        raise explained from exc
    with con:
        yield con
