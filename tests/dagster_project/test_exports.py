"""The Parquet writer on small real DuckDB files: type policy, streaming, atomic replacement, manifest."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dagster_project.lib import settings
from dagster_project.lib.dbt_marts import read_dbt_run
from dagster_project.lib.exports import (
    MANIFEST_FILE,
    DbtRun,
    Mart,
    export_dir,
    export_mart,
    export_marts,
    write_batches,
)

RUN = DbtRun(invocation_id="0f5a6c1e-1111-2222-3333-444455556666", as_of_date=date(2026, 11, 23))
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
    out = tmp_path / "exports"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        exported = export_mart(con, Mart("typed", "marts", "typed"), out, RUN)
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


def failing_reader(schema: pa.Schema, good: pa.RecordBatch) -> pa.RecordBatchReader:
    def batches() -> Iterator[pa.RecordBatch]:
        yield good
        raise RuntimeError("connection lost mid-stream")

    return pa.RecordBatchReader.from_batches(schema, batches())


def test_an_interrupted_export_leaves_the_previous_file_intact(tmp_path: Path) -> None:
    target = tmp_path / "mart.parquet"
    previous = pa.table({"n": pa.array([1, 2, 3], pa.int64())})
    pq.write_table(previous, target)
    before = target.read_bytes()

    batch = pa.record_batch({"n": pa.array(range(100), pa.int64())})
    with pytest.raises(RuntimeError, match="connection lost mid-stream"):
        write_batches(failing_reader(batch.schema, batch), target)

    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["mart.parquet"]  # no temporary file left behind


def test_a_query_failing_inside_duckdb_mid_stream_leaves_the_previous_export(
    warehouse: Path, tmp_path: Path
) -> None:
    mart, out = Mart("big", "marts", "big"), tmp_path / "exports"
    with duckdb.connect(str(warehouse)) as con:
        export_mart(con, mart, out, RUN, batch_rows=100)
        before = (out / "big.parquet").read_bytes()
        con.execute("drop table marts.big")
        # DuckDB executes as the writer pulls batches: the error arrives after batches were written.
        con.execute(
            "create view marts.big as "
            "select case when range < 250000 then range else error('bad row') end as n from range(300000)"
        )
        with pytest.raises((duckdb.Error, OSError), match="bad row"):
            export_mart(con, mart, out, RUN, batch_rows=10_000)
    assert (out / "big.parquet").read_bytes() == before
    assert [p.name for p in out.iterdir()] == ["big.parquet"]


def test_the_manifest_describes_every_file(warehouse: Path, tmp_path: Path) -> None:
    marts = [(Mart("typed", "marts", "typed"), RUN), (Mart("big", "marts", "big"), DbtRun(None, None))]
    generated_at = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    out = tmp_path / "exports"
    exported = export_marts(warehouse, marts, out, generated_at)

    manifest = json.loads((out / MANIFEST_FILE).read_text())
    assert manifest["generated_at"] == "2026-11-23T06:00:00+00:00"
    entries = {entry["mart"]: entry for entry in manifest["marts"]}
    assert list(entries) == ["big", "typed"]
    typed = entries["typed"]
    assert typed["relation"] == "marts.typed"
    assert typed["rows"] == 5
    assert typed["bytes"] == (out / typed["path"]).stat().st_size
    assert typed["as_of_date"] == "2026-11-23"
    assert typed["dbt_invocation_id"] == RUN.invocation_id
    assert [(c["name"], c["type"]) for c in typed["columns"]] == [
        (name, str(dtype)) for name, dtype in EXPECTED_TYPES.items()
    ]
    assert entries["big"]["as_of_date"] is None and entries["big"]["dbt_invocation_id"] is None
    assert {e.path.name for e in exported} == {entry["path"] for entry in manifest["marts"]}
    assert oct((out / "typed.parquet").stat().st_mode & 0o777) == "0o644"
    with duckdb.connect(str(warehouse)):  # the export closed its read-only connection
        pass


def test_a_mart_gone_from_dbt_loses_its_file_but_other_files_stay(warehouse: Path, tmp_path: Path) -> None:
    typed, big = (Mart("typed", "marts", "typed"), RUN), (Mart("big", "marts", "big"), RUN)
    out = tmp_path / "exports"
    out.mkdir()
    (out / "notes.parquet").write_bytes(b"someone else's file")
    export_marts(warehouse, [typed, big], out, datetime.now(UTC))
    assert (out / "big.parquet").exists()
    export_marts(warehouse, [typed], out, datetime.now(UTC))
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST_FILE, "notes.parquet", "typed.parquet"]


def test_export_dir_defaults_under_the_data_dir_and_can_be_moved(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("MILEMARKER_EXPORT_DIR", raising=False)
    monkeypatch.setenv("MILEMARKER_DATA_DIR", str(tmp_path))
    assert export_dir() == tmp_path / "exports"
    monkeypatch.setenv("MILEMARKER_EXPORT_DIR", "shared/bi")
    assert export_dir() == settings.REPO_ROOT / "shared" / "bi"


def test_the_dbt_run_is_read_from_run_results(tmp_path: Path) -> None:
    run_results = tmp_path / "run_results.json"
    run_results.write_text(
        json.dumps({"metadata": {"invocation_id": "abc"}, "args": {"vars": {"as_of_date": "2025-06-30"}}})
    )
    assert read_dbt_run(run_results) == DbtRun("abc", date(2025, 6, 30))
    run_results.write_text(json.dumps({"metadata": {"invocation_id": "abc"}, "args": {}}))
    assert read_dbt_run(run_results) == DbtRun("abc", None)
