"""Groups, owners, kinds, dashboard exposures and reconciliation checks are as docs/dagster.md says."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import dagster as dg
import pytest

from dagster_project.definitions import defs as load_definitions
from dagster_project.defs.dashboard import DASHBOARD, dashboard_specs, page_key
from dagster_project.defs.dbt.assets import milemarker_dbt
from dagster_project.defs.dbt.project import DBT_PROJECT
from dagster_project.defs.dbt.translator import DEFAULT_OWNER, MilemarkerDbtTranslator
from dagster_project.loader.layers import LAYER_TAG
from dagster_project.settings import REPO_ROOT
from dagster_project.warehouse.dbt_marts import is_mart, load_manifest

DOC = REPO_ROOT / "docs" / "dagster.md"
PAGES = REPO_ROOT / "reports" / "pages"
PAGE_TABLE = re.compile(r"\bmarts\.(\w+)")
PAGE_TITLE = re.compile(r"^---\s*\ntitle:\s*(?P<title>.+?)\s*\n", re.MULTILINE)

RECONCILIATION_CHECKS = {
    "assert_pnl_equals_xero_report": "fct_general_ledger",
    "assert_journals_balance": "fct_general_ledger",
    "assert_posted_accounts_are_mapped": "fct_general_ledger",
    "assert_ledger_revenue_matches_document_totals": "fct_ledger_lines",
    "assert_pnl_monthly_reconciles_to_ledger": "fct_pnl_monthly",
    "assert_unmatched_client_revenue_is_small": "fct_pnl_monthly",
    "assert_client_profitability_reconciles_to_pnl": "fct_client_profitability_monthly",
    "assert_mrr_roll_forward_chains": "mart_mrr_movements_monthly",
    "assert_revenue_mix_shares_sum_to_one": "mart_revenue_mix",
}
"""The books' and revenue's reconciliation tests (``dbt/tests/``) -> the mart each is a check on."""
FUNNEL_MONOTONE = "funnel_is_monotone_fct_funnel_cohort_conversion_"


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    return load_definitions()


@pytest.fixture(scope="module")
def graph(defs: dg.Definitions) -> Any:
    return defs.resolve_asset_graph()


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return load_manifest(DBT_PROJECT.manifest_path)


def documented_groups() -> set[str]:
    """The first column of the table in docs/dagster.md's "Groups" section."""
    section = DOC.read_text().split("\n## Groups\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([a-z0-9_]+)` \|", section, re.MULTILINE))


def dbt_keys() -> set[dg.AssetKey]:
    return set(milemarker_dbt.keys)


def mart_key(name: str) -> dg.AssetKey:
    return dg.AssetKey(["marts", name])


def test_every_asset_is_in_a_documented_group_and_every_documented_group_is_used(graph: Any) -> None:
    groups = {key: graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert {key for key, group in groups.items() if group in (None, "default")} == set()
    documented = documented_groups()
    assert "default" not in documented
    assert {key.to_user_string(): group for key, group in groups.items() if group not in documented} == {}
    assert documented - set(groups.values()) == set(), "docs/dagster.md lists groups no asset is in"


def test_dbt_groups_follow_the_folders(manifest: Mapping[str, Any], graph: Any) -> None:
    translator = MilemarkerDbtTranslator()
    expected = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "seed":
            expected[translator.get_asset_key(node)] = "seeds"
        elif node["resource_type"] == "model":
            layer, folder = node["original_file_path"].split("/")[1:3]
            expected[translator.get_asset_key(node)] = folder if layer == "marts" else f"{layer}_{folder}"
    assert set(expected) == dbt_keys()
    assert {key: graph.get(key).group_name for key in expected} == expected
    assert graph.get(mart_key("fct_deals")).group_name == "funnel"
    assert graph.get(dg.AssetKey(["staging", "stg_xero__invoices"])).group_name == "staging_xero"
    assert graph.get(dg.AssetKey(["intermediate", "int_crm__deals"])).group_name == "intermediate_crm"


def test_every_dbt_asset_has_an_owner_its_kinds_and_its_layer_tag(defs: dg.Definitions) -> None:
    specs = {spec.key: spec for spec in milemarker_dbt.specs}
    assert set(specs) == dbt_keys()
    for key, spec in specs.items():
        assert spec.owners == [DEFAULT_OWNER], key  # no model names another owner today
        assert {"dbt", "duckdb"} <= set(spec.kinds), key
        assert spec.tags[LAYER_TAG] == key.path[0], key  # the layer is also the key's schema


def test_the_asset_keys_are_dagster_dbts_own(manifest: Mapping[str, Any]) -> None:
    """Groups and owners never move a key: exports, checks, jobs and tests name them."""
    assert mart_key("fct_general_ledger") in dbt_keys()
    assert dg.AssetKey(["staging", "stg_hubspot__deals"]) in dbt_keys()
    assert dg.AssetKey(["seeds", "account_map"]) in dbt_keys()


def props(**extra: Any) -> dict[str, Any]:
    return {"resource_type": "model", "fqn": ["milemarker", "marts", "finance", "m"], "meta": {}, **extra}


@pytest.mark.parametrize(
    ("resource", "owners"),
    [
        (props(), [DEFAULT_OWNER]),
        (
            props(meta={"dagster": {"owners": ["ann@example.com", "team:finance"]}}),
            ["ann@example.com", "team:finance"],
        ),
        (props(meta={"owner": "finance"}), ["team:finance"]),
        (props(config={"meta": {"owner": ["ann@example.com", "team:ops"]}}), ["ann@example.com", "team:ops"]),
        (
            props(group={"name": "finance", "owner": {"email": "finance@example.com"}}),
            ["finance@example.com"],
        ),
        (props(group={"name": "finance", "owner": {"name": "finance"}}), ["team:finance"]),
    ],
)
def test_owners_come_from_dbt_meta_or_group_else_the_data_team(
    resource: dict[str, Any], owners: list[str]
) -> None:
    assert MilemarkerDbtTranslator().get_owners(resource) == owners


def test_dbt_meta_or_a_dbt_group_overrides_the_folder_group() -> None:
    translator = MilemarkerDbtTranslator()
    assert translator.get_group_name(props()) == "finance"
    assert translator.get_group_name(props(meta={"dagster": {"group": "forecast"}})) == "forecast"
    assert translator.get_group_name(props(config={"group": "books"})) == "books"
    staging_root = props(fqn=["milemarker", "staging", "stg_x"])
    assert translator.get_group_name(staging_root) == "staging"
    assert (
        translator.get_group_name({"resource_type": "seed", "fqn": ["milemarker", "account_map"]}) == "seeds"
    )


def page_titles() -> dict[str, str]:
    """Page file -> its title (the Evidence front matter)."""
    titles = {}
    for page in sorted(PAGES.glob("*.md")):
        match = PAGE_TITLE.match(page.read_text())
        assert match, f"{page.name} has no title"
        titles[page.name] = match["title"]
    return titles


def test_each_dashboard_page_is_an_exposure_depending_on_exactly_the_marts_it_queries(
    manifest: Mapping[str, Any],
) -> None:
    exposures = {e["label"]: e for e in manifest["exposures"].values() if e["type"] == DASHBOARD}
    titles = page_titles()
    assert set(exposures) == set(titles.values()), "one dashboard exposure per page, labelled with its title"
    for page, title in titles.items():
        exposure = exposures[title]
        assert exposure["owner"]["name"] or exposure["owner"]["email"], exposure["name"]
        marts = {manifest["nodes"][unique_id]["name"] for unique_id in exposure["depends_on"]["nodes"]}
        queried = set(PAGE_TABLE.findall((PAGES / page).read_text()))
        assert marts == queried, (
            f"{page}: exposure {exposure['name']} should depend on exactly {sorted(queried)}"
        )
        assert all(is_mart(manifest["nodes"][unique_id]) for unique_id in exposure["depends_on"]["nodes"])


def test_each_exposure_is_an_external_dashboard_asset_downstream_of_its_exports(
    manifest: Mapping[str, Any], graph: Any
) -> None:
    exposures = [e for e in manifest["exposures"].values() if e["type"] == DASHBOARD]
    assert len(dashboard_specs(manifest)) == len(exposures) == len(page_titles())
    materializable = set(graph.materializable_asset_keys)
    for exposure in exposures:
        node = graph.get(page_key(exposure))
        assert node.group_name == DASHBOARD
        assert not node.is_materializable
        assert node.owners == [DEFAULT_OWNER]
        marts = {manifest["nodes"][unique_id]["name"] for unique_id in exposure["depends_on"]["nodes"]}
        assert node.parent_keys == {dg.AssetKey(["exports", mart]) for mart in marts}
        assert node.parent_keys <= materializable  # connected: every page reads exports a run writes
    assert {key.to_user_string() for key in graph.get_all_asset_keys() if key.path[0] == DASHBOARD} == {
        "dashboard/goals",
        "dashboard/funnel",
        "dashboard/profitability",
        "dashboard/weekly_report",
    }


@pytest.mark.parametrize(("test_name", "mart"), sorted(RECONCILIATION_CHECKS.items()))
def test_each_reconciliation_test_is_a_check_on_its_mart(graph: Any, test_name: str, mart: str) -> None:
    checks = {key for key in graph.asset_check_keys if key.name == test_name}
    assert checks == {dg.AssetCheckKey(mart_key(mart), test_name)}


def test_the_funnel_stays_monotone_as_a_check_on_the_cohort_mart(graph: Any) -> None:
    [check] = [key for key in graph.asset_check_keys if key.name.startswith(FUNNEL_MONOTONE)]
    assert check.asset_key == mart_key("fct_funnel_cohort_conversion")


def test_every_singular_test_is_a_check(manifest: Mapping[str, Any], graph: Any) -> None:
    """A singular test reading several models is a check only when its config names one
    (``meta={'dagster': {'ref': {'name': ...}}}``); otherwise dagster-dbt logs it as observations."""
    singular = {
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test" and node["original_file_path"].startswith("tests/")
    }
    assert set(RECONCILIATION_CHECKS) <= singular
    assert singular - {key.name for key in graph.asset_check_keys} == set()
