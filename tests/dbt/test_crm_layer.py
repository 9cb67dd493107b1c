"""The CRM-neutral layer's house rules, read from the parsed dbt manifest (no warehouse needed).

A CRM vendor's models (``stg_hubspot__*``, and any ``int_hubspot__*``) are read only by the
CRM-neutral layer, ``models/intermediate/crm/``: every other intermediate model and every mart
reads ``int_crm__*`` in the column names the marts use, so no mart knows a CRM's property names
and a second CRM is its staging models plus a ``union all`` branch in each ``int_crm__`` model.
Exempt are vendor-named intermediates (``int_<vendor>__*``), inherently one vendor's (the books'
``int_xero__*``). Every model of the layer says its grain and how a second CRM is added, carries a
``source_system`` column, names no vendor in its columns and tests its key.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from dagster_project.defs.dbt.project import DBT_PROJECT

CRM_VENDORS = ("hubspot",)
"""The CRMs whose own models only the CRM-neutral layer may read."""
CRM_LAYER = "models/intermediate/crm/"
CHECKED_LAYERS = ("models/intermediate/", "models/marts/")


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return json.loads(DBT_PROJECT.manifest_path.read_text())


def models(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}


def crm_vendor_models_read(node: dict[str, Any]) -> list[str]:
    """The CRM vendor models a model refs (its ``ref()`` calls, also those made in a macro)."""
    prefixes = tuple(f"{layer}_{vendor}__" for vendor in CRM_VENDORS for layer in ("stg", "int"))
    names = [dependency.split(".")[-1] for dependency in node["depends_on"]["nodes"]]
    return sorted(name for name in names if name.startswith(prefixes))


def test_only_the_crm_layer_reads_a_crm_vendors_models(manifest: dict[str, Any]) -> None:
    by_name = models(manifest)
    vendors = {name.removeprefix("stg_").split("__")[0] for name in by_name if name.startswith("stg_")}
    vendor_named = tuple(f"int_{vendor}__" for vendor in sorted(vendors))
    leaks = {
        name: read
        for name, node in by_name.items()
        if node["original_file_path"].startswith(CHECKED_LAYERS)
        and not node["original_file_path"].startswith(CRM_LAYER)
        and not name.startswith(vendor_named)
        and (read := crm_vendor_models_read(node))
    }
    assert not leaks, f"these models must read int_crm__* instead of a CRM's own models: {leaks}"


def test_the_rule_sees_vendor_refs(manifest: dict[str, Any]) -> None:
    """Not vacuous: the layer itself reads HubSpot's staging, and the marts read the layer."""
    by_name = models(manifest)
    assert crm_vendor_models_read(by_name["int_crm__deals"]) == ["stg_hubspot__deals"]
    assert crm_vendor_models_read({"depends_on": {"nodes": ["model.milemarker.int_hubspot__x"]}}) == [
        "int_hubspot__x"
    ]
    assert "model.milemarker.int_crm__deals" in by_name["fct_deals"]["depends_on"]["nodes"]


def test_every_crm_layer_model_is_neutral_documented_and_keyed(manifest: dict[str, Any]) -> None:
    tested: dict[str, set[str]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "test" and node.get("attached_node"):
            tested.setdefault(node["attached_node"].split(".")[-1], set()).add(
                node["test_metadata"]["name"] if node.get("test_metadata") else node["name"]
            )
    layer = {name: n for name, n in models(manifest).items() if n["original_file_path"].startswith(CRM_LAYER)}
    assert {
        "int_crm__owners",
        "int_crm__contacts",
        "int_crm__companies",
        "int_crm__deals",
        "int_crm__deal_stage_events",
        "int_crm__activities",
    } <= set(layer)
    for name, node in layer.items():
        assert name.startswith("int_crm__"), name
        assert "Grain:" in node["description"], name
        assert "union all" in node["description"], f"{name}: say how a second CRM is added"
        assert "source_system" in node["columns"], name
        assert all(column["description"] for column in node["columns"].values()), name
        assert not [c for c in node["columns"] if any(v in c for v in CRM_VENDORS)], name
        assert tested.get(name, set()) & {"unique", "unique_combination_of_columns"}, name
        assert "not_null" in tested[name], name
