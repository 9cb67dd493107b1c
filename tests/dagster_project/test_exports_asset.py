"""The export assets: wired after the marts, and materialized over a warehouse shaped by the marts' contracts.

The warehouse here holds every mart as an empty-ish table built from its dbt contract (column
names and declared types), so the test runs in seconds and still covers every exported mart's
real schema; the values of real marts are held to the warehouse in tests/e2e/test_dashboard.py.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dagster_project.definitions import defs as load_definitions
from dagster_project.defs.dbt.project import DBT_PROJECT
from dagster_project.defs.exports.assets import MARTS, export_marts_asset, mart_key
from dagster_project.defs.resources import WarehouseResource
from dagster_project.lib.dbt_marts import load_manifest, mart_nodes
from dagster_project.lib.exports import MANIFEST_FILE

ROWS = 3
INVOCATION_ID = "5d1c0b8e-0000-4000-8000-00000000cafe"

# Contract type -> (a value for row i, the Parquet type the export policy gives it).
CONTRACT_TYPES: dict[str, tuple[str, pa.DataType]] = {
    "bigint": ("cast(i as bigint)", pa.int64()),
    "integer": ("cast(i as integer)", pa.int32()),
    "double": ("i * 1.5", pa.float64()),
    "varchar": ("'v' || i", pa.string()),
    "boolean": ("i % 2 = 0", pa.bool_()),
    "date": ("date '2026-01-01' + cast(i as integer)", pa.date32()),
    "timestamp": ("timestamp '2026-01-01 08:00:00' + to_days(cast(i as integer))", pa.timestamp("us")),
    "decimal": ("i * 1234.56", pa.float64()),
}


def contract_type(data_type: str) -> tuple[str, pa.DataType]:
    base = data_type.lower().split("(")[0]
    assert base in CONTRACT_TYPES, f"no export policy test for contract type {data_type!r}: add it here"
    return CONTRACT_TYPES[base]


def build_contract_warehouse(path: Path, marts: Mapping[str, Mapping[str, Any]]) -> None:
    """Every mart as a table with its contract's columns and types, ``ROWS`` rows each."""
    with duckdb.connect(str(path)) as con:
        for node in marts.values():
            con.execute(f'create schema if not exists "{node["schema"]}"')
            columns = node["columns"].values()
            definition = ", ".join(f'"{c["name"]}" {c["data_type"]}' for c in columns)
            values = ", ".join(
                f"cast({contract_type(c['data_type'])[0]} as {c['data_type']})" for c in columns
            )
            relation = f'"{node["schema"]}"."{node["alias"]}"'
            con.execute(f"create table {relation} ({definition})")
            con.execute(f"insert into {relation} select {values} from range({ROWS}) as r(i)")


@pytest.fixture(scope="module")
def marts() -> dict[str, Mapping[str, Any]]:
    return mart_nodes(load_manifest(DBT_PROJECT.manifest_path))


@pytest.fixture(scope="module")
def materialized(
    marts: dict[str, Mapping[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> tuple[dg.ExecuteInProcessResult, Path]:
    tmp = tmp_path_factory.mktemp("exports-asset")
    warehouse, exports = tmp / "warehouse.duckdb", tmp / "exports"
    build_contract_warehouse(warehouse, marts)
    instance = dg.DagsterInstance.ephemeral()
    for mart in MARTS:  # as dagster-dbt records a model it built
        instance.report_runless_asset_event(
            dg.AssetMaterialization(mart_key(mart), metadata={"invocation_id": INVOCATION_ID})
        )
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MILEMARKER_EXPORT_DIR", str(exports))
        result = dg.materialize(
            [export_marts_asset],
            instance=instance,
            resources={"warehouse": WarehouseResource(path=str(warehouse))},
        )
    return result, exports


def test_every_mart_has_an_export_asset_downstream_of_it(marts: dict[str, Mapping[str, Any]]) -> None:
    graph = load_definitions().resolve_asset_graph()
    for name in marts:
        node = graph.get(dg.AssetKey(["exports", name]))
        assert node.parent_keys == {dg.AssetKey(["marts", name])}, name
        assert node.group_name == "exports"
        assert graph.get(dg.AssetKey(["marts", name])).is_materializable
    assert {mart.name for mart in MARTS} == set(marts)
    assert export_marts_asset.op.pool == "duckdb"


def test_each_export_reports_path_rows_and_bytes(
    materialized: tuple[dg.ExecuteInProcessResult, Path], marts: dict[str, Mapping[str, Any]]
) -> None:
    result, exports = materialized
    assert result.success
    events = {
        event.asset_key.path[-1]: event.step_materialization_data.materialization.metadata
        for event in result.get_asset_materialization_events()
    }
    assert set(events) == set(marts)
    for name, metadata in events.items():
        path = Path(metadata["path"].value)
        assert path == exports / f"{name}.parquet"
        assert metadata["dagster/row_count"].value == ROWS == pq.ParquetFile(path).metadata.num_rows
        assert metadata["bytes"].value == path.stat().st_size
        assert metadata["dbt_invocation_id"].value == INVOCATION_ID


def test_every_file_has_the_policy_types_of_its_contract(
    materialized: tuple[dg.ExecuteInProcessResult, Path], marts: dict[str, Mapping[str, Any]]
) -> None:
    _, exports = materialized
    for name, node in marts.items():
        schema = pq.read_schema(exports / f"{name}.parquet")
        expected = [(c["name"], contract_type(c["data_type"])[1]) for c in node["columns"].values()]
        assert [(field.name, field.type) for field in schema] == expected, name


def test_the_manifest_lists_every_mart_with_its_dbt_invocation(
    materialized: tuple[dg.ExecuteInProcessResult, Path], marts: dict[str, Mapping[str, Any]]
) -> None:
    _, exports = materialized
    manifest = json.loads((exports / MANIFEST_FILE).read_text())
    assert [entry["mart"] for entry in manifest["marts"]] == sorted(marts)
    assert {entry["dbt_invocation_id"] for entry in manifest["marts"]} == {INVOCATION_ID}
    assert all(entry["rows"] == ROWS for entry in manifest["marts"])
