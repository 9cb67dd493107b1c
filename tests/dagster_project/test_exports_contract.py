"""The dashboard reads only what the exports write: dbt marts <-> export list <-> Evidence sources <-> pages.

A mart renamed or dropped in dbt without updating the dashboard fails here, in CI, rather than as
an empty dashboard the morning after.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

import pytest

from dagster_project.defs.dbt.project import DBT_PROJECT
from dagster_project.settings import REPO_ROOT
from dagster_project.warehouse.dbt_marts import load_manifest, mart_nodes

REPORTS = REPO_ROOT / "reports"
SOURCES = REPORTS / "sources" / "marts"
PAGES = REPORTS / "pages"
SOURCE_SQL = re.compile(r"^select \* from read_parquet\('exports/(?P<mart>\w+)\.parquet'\)\s*$")
PAGE_TABLE = re.compile(r"\bmarts\.(\w+)")


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return load_manifest(DBT_PROJECT.manifest_path)


def source_marts() -> dict[str, str]:
    """Evidence source table (file stem) -> the exported mart its SQL reads."""
    read = {}
    for sql in sorted(SOURCES.glob("*.sql")):
        match = SOURCE_SQL.match(sql.read_text())
        assert match, f"{sql.relative_to(REPO_ROOT)} should be one read_parquet of an export"
        read[sql.stem] = match["mart"]
    return read


def sources_missing_from(manifest: Mapping[str, Any]) -> set[str]:
    """Marts the Evidence sources read that the dbt project no longer exports."""
    return set(source_marts().values()) - set(mart_nodes(manifest))


def test_every_source_reads_the_export_it_is_named_after() -> None:
    read = source_marts()
    assert read, "the dashboard has no sources"
    assert {table: mart for table, mart in read.items() if table != mart} == {}


def test_every_mart_the_dashboard_reads_is_exported(manifest: dict[str, Any]) -> None:
    assert sources_missing_from(manifest) == set()


def test_a_mart_renamed_in_dbt_fails_the_contract(manifest: dict[str, Any]) -> None:
    renamed = copy.deepcopy(manifest)
    node = next(n for n in renamed["nodes"].values() if n["name"] == "mart_goal_status")
    node["name"] = node["alias"] = "mart_goal_status_v2"
    assert sources_missing_from(renamed) == {"mart_goal_status"}


def test_pages_query_only_tables_the_sources_define() -> None:
    defined = set(source_marts())
    for page in sorted(PAGES.glob("*.md")):
        used = set(PAGE_TABLE.findall(page.read_text()))
        assert used, f"{page.name} reads no mart"
        assert used <= defined, f"{page.name} reads undefined sources {sorted(used - defined)}"


def test_every_exported_mart_has_an_enforced_contract(manifest: dict[str, Any]) -> None:
    marts = mart_nodes(manifest)
    assert len(marts) >= len(set(source_marts().values()))
    loose = [name for name, node in marts.items() if not node["config"]["contract"]["enforced"]]
    assert loose == [], "exported marts need contract: {enforced: true} so their column types are fixed"
