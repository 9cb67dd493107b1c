"""The Parquet export on small real DuckDB files: type policy, streaming, manifest, and publishing
whole sets -- a reader never sees a mix, a failure or a kill leaves the published set whole."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dagster_project import settings
from dagster_project.warehouse.exports import (
    CURRENT,
    GENERATIONS,
    GENERATIONS_KEPT,
    MANIFEST_FILE,
    DbtRun,
    Mart,
    export_dir,
    export_mart,
    export_marts,
    published,
    published_files,
)

RUN = DbtRun(invocation_id="0f5a6c1e-1111-2222-3333-444455556666", as_of_date=date(2026, 11, 23))
TYPED, BIG = (Mart("typed", "marts", "typed"), RUN), (Mart("big", "marts", "big"), RUN)
MONEY = [Decimal("0.10"), Decimal("-2.25"), Decimal("1234567890.99"), Decimal("9999999999999.99"), None]
FX_AMOUNTS = [Decimal("0.12345678"), Decimal("-98765.43210987"), Decimal("1.00000001"), Decimal("0"), None]

EXPECTED_TYPES = {
    "id": pa.int64(),
    "small": pa.int32(),
    "day": pa.date32(),
    "occurred_at": pa.timestamp("us"),
    "amount": pa.float64(),
    "amount_home": pa.float64(),
    "rate": pa.float64(),
    "flag": pa.bool_(),
    "label": pa.string(),
}


def typed_table(con: duckdb.DuckDBPyConnection, relation: str = "marts.typed") -> None:
    """A mart with every column type the marts' contracts use, NULLs included."""
    con.execute("create schema if not exists marts")
    con.execute(
        f"""
        create or replace table {relation} (
            id bigint, small integer, day date, occurred_at timestamp, amount decimal(18,2),
            amount_home decimal(20,8), rate double, flag boolean, label varchar
        )"""
    )
    rows = [
        (1, 7, date(2026, 1, 31), datetime(2026, 1, 31, 23, 59, 59, 123456), *pair, 0.25, True, "Ünïcode")
        for pair in zip(MONEY, FX_AMOUNTS, strict=True)
    ]
    rows[-1] = (5, None, None, None, None, None, None, None, None)
    con.executemany(f"insert into {relation} values (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        typed_table(con)
        con.execute("create table marts.big as select range as n, range * 0.5 as half from range(1000)")
    return path


def test_types_follow_the_policy_and_values_survive(warehouse: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        exported = export_mart(con, Mart("typed", "marts", "typed"), tmp_path, RUN)
        expected = con.execute("select * from marts.typed order by id").fetchall()
    table = pq.read_table(exported.path)
    assert {field.name: field.type for field in table.schema} == EXPECTED_TYPES
    assert exported.rows == table.num_rows == len(expected) == 5
    # Money leaves as the correctly rounded double of the exact decimal.
    as_double = [tuple(float(v) if isinstance(v, Decimal) else v for v in row) for row in expected]
    assert [tuple(row.values()) for row in table.sort_by("id").to_pylist()] == as_double
    assert pq.ParquetFile(exported.path).metadata.row_group(0).column(0).compression == "ZSTD"


def test_a_large_mart_is_streamed_in_record_batches(warehouse: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        exported = export_mart(con, Mart("big", "marts", "big"), tmp_path, RUN, batch_rows=128)
    metadata = pq.ParquetFile(exported.path).metadata
    assert exported.rows == metadata.num_rows == 1000
    assert metadata.num_row_groups > 1  # one per batch: never the whole mart at once
    assert max(metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)) <= 1000 // 2


def snapshot(directory: Path) -> dict[str, bytes]:
    """The published set, byte for byte, keyed by the path each file is read under."""
    generation = published(directory)
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for path in [*published_files(directory), generation / MANIFEST_FILE]
    }


def leftovers(directory: Path) -> list[str]:
    """Hidden work in progress anywhere under the export directory (the lock file aside)."""
    return sorted(str(p.relative_to(directory)) for p in directory.rglob(".*") if p.name != ".lock")


def test_a_query_failing_inside_duckdb_mid_stream_leaves_the_published_set(
    warehouse: Path, tmp_path: Path
) -> None:
    out = tmp_path / "exports"
    export_marts(warehouse, [TYPED, BIG], out, datetime.now(UTC))
    before = snapshot(out)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("drop table marts.big")
        # DuckDB executes as the writer pulls batches: the error arrives after batches were written.
        con.execute(
            "create view marts.big as "
            "select case when range < 250000 then range else error('bad row') end as n from range(300000)"
        )
    with pytest.raises((duckdb.Error, OSError), match="bad row"):
        export_marts(warehouse, [TYPED, BIG], out, datetime.now(UTC))
    assert snapshot(out) == before
    assert leftovers(out) == []


def test_the_manifest_describes_every_file(warehouse: Path, tmp_path: Path) -> None:
    marts = [TYPED, (Mart("big", "marts", "big"), DbtRun(None, None))]
    generated_at = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    out = tmp_path / "exports"
    exported = export_marts(warehouse, marts, out, generated_at)

    generation = published(out)
    manifest = json.loads((generation / MANIFEST_FILE).read_text())
    assert manifest["generated_at"] == "2026-11-23T06:00:00+00:00"
    assert manifest["generation"] == generation.name
    entries = {entry["mart"]: entry for entry in manifest["marts"]}
    assert list(entries) == ["big", "typed"]
    typed = entries["typed"]
    assert typed["relation"] == "marts.typed"
    assert typed["rows"] == 5
    assert typed["bytes"] == (generation / typed["path"]).stat().st_size
    assert typed["as_of_date"] == "2026-11-23"
    assert typed["dbt_invocation_id"] == RUN.invocation_id
    assert [(c["name"], c["type"]) for c in typed["columns"]] == [
        (name, str(dtype)) for name, dtype in EXPECTED_TYPES.items()
    ]
    assert entries["big"]["as_of_date"] is None and entries["big"]["dbt_invocation_id"] is None
    assert (
        {e.path for e in exported}
        == set(published_files(out))
        == {generation / "big.parquet", generation / "typed.parquet"}
    )
    umask = os.umask(0)
    os.umask(umask)
    assert (generation / "typed.parquet").stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's 0600
    assert (out / CURRENT / "typed.parquet").read_bytes() == (generation / "typed.parquet").read_bytes()
    with duckdb.connect(str(warehouse)):  # the export closed its read-only connection
        pass


def test_nothing_is_published_before_the_first_export(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=f"nothing has been exported to {tmp_path} yet"):
        published(tmp_path)


def test_a_mart_gone_from_dbt_is_gone_from_the_next_set_but_other_files_stay(
    warehouse: Path, tmp_path: Path
) -> None:
    out = tmp_path / "exports"
    out.mkdir()
    (out / "notes.parquet").write_bytes(b"someone else's file")
    export_marts(warehouse, [TYPED, BIG], out, datetime.now(UTC))
    assert [p.name for p in published_files(out)] == ["big.parquet", "typed.parquet"]
    export_marts(warehouse, [TYPED], out, datetime.now(UTC))
    assert [p.name for p in published_files(out)] == ["typed.parquet"]
    assert not (out / CURRENT / "big.parquet").exists()
    assert (out / "notes.parquet").read_bytes() == b"someone else's file"


def test_old_generations_are_pruned_keeping_the_previous_one(warehouse: Path, tmp_path: Path) -> None:
    out, start = tmp_path / "exports", datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    generations = []
    for day in range(4):
        export_marts(warehouse, [TYPED], out, start + timedelta(days=day))
        generations.append(published(out).name)
    kept = sorted(p.name for p in (out / GENERATIONS).iterdir())
    assert GENERATIONS_KEPT == 2
    assert kept == generations[-2:]  # the published set and the one a slow reader may still be on
    assert os.readlink(out / CURRENT) == f"{GENERATIONS}/{generations[-1]}"  # relative: the folder can move


def test_the_one_file_at_a_time_layout_is_swept_on_the_first_export(warehouse: Path, tmp_path: Path) -> None:
    """What the earlier export left: a top-level set with its manifest, and a killed export's temp file."""
    out = tmp_path / "exports"
    out.mkdir()
    for name in ("typed.parquet", "gone.parquet", "notes.parquet"):
        (out / name).write_bytes(b"old")
    (out / MANIFEST_FILE).write_text(
        json.dumps({"marts": [{"path": "typed.parquet"}, {"path": "gone.parquet"}]})
    )
    (out / ".typed.parquet.k1ll3d.tmp").write_bytes(b"half a file")
    export_marts(warehouse, [TYPED], out, datetime.now(UTC))
    assert sorted(p.name for p in out.iterdir()) == [".lock", CURRENT, GENERATIONS, "notes.parquet"]


# --- failures while exporting --------------------------------------------------------------------

FAIL_ON = "big.parquet"
"""Both failure tests strike while writing the second of three marts."""
THREE = [TYPED, BIG, (Mart("typed_again", "marts", "typed"), RUN)]


def fail_writing(target: str, failure: BaseException) -> object:
    """A ``ParquetWriter.write_batch`` that raises ``failure`` once it writes the file named ``target``
    (or a temporary file named after it)."""
    original = pq.ParquetWriter.write_batch

    def write_batch(self: pq.ParquetWriter, batch: pa.RecordBatch, *args: object, **kwargs: object) -> None:
        if target in Path(self.where).name:
            raise failure
        original(self, batch, *args, **kwargs)

    return write_batch


def test_a_full_disk_names_the_file_and_folder_and_leaves_the_published_set(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "exports"
    export_marts(warehouse, THREE, out, datetime.now(UTC))
    before = snapshot(out)

    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(pq.ParquetWriter, "write_batch", fail_writing(FAIL_ON, full))
    with pytest.raises(OSError) as raised:
        export_marts(warehouse, THREE, out, datetime.now(UTC))

    assert raised.value.errno == errno.ENOSPC
    message = str(raised.value)
    writing = message.split(" failed")[0].removeprefix("[Errno 28] exporting ")
    assert Path(writing).name == FAIL_ON and Path(writing).is_relative_to(out)
    assert f"export directory {out};" in message and "No space left on device" in message
    assert snapshot(out) == before  # every file and the manifest, byte for byte
    assert leftovers(out) == []


def test_a_failing_pointer_swap_leaves_the_published_set(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "exports"
    export_marts(warehouse, THREE, out, datetime.now(UTC))
    before, generations = snapshot(out), sorted((out / GENERATIONS).iterdir())

    def full_disk(source: object, target: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError, match=f"exporting {out / CURRENT} failed \\(export directory {out};"):
        export_marts(warehouse, THREE, out, datetime.now(UTC))
    monkeypatch.undo()
    assert snapshot(out) == before
    assert sorted((out / GENERATIONS).iterdir()) == generations  # the unpublished one was removed
    export_marts(warehouse, THREE, out, datetime.now(UTC))  # and the swap's stray symlink is swept
    assert leftovers(out) == []


KILLED_EXPORT = """
import os, sys
from datetime import UTC, datetime
from pathlib import Path
import pyarrow.parquet as pq
from dagster_project.warehouse.exports import DbtRun, Mart, export_marts

def write_batch(self, batch, *args, **kwargs):
    if sys.argv[3] in Path(self.where).name:
        os._exit(9)  # as SIGKILL would: no cleanup runs
    original(self, batch, *args, **kwargs)

original, pq.ParquetWriter.write_batch = pq.ParquetWriter.write_batch, write_batch
marts = [(Mart(name, "marts", name), DbtRun(None, None)) for name in ("typed", "big")]
export_marts(Path(sys.argv[1]), marts, Path(sys.argv[2]), datetime.now(UTC))
"""


def test_an_export_killed_mid_set_leaves_the_published_set_and_the_next_export_sweeps_up(
    warehouse: Path, tmp_path: Path
) -> None:
    out = tmp_path / "exports"
    export_marts(warehouse, [TYPED, BIG], out, datetime.now(UTC))
    before = snapshot(out)

    killed = subprocess.run(
        [sys.executable, "-c", KILLED_EXPORT, str(warehouse), str(out), FAIL_ON],
        capture_output=True,
        text=True,
    )
    assert killed.returncode == 9, killed.stderr
    assert snapshot(out) == before
    [stale] = leftovers(out)  # the half-written generation: typed.parquet and part of big.parquet
    assert sorted(p.name for p in (out / stale).iterdir()) == ["big.parquet", "typed.parquet"]

    export_marts(warehouse, [TYPED, BIG], out, datetime.now(UTC))
    assert leftovers(out) == []
    assert [p.name for p in published_files(out)] == ["big.parquet", "typed.parquet"]


# --- readers during exports ----------------------------------------------------------------------

MARKED = ("alpha", "beta", "gamma")
"""Marts whose every row carries the ``generated_at`` of the export that wrote it."""
MARKED_ROWS = 40_000
EXPORTS = 8


def mark(warehouse: Path, generated_at: datetime) -> None:
    with duckdb.connect(str(warehouse)) as con:
        for name in MARKED:
            con.execute(
                f"create or replace table marts.{name} as select range as n, ? as generated_at "
                f"from range({MARKED_ROWS})",
                [generated_at.isoformat()],
            )


def read_published_set(out: Path) -> str | None:
    """One reader's pass: resolve ``current`` once, read the manifest and every file under it.

    Returns the generation's ``generated_at`` after checking every row of every file carries it;
    ``None`` when there was nothing to read yet, or the generation was pruned under a reader that
    fell two exports behind (documented: only the newest two are kept).
    """
    try:
        generation = published(out)
        manifest = json.loads((generation / MANIFEST_FILE).read_text())
        markers = {
            entry["mart"]: set(pq.read_table(generation / entry["path"])["generated_at"].to_pylist())
            for entry in manifest["marts"]
        }
    except FileNotFoundError:
        return None
    assert markers == {name: {manifest["generated_at"]} for name in MARKED}, "a mixed set"
    return manifest["generated_at"]


def test_a_reader_following_the_pointer_never_sees_a_mixed_set(warehouse: Path, tmp_path: Path) -> None:
    out, start = tmp_path / "exports", datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    marts = [(Mart(name, "marts", name), RUN) for name in MARKED]
    failures: list[BaseException] = []

    def write_sets() -> None:
        try:
            for i in range(EXPORTS):
                generated_at = start + timedelta(minutes=i)
                mark(warehouse, generated_at)
                export_marts(warehouse, marts, out, generated_at)
        except BaseException as error:
            failures.append(error)

    writer = threading.Thread(target=write_sets)
    writer.start()
    seen: set[str] = set()
    reads = 0
    while writer.is_alive():
        marker = read_published_set(out)
        if marker is not None:
            seen.add(marker)
            reads += 1
    writer.join()
    assert failures == []
    assert read_published_set(out) == (start + timedelta(minutes=EXPORTS - 1)).isoformat()
    assert len(seen) >= 3, f"the reader overlapped too few exports ({reads} reads): it raced nothing"


def test_export_dir_defaults_under_the_data_dir_and_can_be_moved(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("MILEMARKER_EXPORT_DIR", raising=False)
    monkeypatch.setenv("MILEMARKER_DATA_DIR", str(tmp_path))
    assert export_dir() == tmp_path / "exports"
    monkeypatch.setenv("MILEMARKER_EXPORT_DIR", "bi/exports")
    assert export_dir() == settings.REPO_ROOT / "bi" / "exports"
