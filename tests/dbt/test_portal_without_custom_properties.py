"""A real HubSpot portal has none of the sandbox's custom properties: the marts must still build.

The raw tables carry a column per property the portal defines, so a portal without ``lead_source``,
``mrr_amount``, ``project_amount`` or ``xero_contact_id`` lands tables without those columns. The
test takes a copy of the built sandbox warehouse, drops those columns, and rebuilds the HubSpot
staging models, the CRM-neutral layer and the deal and client marts over it: the build passes, and
the values read as NULL (lead source ``unknown`` downstream) instead of the build failing on a
missing column.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
from dbt_warehouse import SandboxWarehouse, dbt_build

CUSTOM_PROPERTIES = {
    "raw_hubspot.deals": ("lead_source", "mrr_amount", "project_amount"),
    "raw_hubspot.companies": ("lead_source", "xero_contact_id"),
    "raw_hubspot.contacts": ("lead_source",),
}


def test_marts_build_without_the_sandbox_custom_properties(
    sandbox_warehouse: SandboxWarehouse, tmp_path: Path
) -> None:
    warehouse = tmp_path / "portal.duckdb"
    shutil.copyfile(sandbox_warehouse.path, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        for table, columns in CUSTOM_PROPERTIES.items():
            for column in columns:
                con.execute(f"alter table {table} drop column {column}")

    dbt_build(
        warehouse,
        sandbox_warehouse.as_of,
        tmp_path,
        select=["staging.hubspot", "intermediate.crm", "fct_deals", "int_client_crosswalk"],
    )

    with duckdb.connect(str(warehouse), read_only=True) as con:
        deals = con.execute(
            "select count(*), count(mrr_amount), count(project_amount), count(lead_source)"
            " from staging.stg_hubspot__deals"
        ).fetchone()
        sources = {
            row[0] for row in con.execute("select distinct lead_source from marts.fct_deals").fetchall()
        }
        matched_by_id = con.execute(
            "select count(*) from intermediate.int_client_crosswalk where match_method = 'xero_contact_id'"
        ).fetchone()
    assert deals is not None and deals[0] > 0
    assert deals[1:] == (0, 0, 0)
    assert "unknown" in sources
    assert matched_by_id == (0,)
