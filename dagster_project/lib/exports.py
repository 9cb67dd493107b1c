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
large mart never sits in memory whole, let alone twice. It is written to a hidden temporary file in
the export directory and ``os.replace``'d over the old one: a reader sees the previous file or the
new one, never half a file, and an export that fails midway leaves the previous file untouched.

Dagster-free on purpose: the export assets call it, tests call it on small real warehouses.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from dagster_project.lib import settings
from dagster_project.lib.warehouse import open_warehouse

MANIFEST_FILE = "manifest.json"
COMPRESSION = "zstd"
BATCH_ROWS = 128 * 1024
"""Rows per record batch (and Parquet row group): bounded memory, row groups large enough to scan well."""


def export_dir() -> Path:
    """``MILEMARKER_EXPORT_DIR`` (default ``<data dir>/exports``): where the Parquet files and manifest go."""
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


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target`` that replaces it on success and disappears on failure.

    Same directory, so ``os.replace`` is a rename on one file system: atomic for every reader. The
    file gets the usual permissions (``0666`` less the umask), not ``mkstemp``'s private ``0600``:
    a dashboard may well run as another user.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    temporary = Path(name)
    try:
        yield temporary
        temporary.chmod(0o644)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def write_batches(reader: pa.RecordBatchReader, target: Path) -> int:
    """Stream ``reader`` into the Parquet file ``target`` (atomically); returns the row count."""
    rows = 0
    # The writer closes (footer written) before atomic_path renames the file into place.
    with (
        atomic_path(target) as temporary,
        pq.ParquetWriter(temporary, reader.schema, compression=COMPRESSION) as writer,
    ):
        for batch in reader:
            writer.write_batch(batch)
            rows += batch.num_rows
    return rows


def export_mart(
    con: duckdb.DuckDBPyConnection, mart: Mart, directory: Path, dbt_run: DbtRun, batch_rows: int = BATCH_ROWS
) -> ExportedMart:
    """Write ``mart`` to ``directory/<name>.parquet``, streamed in record batches."""
    target = directory / f"{mart.name}.parquet"
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


def write_manifest(directory: Path, exported: Sequence[ExportedMart], generated_at: datetime) -> Path:
    """Write ``manifest.json`` (atomically) describing ``exported``, sorted by mart name."""
    target = directory / MANIFEST_FILE
    manifest = {
        "generated_at": generated_at.isoformat(),
        "marts": [e.manifest_entry() for e in sorted(exported, key=lambda e: e.mart.name)],
    }
    with atomic_path(target) as temporary:
        temporary.write_text(json.dumps(manifest, indent=2) + "\n")
    return target


def listed_files(directory: Path) -> set[str]:
    """The Parquet files the manifest in ``directory`` lists (none without a manifest)."""
    manifest = directory / MANIFEST_FILE
    if not manifest.exists():
        return set()
    return {entry["path"] for entry in json.loads(manifest.read_text())["marts"]}


def export_marts(
    warehouse: Path,
    marts: Sequence[tuple[Mart, DbtRun]],
    directory: Path,
    generated_at: datetime,
) -> list[ExportedMart]:
    """Export every mart from ``warehouse`` into ``directory``, then write the manifest.

    The warehouse is opened read-only and closed before returning, so the export never holds the
    writer lock dbt and the landing need. Files an earlier manifest listed for marts that are gone
    (dropped or renamed in dbt) are removed once the new manifest is in place, so a dashboard
    still reading one fails loudly instead of showing frozen numbers; other files are left alone.
    """
    previous = listed_files(directory)
    with open_warehouse(warehouse, read_only=True) as con:
        exported = [export_mart(con, mart, directory, dbt_run) for mart, dbt_run in marts]
    write_manifest(directory, exported, generated_at)
    for name in previous - {each.path.name for each in exported}:
        (directory / name).unlink(missing_ok=True)
    return exported
