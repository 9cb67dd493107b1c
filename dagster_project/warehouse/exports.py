"""Write marts from the DuckDB warehouse to Parquet files that BI tools (Evidence) read directly.

Why Parquet and not the warehouse: DuckDB takes one writer at a time, and a dashboard that holds
the ``.duckdb`` file open breaks the daily run. So every run hands the marts over as files, and
nothing outside the pipeline ever opens the warehouse.

Column types are fixed by one policy (:func:`export_column_sql`), so a file's schema only changes
when the mart's dbt contract does:

- dates stay ``date32``, timestamps ``timestamp[us]`` (UTC, as in the warehouse), integers, doubles,
  booleans and strings keep their width;
- **money (every DECIMAL) becomes float64.** The consumers are JavaScript charts (Evidence runs
  DuckDB-WASM and Apache Arrow JS in the browser), which compute in IEEE doubles and render Arrow
  decimals as scaled integers; a double is what every BI tool sums and formats without surprises.
  Nothing is lost at the marts' scale: DuckDB's decimal-to-double cast is correctly rounded (pyarrow's
  is not -- hence the cast happens in SQL), and a ``DECIMAL(18,2)`` below 10^13 (15 significant
  digits) converts back to the same decimal. The warehouse stays the exact system of record.

Each mart is streamed from DuckDB in record batches straight into a ``ParquetWriter`` (zstd), so a
large mart never sits in memory whole, let alone twice.

**One export is one set, published at once.** The files of a run are read together (a dashboard
page joins them), so a reader must see all of one run's files or all of the previous run's, never
some of each. Renaming each file into place one by one cannot promise that: between two renames,
or after a kill or a full disk between them, the folder holds a mix. So each run writes a new
*generation* -- every mart and its ``manifest.json`` -- into a hidden folder
``<export dir>/generations/.<generation>.tmp``, fsyncs it, renames it to
``generations/<generation>`` and then publishes it by swapping one pointer: the symlink
``<export dir>/current`` (relative, so the folder can be moved) is replaced by a new symlink with
``os.replace``, a single atomic rename. Anything that fails before that swap -- a kill, a full disk,
a query error -- leaves ``current`` and the set it names exactly as they were.

Why a symlink rather than the manifest as the pointer: the dashboard (Evidence) and most BI tools
read fixed file paths and cannot follow a list in a manifest, while every tool follows a symlink.
A reader that wants one whole set resolves ``current`` once (:func:`published`) and reads from
that folder; ``make dashboard`` links ``reports/exports`` to it for the same reason.

The newest :data:`GENERATIONS_KEPT` generations are kept, so a reader still reading the previous
set when the next one is published is not cut off; older ones are deleted. A killed export's hidden
folder (and the ``.<mart>.parquet.*.tmp`` files the earlier one-file-at-a-time export left) are
swept by the next export. Exports into one directory take turns under a file lock, so one never
sweeps another's work in progress. An ``OSError`` while writing (``ENOSPC`` above all) is re-raised
naming the file being written and the export directory.

Dagster-free on purpose: the export assets call it, tests call it on small real warehouses.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from dagster_project import settings
from dagster_project.warehouse.connection import open_warehouse
from dagster_project.warehouse.dated_dirs import dated_name, prune_oldest

MANIFEST_FILE = "manifest.json"
CURRENT = "current"
"""The symlink naming the published generation; readers go through it."""
GENERATIONS = "generations"
GENERATIONS_KEPT = 2
"""The published generation and the one before it, which a slow reader may still be reading."""
TEMPORARY = ".*.tmp"
"""Hidden work in progress: a generation being written, a pointer being swapped, legacy temp files."""
LOCK_FILE = ".lock"
COMPRESSION = "zstd"
BATCH_ROWS = 128 * 1024
"""Rows per record batch (and Parquet row group): bounded memory, row groups large enough to scan well."""


def export_dir() -> Path:
    """``MILEMARKER_EXPORT_DIR`` (default ``<data dir>/exports``): where the export generations go."""
    return settings._path_from_env("MILEMARKER_EXPORT_DIR", settings.data_dir() / "exports")


@dataclass(frozen=True)
class Mart:
    """A mart to export: its name (the file is ``<name>.parquet``) and its relation in the warehouse."""

    name: str
    schema: str
    table: str

    @property
    def relation(self) -> str:
        """``schema.table`` in the warehouse, e.g. ``marts.fct_deals``."""
        return f"{self.schema}.{self.table}"

    @property
    def sql(self) -> str:
        """The relation quoted for SQL."""
        return f"{_quote(self.schema)}.{_quote(self.table)}"

    @property
    def file_name(self) -> str:
        return f"{self.name}.parquet"


@dataclass(frozen=True)
class DbtRun:
    """The dbt invocation that built a mart, as the manifest records it."""

    invocation_id: str | None
    as_of_date: date | None


@dataclass(frozen=True)
class ExportedMart:
    """What one export wrote."""

    mart: Mart
    path: Path
    rows: int
    bytes: int
    schema: pa.Schema
    dbt_run: DbtRun

    def manifest_entry(self) -> dict[str, object]:
        """This export as an entry of ``manifest.json`` (paths relative to the manifest)."""
        return {
            "mart": self.mart.name,
            "relation": self.mart.relation,
            "path": self.path.name,
            "rows": self.rows,
            "bytes": self.bytes,
            "columns": [{"name": field.name, "type": str(field.type)} for field in self.schema],
            "as_of_date": self.dbt_run.as_of_date.isoformat() if self.dbt_run.as_of_date else None,
            "dbt_invocation_id": self.dbt_run.invocation_id,
        }


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def export_column_sql(name: str, duckdb_type: str) -> str:
    """The select-list item that exports one column under the type policy (DECIMAL -> DOUBLE)."""
    quoted = _quote(name)
    if duckdb_type.upper().startswith("DECIMAL"):
        return f"cast({quoted} as double) as {quoted}"
    return quoted


def export_query(con: duckdb.DuckDBPyConnection, relation: str) -> str:
    """``select`` of every column of ``relation`` (quoted SQL) in table order, money cast to double."""
    columns = con.sql(f"select * from {relation} limit 0")
    items = [
        export_column_sql(name, str(dtype))
        for name, dtype in zip(columns.columns, columns.types, strict=True)
    ]
    return f"select {', '.join(items)} from {relation}"


def _fsync(path: Path) -> None:
    """Flush ``path`` (a file, or a folder's entries) to disk: after a power cut, ``current`` must not
    name a generation whose files the kernel had not written yet."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_batches(reader: pa.RecordBatchReader, target: Path) -> int:
    """Stream ``reader`` into the Parquet file ``target`` and flush it to disk; returns the row count.

    Not atomic by itself: it writes into a generation no reader sees until it is published.
    """
    rows = 0
    with pq.ParquetWriter(target, reader.schema, compression=COMPRESSION) as writer:
        for batch in reader:
            writer.write_batch(batch)
            rows += batch.num_rows
    _fsync(target)
    return rows


def export_mart(
    con: duckdb.DuckDBPyConnection, mart: Mart, directory: Path, dbt_run: DbtRun, batch_rows: int = BATCH_ROWS
) -> ExportedMart:
    """Write ``mart`` to ``directory/<name>.parquet``, streamed in record batches."""
    target = directory / mart.file_name
    reader = con.sql(export_query(con, mart.sql)).to_arrow_reader(batch_rows)
    rows = write_batches(reader, target)
    return ExportedMart(
        mart=mart,
        path=target,
        rows=rows,
        bytes=target.stat().st_size,
        schema=reader.schema,
        dbt_run=dbt_run,
    )


def write_manifest(
    directory: Path, exported: Sequence[ExportedMart], generated_at: datetime, generation: str
) -> Path:
    """Write ``manifest.json`` describing ``exported`` (sorted by mart name) and its generation."""
    target = directory / MANIFEST_FILE
    manifest = {
        "generation": generation,
        "generated_at": generated_at.isoformat(),
        "marts": [e.manifest_entry() for e in sorted(exported, key=lambda e: e.mart.name)],
    }
    target.write_text(json.dumps(manifest, indent=2) + "\n")
    _fsync(target)
    return target


def published(directory: Path) -> Path:
    """The generation folder ``directory/current`` names: read a whole set from here.

    Resolve it once and read every file under the folder returned, rather than opening
    ``current/<file>`` file by file: an export may publish in between.
    """
    try:
        return directory / os.readlink(directory / CURRENT)
    except FileNotFoundError:
        message = f"nothing has been exported to {directory} yet: run the pipeline (make demo) first"
        raise FileNotFoundError(message) from None


def published_files(directory: Path) -> list[Path]:
    """The Parquet files of the published generation in ``directory``, as its manifest lists them."""
    generation = published(directory)
    manifest = json.loads((generation / MANIFEST_FILE).read_text())
    return [generation / entry["path"] for entry in manifest["marts"]]


@contextmanager
def _naming(path: Path, directory: Path) -> Iterator[None]:
    """Re-raise an ``OSError`` with the path being written and the export directory in its message.

    A full disk otherwise surfaces as pyarrow's bare ``[errno 28] No space left on device``, which
    says neither where nor that the published set is still whole.
    """
    try:
        yield
    except OSError as error:
        message = (
            f"exporting {path} failed (export directory {directory}; "
            f"the published export is unchanged): {error.strerror or error}"
        )
        raise (OSError(error.errno, message) if error.errno else OSError(message)) from error


def _remove(path: Path) -> None:
    """Best effort: what stays behind is swept by the next export."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


@contextmanager
def _exclusive(directory: Path) -> Iterator[None]:
    """Hold the export directory's lock: exports into it take turns (released even by a kill)."""
    with (directory / LOCK_FILE).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _sweep(directory: Path) -> None:
    """Remove what killed exports left: hidden ``*.tmp`` folders and files, and the set the
    one-file-at-a-time export published at the top level (so a tool still reading it fails
    loudly instead of showing numbers that no longer change)."""
    for leftover in [*directory.glob(TEMPORARY), *(directory / GENERATIONS).glob(TEMPORARY)]:
        _remove(leftover)
    legacy_manifest = directory / MANIFEST_FILE
    if legacy_manifest.exists():
        for entry in json.loads(legacy_manifest.read_text())["marts"]:
            (directory / entry["path"]).unlink(missing_ok=True)
        legacy_manifest.unlink()


def _write_generation(
    warehouse: Path,
    marts: Sequence[tuple[Mart, DbtRun]],
    folder: Path,
    directory: Path,
    generated_at: datetime,
    generation: str,
) -> list[ExportedMart]:
    """Every mart and the manifest into the new, unpublished ``folder``."""
    with _naming(folder, directory):
        folder.mkdir()
    exported = []
    with open_warehouse(warehouse, read_only=True) as con:
        for mart, dbt_run in marts:
            with _naming(folder / mart.file_name, directory):
                exported.append(export_mart(con, mart, folder, dbt_run))
    with _naming(folder / MANIFEST_FILE, directory):
        write_manifest(folder, exported, generated_at, generation)
        _fsync(folder)
    return exported


def _publish(folder: Path, generation: Path, directory: Path) -> None:
    """Rename the written ``folder`` to ``generation``, then point ``current`` at it in one rename."""
    with _naming(generation, directory):
        folder.rename(generation)
        _fsync(generation.parent)
    pointer = directory / CURRENT
    swap = directory / f".{CURRENT}.{secrets.token_hex(4)}.tmp"
    with _naming(pointer, directory):
        swap.symlink_to(generation.relative_to(directory))
        os.replace(swap, pointer)


def export_marts(
    warehouse: Path,
    marts: Sequence[tuple[Mart, DbtRun]],
    directory: Path,
    generated_at: datetime,
) -> list[ExportedMart]:
    """Export every mart from ``warehouse`` as a new generation in ``directory`` and publish it.

    The warehouse is opened read-only and closed before publishing, so the export never holds the
    writer lock dbt and the landing need. A mart gone from dbt is simply absent from the new
    generation: a dashboard still reading it fails loudly instead of showing frozen numbers.
    Returns the marts with the paths they are published under.
    """
    generations = directory / GENERATIONS
    with _naming(generations, directory):
        generations.mkdir(parents=True, exist_ok=True)
    with _exclusive(directory):
        _sweep(directory)
        name = dated_name(generated_at, secrets.token_hex(3))
        folder, generation = generations / f".{name}.tmp", generations / name
        try:
            exported = _write_generation(warehouse, marts, folder, directory, generated_at, name)
            _publish(folder, generation, directory)
        except BaseException:
            _remove(folder)
            _remove(generation)
            raise
        with _naming(directory / CURRENT, directory):
            _fsync(directory)
        others = [g for g in generations.iterdir() if g != generation and not g.name.startswith(".")]
        prune_oldest(others, GENERATIONS_KEPT - 1)
    return [replace(each, path=generation / each.path.name) for each in exported]
