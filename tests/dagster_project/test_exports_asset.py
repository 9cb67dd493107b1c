"""The export assets: wired after the marts, and materialized over a warehouse shaped by the marts' contracts.

The warehouse here holds every mart as an empty-ish table built from its dbt contract (column
names and declared types), so the test runs in seconds and still covers every exported mart's
real schema; the values of real marts are held to the warehouse in tests/e2e/test_dashboard.py.
One mart (``dim_date``, which reads no other model) is also built by the real dbt asset, to show
the manifest takes the dbt run from Dagster's records, not from dbt's (pruned) target folders.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dagster_project.definitions import defs as load_definitions
from dagster_project.defs.dbt.assets import AS_OF_DATE, milemarker_dbt
from dagster_project.defs.dbt.cli import MilemarkerDbtCliResource
from dagster_project.defs.dbt.project import DBT_PROJECT
from dagster_project.defs.exports.assets import MARTS, export_marts_asset, mart_key
from dagster_project.defs.resources import SandboxResource, WarehouseResource
from dagster_project.warehouse.dbt_marts import load_manifest, mart_nodes
from dagster_project.warehouse.exports import MANIFEST_FILE, published

ROWS = 3
INVOCATION_ID = "5d1c0b8e-0000-4000-8000-00000000cafe"
AS_OF = "2026-11-23"
DBT_TARGET = Path(DBT_PROJECT.project_dir) / DBT_PROJECT.target_path

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
            dg.AssetMaterialization(
                mart_key(mart), metadata={"invocation_id": INVOCATION_ID, AS_OF_DATE: AS_OF}
            )
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
        assert path == published(exports) / f"{name}.parquet"
        assert metadata["dagster/row_count"].value == ROWS == pq.ParquetFile(path).metadata.num_rows
        assert metadata["bytes"].value == path.stat().st_size
        assert metadata["dbt_invocation_id"].value == INVOCATION_ID
        assert metadata["as_of_date"].value == AS_OF


def test_every_file_has_the_policy_types_of_its_contract(
    materialized: tuple[dg.ExecuteInProcessResult, Path], marts: dict[str, Mapping[str, Any]]
) -> None:
    _, exports = materialized
    for name, node in marts.items():
        schema = pq.read_schema(published(exports) / f"{name}.parquet")
        expected = [(c["name"], contract_type(c["data_type"])[1]) for c in node["columns"].values()]
        assert [(field.name, field.type) for field in schema] == expected, name


def test_the_manifest_lists_every_mart_with_its_dbt_invocation(
    materialized: tuple[dg.ExecuteInProcessResult, Path], marts: dict[str, Mapping[str, Any]]
) -> None:
    _, exports = materialized
    manifest = json.loads((published(exports) / MANIFEST_FILE).read_text())
    assert [entry["mart"] for entry in manifest["marts"]] == sorted(marts)
    assert {(entry["dbt_invocation_id"], entry["as_of_date"]) for entry in manifest["marts"]} == {
        (INVOCATION_ID, AS_OF)
    }
    assert all(entry["rows"] == ROWS for entry in manifest["marts"])


def remove_target_folders(invocation_id: str) -> list[Path]:
    """Delete the dbt target folders of ``invocation_id``, wherever they are: as pruning would."""
    folders = [
        results.parent
        for results in DBT_TARGET.rglob("run_results.json")
        if json.loads(results.read_text())["metadata"]["invocation_id"] == invocation_id
    ]
    for folder in folders:
        shutil.rmtree(folder)
    return folders


@pytest.fixture(scope="module")
def exported_after_dbt(
    marts: dict[str, Mapping[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, list[Path], dict[str, dict[str, Any]]]:
    """``dim_date`` built by the real dbt asset, its target folder deleted, then every mart exported.

    Returns the dbt invocation id, the target folders deleted and the manifest's entries by mart.
    """
    tmp = tmp_path_factory.mktemp("exports-after-dbt")
    warehouse, exports = tmp / "warehouse.duckdb", tmp / "exports"
    build_contract_warehouse(warehouse, marts)
    instance = dg.DagsterInstance.ephemeral()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MILEMARKER_DUCKDB", str(warehouse))
        env.setenv("MILEMARKER_EXPORT_DIR", str(exports))
        built = dg.materialize(
            [milemarker_dbt],
            selection=[dg.AssetKey(["marts", "dim_date"])],
            instance=instance,
            resources={
                "dbt": MilemarkerDbtCliResource.leashed(DBT_PROJECT),
                "warehouse": WarehouseResource(path=str(warehouse)),
                "sandbox": SandboxResource(in_use=False),  # the contract warehouse is not the sandbox's
            },
            run_config={"ops": {milemarker_dbt.op.name: {"config": {"as_of_date": AS_OF}}}},
        )
        [materialization] = [e.materialization for e in built.get_asset_materialization_events()]
        assert materialization.metadata[AS_OF_DATE].value == AS_OF
        invocation_id = str(materialization.metadata["invocation_id"].value)
        removed = remove_target_folders(invocation_id)
        dg.materialize(
            [export_marts_asset],
            instance=instance,
            resources={"warehouse": WarehouseResource(path=str(warehouse))},
        )
    manifest = json.loads((published(exports) / MANIFEST_FILE).read_text())
    return invocation_id, removed, {entry["mart"]: entry for entry in manifest["marts"]}


@pytest.mark.slow  # runs dbt
def test_the_manifest_dates_a_mart_by_its_dbt_run_after_dbts_target_folder_is_gone(
    exported_after_dbt: tuple[str, list[Path], dict[str, dict[str, Any]]],
) -> None:
    invocation_id, removed, entries = exported_after_dbt
    assert removed, "the dbt run left no target folder to remove"
    assert (entries["dim_date"]["dbt_invocation_id"], entries["dim_date"]["as_of_date"]) == (
        invocation_id,
        AS_OF,
    )
    assert entries["dim_date"]["rows"] > ROWS  # the real calendar, not the contract stand-in
    never_built = {name: entry for name, entry in entries.items() if name != "dim_date"}
    assert {(e["dbt_invocation_id"], e["as_of_date"]) for e in never_built.values()} == {(None, None)}
