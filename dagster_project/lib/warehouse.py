"""Open the DuckDB warehouse, turning "another process holds it" into an error a person can act on.

DuckDB allows one process to hold a database file read-write (or several to hold it read-only).
Inside one Dagster run the ``duckdb`` pool keeps writers apart, but nothing stops a second run --
a schedule firing during ``make demo``, a UI launch during a backfill -- from starting in another
process. Its first open of the file then fails with DuckDB's ``IO Error: Could not set lock on
file ... Conflicting lock is held in <exe> (PID n)``, which says what broke but not what to do.
That failure is harmless (nothing was written: the open itself is refused), so the right answer is
to stop at once and say so clearly, not to retry behind the user's back while the other run may
take many minutes.

Dagster-free on purpose: resources, the CLI and tests all open the warehouse through here, and
get the other "cannot use this file" messages too (``warehouse_file``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from dagster_project.lib.warehouse_file import ensure_writable_dir, incompatible_version

_LOCK_CONFLICT = "Could not set lock on file"
_HOLDER_PID = re.compile(r"\(PID (\d+)\)")


class WarehouseBusyError(RuntimeError):
    """Another process holds the warehouse file; ``pid`` is that process when DuckDB names it."""

    def __init__(self, path: Path, pid: int | None) -> None:
        holder = f"another process (pid {pid})" if pid is not None else "another process"
        super().__init__(f"the warehouse {path} is in use by {holder}: wait for it to finish, then run again")
        self.path = path
        self.pid = pid


def busy_error(path: Path, error: duckdb.Error) -> WarehouseBusyError | None:
    """The :class:`WarehouseBusyError` that ``error`` means, or ``None`` if it is another failure."""
    message = str(error)
    if _LOCK_CONFLICT not in message:
        return None
    holder = _HOLDER_PID.search(message)
    return WarehouseBusyError(path, int(holder.group(1)) if holder else None)


@contextmanager
def open_warehouse(path: Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the warehouse at ``path``, closed on exit so the next writer can take the file.

    A read-write open first makes sure the directory exists and is writable. Raises
    :class:`WarehouseBusyError` when another process holds the file and ``WarehouseFileError``
    when it cannot be used (an unwritable directory, a file from an incompatible DuckDB); every
    other DuckDB error passes through unchanged.
    """
    if not read_only:
        ensure_writable_dir(path.parent, "the warehouse")
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        explained = busy_error(path, exc) or incompatible_version(path, exc)
        if explained is None:
            raise
        raise explained from exc
    with con:
        yield con
