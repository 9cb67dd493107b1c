"""``dashboard/<page>``: each page of the Evidence dashboard (``reports/pages/``) as an external asset.

The pages are declared once, as dbt exposures (``dbt/models/_dashboard__exposures.yml``: one per
page, the marts it queries in ``depends_on``). dagster-dbt 0.29 makes assets of models, seeds and
snapshots only and leaves exposures out, so they are read from the manifest here. Each becomes an
external asset (it is not materialized: Evidence builds the page from the published Parquet files)
downstream of the ``exports/<mart>`` files it reads, so the graph runs from API stream to dashboard
page and the UI shows which page a failing mart or check reaches. A new exposure of type
``dashboard`` is a new asset; nothing to edit here.
"""

from collections.abc import Mapping
from typing import Any

import dagster as dg

from dagster_project.defs.dbt.project import DBT_PROJECT
from dagster_project.defs.dbt.translator import DEFAULT_OWNER, MilemarkerDbtTranslator
from dagster_project.defs.exports.assets import EXPORT_PREFIX
from dagster_project.loader.layers import LAYER_TAG
from dagster_project.warehouse.dbt_marts import is_mart, load_manifest

DASHBOARD = "dashboard"
"""Group, key prefix and layer tag of the pages."""
EXPOSURE_PREFIX = "dashboard_"
"""Exposure names start with it; the page's key is the rest (``dashboard_funnel``: ``dashboard/funnel``)."""


def page_key(exposure: Mapping[str, Any]) -> dg.AssetKey:
    return dg.AssetKey([DASHBOARD, exposure["name"].removeprefix(EXPOSURE_PREFIX)])


def _upstream_key(manifest: Mapping[str, Any], unique_id: str) -> dg.AssetKey:
    """What the page reads of a dbt node: a mart's Parquet export, else (never on the shipped pages)
    the node's own asset, as the dbt assets name it."""
    node = manifest["nodes"].get(unique_id) or manifest["sources"][unique_id]
    if is_mart(node):
        return dg.AssetKey([EXPORT_PREFIX, node["name"]])
    return MilemarkerDbtTranslator().get_asset_key(node)


def page_spec(manifest: Mapping[str, Any], exposure: Mapping[str, Any]) -> dg.AssetSpec:
    """The external asset of one dashboard exposure."""
    owner = (exposure.get("owner") or {}).get("email")
    metadata: dict[str, Any] = {"dbt_exposure": exposure["unique_id"]}
    if exposure.get("url"):
        metadata["url"] = dg.MetadataValue.url(exposure["url"])
    return dg.AssetSpec(
        key=page_key(exposure),
        deps=[_upstream_key(manifest, unique_id) for unique_id in exposure["depends_on"]["nodes"]],
        description=(exposure.get("description") or "").strip() or None,
        group_name=DASHBOARD,
        owners=[owner or DEFAULT_OWNER],
        kinds={"evidence"},
        tags={LAYER_TAG: DASHBOARD},
        metadata=metadata,
    )


def dashboard_specs(manifest: Mapping[str, Any]) -> list[dg.AssetSpec]:
    """One external asset per dashboard exposure (type ``dashboard``) of ``manifest``."""
    exposures = sorted(manifest.get("exposures", {}).values(), key=lambda exposure: exposure["name"])
    return [page_spec(manifest, exposure) for exposure in exposures if exposure.get("type") == DASHBOARD]


@dg.definitions
def dashboard_assets() -> dg.Definitions:
    return dg.Definitions(assets=dashboard_specs(load_manifest(DBT_PROJECT.manifest_path)))
