"""House rules of the staging layer, read from the parsed dbt manifest (no warehouse needed).

Every raw table has exactly one staging model and a source linked to its Dagster asset; every
staging model says what it is and its grain, documents and tests its columns.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from connectors.registry import SOURCES
from dagster_project.defs.dbt.project import DBT_PROJECT

RAW_TABLES = {(source.catalog.source, table.name) for source in SOURCES for table in source.catalog.tables}
SOURCE_NAMES = tuple(source.catalog.source for source in SOURCES)
STAGING_PREFIXES = tuple(f"stg_{name}__" for name in SOURCE_NAMES)


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return json.loads(DBT_PROJECT.manifest_path.read_text())


def staging_models(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["name"].startswith(STAGING_PREFIXES)
    }


def test_every_raw_table_has_a_source_linked_to_its_asset(manifest: dict[str, Any]) -> None:
    sources = {
        (s["source_name"], s["name"]): s
        for s in manifest["sources"].values()
        if s["source_name"] in SOURCE_NAMES
    }
    assert set(sources) == RAW_TABLES
    for (vendor, table), source in sources.items():
        assert source["schema"] == f"raw_{vendor}"
        assert source["meta"]["dagster"]["asset_key"] == [f"raw_{vendor}", table]
        assert source["loaded_at_field"] == "_loaded_at"


def test_every_raw_table_has_one_staging_view_reading_only_its_source(manifest: dict[str, Any]) -> None:
    models = staging_models(manifest)
    assert set(models) == {f"stg_{vendor}__{table}" for vendor, table in RAW_TABLES}
    for name, node in models.items():
        vendor, table = name.removeprefix("stg_").split("__")
        assert node["config"]["materialized"] == "view"
        assert node["depends_on"]["nodes"] == [f"source.milemarker.{vendor}.{table}"], name


def test_every_staging_model_documents_its_grain_and_columns_and_tests_its_key(
    manifest: dict[str, Any],
) -> None:
    tested: dict[str, set[str]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "test" and node.get("attached_node"):
            tested.setdefault(node["attached_node"].split(".")[-1], set()).add(
                node["test_metadata"]["name"] if node.get("test_metadata") else node["name"]
            )
    for name, node in staging_models(manifest).items():
        assert "Grain:" in node["description"], name
        assert node["columns"], name
        assert all(column["description"] for column in node["columns"].values()), name
        assert "is_deleted" in node["columns"], name
        assert tested[name] & {"unique", "unique_combination_of_columns"}, name
        assert "not_null" in tested[name], name
