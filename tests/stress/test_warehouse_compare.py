"""The comparisons the storm and crash tests rely on must see a lost, a doubled and a changed row."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from warehouse_compare import differences, fingerprints, mart_differences

SCHEMAS = ("raw_x", "marts")


def warehouse(path: Path, *statements: str) -> Path:
    """A warehouse with ``raw_x.t`` (3 rows, with a load time) and ``marts.m`` (a double column),
    then ``statements`` applied."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw_x; create schema marts")
        con.execute(
            """create table raw_x.t as
               select * from (values (1, 'a', now()), (2, 'b', now()), (3, 'c', now()))
                   v(id, name, _loaded_at)"""
        )
        con.execute(
            "create table marts.m as select * from (values (1, 0.1234::double), (2, 5.0::double)) v(k, rate)"
        )
        for statement in statements:
            con.execute(statement)
    return path


@pytest.fixture
def base(tmp_path: Path) -> Path:
    return warehouse(tmp_path / "base.duckdb")


def test_load_time_and_row_order_do_not_count(tmp_path: Path, base: Path) -> None:
    other = warehouse(
        tmp_path / "other.duckdb",
        "update raw_x.t set _loaded_at = _loaded_at + interval 1 day",
        "create or replace table raw_x.t as select * from raw_x.t order by id desc",
    )
    assert differences(fingerprints(base, SCHEMAS), fingerprints(other, SCHEMAS)) == {}


@pytest.mark.parametrize(
    ("change", "found"),
    [
        ("delete from raw_x.t where id = 2", "2 vs 3 rows"),
        ("insert into raw_x.t select * from raw_x.t where id = 2", "4 vs 3 rows"),
        ("update raw_x.t set name = 'B' where id = 2", "same rows, other content"),
        ("drop table raw_x.t", "only in the second"),
    ],
    ids=["lost", "doubled", "changed", "missing"],
)
def test_a_lost_doubled_or_changed_row_is_found(tmp_path: Path, base: Path, change: str, found: str) -> None:
    other = warehouse(tmp_path / "other.duckdb", change)
    assert differences(fingerprints(other, SCHEMAS), fingerprints(base, SCHEMAS)) == {"raw_x.t": found}


def test_marts_allow_rounding_noise_but_not_a_different_value(tmp_path: Path, base: Path) -> None:
    noisy = warehouse(tmp_path / "noisy.duckdb", "update marts.m set rate = rate + 1e-4 where k = 1")
    assert mart_differences(noisy, base) == ({}, 2)
    wrong = warehouse(tmp_path / "wrong.duckdb", "update marts.m set rate = rate + 1e-3 where k = 1")
    assert mart_differences(wrong, base) == ({"marts.m": "0 unmatched rows, 1 rows with other values"}, 2)
    lost = warehouse(tmp_path / "lost.duckdb", "delete from marts.m where k = 2")
    assert mart_differences(lost, base)[0] == {"marts.m": "1 unmatched rows, 0 rows with other values"}
