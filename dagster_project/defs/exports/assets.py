"""``exports/<mart>``: every dbt mart as a Parquet file for the dashboard, after each run.

One multi-asset exports all marts in one step, from one read-only connection, with the
``manifest.json`` that describes them together, and publishes them at once as a new generation
(``lib/exports.py``): readers see a consistent set, built from the same dbt run, which is what a
dashboard needs. Its specs are generated from the dbt manifest (every model under
``models/marts/``), each depending on its mart's dbt asset, so the asset graph runs from API
stream to Parquet file and a new mart is exported without touching this module. It reads
the warehouse read-only, after dbt in the same run; a reader in another process is refused while
a writer holds the file, so it waits on the warehouse like every other step.

The dbt run a mart came from is looked up, not guessed: every model's latest materialization in
Dagster's records carries dagster-dbt's ``invocation_id`` and the ``as_of_date`` the dbt asset built
it for. Those records outlive dbt's target folders, which are pruned to the last few runs.
"""

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from dagster_project.defs.dbt import assets as dbt_assets
from dagster_project.defs.dbt.project import DBT_PROJECT
from dagster_project.defs.resources import WarehouseResource
from dagster_project.warehouse.dbt_marts import load_manifest, mart_from_node, mart_nodes
from dagster_project.warehouse.exports import (
    CURRENT,
    DbtRun,
    ExportedMart,
    Mart,
    export_dir,
    export_marts,
    published,
)

EXPORT_PREFIX = "exports"
DBT_INVOCATION_ID = "invocation_id"
"""dagster-dbt's metadata key, on every model it builds, for the dbt invocation that built it."""


def export_key(mart: Mart) -> dg.AssetKey:
    return dg.AssetKey([EXPORT_PREFIX, mart.name])


def mart_key(mart: Mart) -> dg.AssetKey:
    """The dbt asset of ``mart``, as the dbt assets' own translator names it."""
    return get_asset_key_for_model([dbt_assets.milemarker_dbt], mart.name)


MARTS: tuple[Mart, ...] = tuple(
    mart_from_node(node) for node in mart_nodes(load_manifest(DBT_PROJECT.manifest_path)).values()
)


def dbt_run_of(instance: dg.DagsterInstance, key: dg.AssetKey) -> DbtRun:
    """The dbt invocation behind the latest materialization of ``key`` (unknowns are ``None``)."""
    event = instance.get_latest_materialization_event(key)
    materialization = event.asset_materialization if event else None
    metadata = materialization.metadata if materialization else {}
    invocation_id, as_of = metadata.get(DBT_INVOCATION_ID), metadata.get(dbt_assets.AS_OF_DATE)
    return DbtRun(
        invocation_id=str(invocation_id.value) if invocation_id else None,
        as_of_date=date.fromisoformat(str(as_of.value)) if as_of else None,
    )


def materialize_result(exported: ExportedMart) -> dg.MaterializeResult:
    columns = [dg.TableColumn(field.name, str(field.type)) for field in exported.schema]
    metadata: dict[str, dg.MetadataValue] = {
        "path": dg.MetadataValue.path(str(exported.path)),
        "dagster/row_count": dg.MetadataValue.int(exported.rows),
        "bytes": dg.MetadataValue.int(exported.bytes),
        "dagster/column_schema": dg.MetadataValue.table_schema(dg.TableSchema(columns)),
    }
    if exported.dbt_run.invocation_id:
        metadata["dbt_invocation_id"] = dg.MetadataValue.text(exported.dbt_run.invocation_id)
    if exported.dbt_run.as_of_date:
        metadata["as_of_date"] = dg.MetadataValue.text(exported.dbt_run.as_of_date.isoformat())
    return dg.MaterializeResult(asset_key=export_key(exported.mart), metadata=metadata)


@dg.multi_asset(
    name="export_marts",
    specs=[
        dg.AssetSpec(
            export_key(mart),
            deps=[mart_key(mart)],
            group_name=EXPORT_PREFIX,
            kinds={"parquet"},
            description=f"`current/{mart.name}.parquet` in the export directory: the mart `{mart.relation}` "
            "for the dashboard (money as float64, dates as date32, zstd).",
        )
        for mart in MARTS
    ],
)
def export_marts_asset(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> Iterator[dg.MaterializeResult]:
    directory = export_dir()
    marts = [(mart, dbt_run_of(context.instance, mart_key(mart))) for mart in MARTS]
    exported = export_marts(Path(warehouse.path), marts, directory, generated_at=datetime.now(UTC))
    context.log.info(f"Exported {len(exported)} marts to {published(directory)}, now {directory / CURRENT}")
    for each in exported:
        yield materialize_result(each)


@dg.definitions
def export_assets() -> dg.Definitions:
    return dg.Definitions(assets=[export_marts_asset])
