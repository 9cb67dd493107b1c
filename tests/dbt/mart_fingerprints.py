"""Fingerprints of every mart: row count and one order-free hash per column.

A refactor that must not change behaviour (moving code, a neutral layer between staging and the
marts, folded macros) is checked by comparing the fingerprints of the test business's marts with
the ones recorded in ``mart_fingerprints.json``. A change of behaviour that is meant shows up as a
diff of that file in review: record it with

    .venv/bin/python tests/dbt/mart_fingerprints.py --record

which builds the test business (as the ``sandbox_warehouse`` fixture does) and rewrites the file.

Column hashes are sums of per-value hashes, so they do not depend on row order. Doubles are rounded
to 9 significant decimals first: DuckDB's parallel sums may differ in the last bits between runs.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import duckdb

RECORDED = Path(__file__).with_name("mart_fingerprints.json")
FLOATING = ("DOUBLE", "FLOAT", "REAL")

Fingerprints = dict[str, dict[str, object]]


def _value_sql(column: str, data_type: str) -> str:
    quoted = '"' + column.replace('"', '""') + '"'
    if data_type.upper() in FLOATING:
        quoted = f"round({quoted}, 9)"
    return f"coalesce(cast({quoted} as varchar), '<null>')"


def fingerprints(warehouse: Path) -> Fingerprints:
    """``{mart: {"rows": n, "columns": {column: hash}}}`` of every table in the ``marts`` schema."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        columns = con.execute(
            """
            select table_name, column_name, data_type
            from information_schema.columns
            where table_schema = 'marts'
            order by table_name, ordinal_position
            """
        ).fetchall()
        by_table: dict[str, list[tuple[str, str]]] = {}
        for table, column, data_type in columns:
            by_table.setdefault(table, []).append((column, data_type))
        result: Fingerprints = {}
        for table, table_columns in by_table.items():
            sums = ", ".join(
                f"cast(sum(hash({_value_sql(c, t)})) % 18446744073709551557 as varchar)"
                for c, t in table_columns
            )
            row = con.execute(f'select count(*), {sums} from marts."{table}"').fetchone()
            assert row is not None
            result[table] = {
                "rows": row[0],
                "columns": {c: h for (c, _), h in zip(table_columns, row[1:], strict=True)},
            }
        return result


def differences(expected: Fingerprints, actual: Fingerprints) -> list[str]:
    """Human-readable differences: missing or new marts, row counts, columns whose values changed."""
    lines = [f"mart {m} is gone" for m in sorted(expected.keys() - actual.keys())]
    lines += [f"mart {m} is new" for m in sorted(actual.keys() - expected.keys())]
    for mart in sorted(expected.keys() & actual.keys()):
        before, after = expected[mart], actual[mart]
        if before["rows"] != after["rows"]:
            lines.append(f"{mart}: {before['rows']} rows recorded, {after['rows']} now")
        before_columns, after_columns = before["columns"], after["columns"]
        assert isinstance(before_columns, dict) and isinstance(after_columns, dict)
        for column in sorted(before_columns.keys() | after_columns.keys()):
            if before_columns.get(column) != after_columns.get(column):
                lines.append(f"{mart}.{column} differs")
    return lines


def _record() -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from dbt_warehouse import SANDBOX_CONFIG, dbt_build, land_sandbox

    with tempfile.TemporaryDirectory(prefix="milemarker-fingerprints-") as tmp:
        scratch = Path(tmp)
        warehouse = scratch / "warehouse.duckdb"
        land_sandbox(SANDBOX_CONFIG, warehouse, scratch)
        dbt_build(warehouse, SANDBOX_CONFIG.as_of, scratch)
        RECORDED.write_text(json.dumps(fingerprints(warehouse), indent=1, sort_keys=True) + "\n")
    print(f"recorded {RECORDED}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--record", action="store_true", help="build the test business and rewrite the file")
    if parser.parse_args().record:
        _record()
    else:
        parser.print_help()
