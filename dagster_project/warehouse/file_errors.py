"""Two ways a healthy machine cannot open the warehouse, turned into errors that say what to do.

DuckDB's own messages for these name neither the file nor the way out: a directory the run cannot
write ends in an ``IO Error`` about a ``.wal`` or a lock file, and a file written by an
incompatible DuckDB release ends in "storage version number N". Both need an owner to act, so the
error names the path, the cause and the remedy. A missing data directory is not an error: it is
created (a first run on a new machine must just work).

Meant for :func:`dagster_project.warehouse.connection.open_warehouse` (next to its busy-file check), so
every opener -- resources, CLI, tests -- gets the same messages.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import duckdb

_STORAGE_VERSION = re.compile(
    r"storage version number (\d+).*?storage versions between (\d+) and (\d+)", re.S
)


class WarehouseFileError(RuntimeError):
    """The warehouse (or its directory) cannot be used; the message names the path and the remedy."""


def ensure_writable_dir(directory: Path, what: str) -> Path:
    """Create ``directory`` (and parents) if missing; raise naming it if this user cannot write it."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise WarehouseFileError(
            f"cannot create the directory {directory} for {what} ({error.strerror}); create it, or "
            "point MILEMARKER_DATA_DIR at a writable directory"
        ) from None
    try:  # a real write, not os.access(): root passes access() where a write still fails
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as error:
        raise WarehouseFileError(
            f"the directory {directory} for {what} is not writable ({error.strerror}); fix its "
            "permissions, or point MILEMARKER_DATA_DIR at a writable directory"
        ) from None
    return directory


def incompatible_version(path: Path, error: duckdb.Error) -> WarehouseFileError | None:
    """The :class:`WarehouseFileError` that ``error`` means, or ``None`` if it is another failure."""
    found = _STORAGE_VERSION.search(str(error))
    if found is None:
        return None
    version, low, high = found.groups()
    return WarehouseFileError(
        f"the warehouse {path} was written by an incompatible DuckDB release (storage version "
        f"{version}; DuckDB {duckdb.__version__} reads {low} to {high}). Move the file aside and run "
        "everything again (make demo, or materialize all assets): every raw table and cursor is "
        "rebuilt from the APIs. To keep its contents, EXPORT DATABASE with the DuckDB release that "
        "wrote it and IMPORT DATABASE with this one."
    )
