"""The data directory and the warehouse file: created when missing, clear errors when unusable.

The incompatible file is a real warehouse whose header claims another storage version: DuckDB keeps
the version as a little-endian uint64 at byte 12 of the 4 KiB main header and a checksum of bytes
8..4096 in the first 8 bytes (each 8-byte word multiplied by 0xbf58476d1ce4e5b9, XOR-folded from
5381), so the test rewrites both, as a file from another release would carry them.
"""

from __future__ import annotations

import struct
from pathlib import Path

import duckdb
import pytest

from dagster_project.warehouse.file_errors import (
    WarehouseFileError,
    ensure_writable_dir,
    incompatible_version,
)

_HEADER = 4096
_MASK = (1 << 64) - 1


def with_storage_version(path: Path, version: int) -> None:
    """Rewrite ``path``'s storage version (and the header checksum that guards it)."""
    with path.open("r+b") as handle:
        header = bytearray(handle.read(_HEADER))
        header[12:20] = struct.pack("<Q", version)
        checksum = 5381
        for (word,) in struct.iter_unpack("<Q", bytes(header[8:_HEADER])):
            checksum ^= (word * 0xBF58476D1CE4E5B9) & _MASK
        header[0:8] = struct.pack("<Q", checksum)
        handle.seek(0)
        handle.write(header)


def test_a_missing_data_directory_is_created(tmp_path: Path) -> None:
    directory = tmp_path / "not" / "yet" / "there"
    assert ensure_writable_dir(directory, "the warehouse") == directory
    assert directory.is_dir()


def test_a_read_only_directory_is_named(tmp_path: Path) -> None:
    # /sys takes no new files even from root (chmod would not stop root, which CI may be)
    with pytest.raises(WarehouseFileError, match=r"the directory /sys for the warehouse is not writable"):
        ensure_writable_dir(Path("/sys"), "the warehouse")
    with pytest.raises(WarehouseFileError, match=r"cannot create the directory /sys/milemarker"):
        ensure_writable_dir(Path("/sys/milemarker"), "the warehouse")


@pytest.mark.parametrize(("version", "release"), [(39, "v0.6"), (1_000, "newer")], ids=["older", "newer"])
def test_a_warehouse_from_an_incompatible_duckdb_names_the_file_and_the_way_out(
    tmp_path: Path, version: int, release: str
) -> None:
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table raw_kept as select 1 as id")
    with_storage_version(path, version)

    with pytest.raises(duckdb.IOException) as raised:
        duckdb.connect(str(path))
    assert release in str(raised.value)  # DuckDB itself sees the version we wrote
    error = incompatible_version(path, raised.value)

    assert error is not None
    message = str(error)
    assert str(path) in message and f"storage version {version}" in message
    assert "Move the file aside" in message and "EXPORT DATABASE" in message


def test_other_duckdb_errors_are_not_mistaken_for_a_version_problem(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    path.write_bytes(b"not a database at all" * 300)
    with pytest.raises(duckdb.Error) as raised:
        duckdb.connect(str(path))
    assert incompatible_version(path, raised.value) is None
