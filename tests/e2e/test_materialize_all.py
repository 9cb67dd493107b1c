"""Every asset, materialized through Dagster against the embedded sandbox, into a temporary DuckDB.

One module-scoped run goes the way ``make demo`` goes (a recorded run of ``materialize_all`` in a
DAGSTER_HOME: sandbox -> raw tables -> dbt build) with the real definitions and resources; the tests
then hold the warehouse to the sandbox's own record counts and check that a second run of the raw
assets lands nothing twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from connectors.sandbox.business import SimulatedBusiness
from connectors.sandbox.config import SandboxConfig
from connectors.sandbox.model import Business
from dagster_project.cli.demo import materialize_all
from dagster_project.cli.instance import ensure_dagster_home
from dagster_project.cli.summary import RunSummary
from dagster_project.definitions import defs as load_definitions
from dagster_project.defs.dbt.project import DBT_PROJECT

pytestmark = pytest.mark.slow

SANDBOX = SandboxConfig(seed=11, scale=0.2, as_of=date(2025, 6, 30))
AS_OF_CONFIG = {"as_of_date": SANDBOX.as_of.isoformat()}
CREDENTIALS = (
    "HUBSPOT_ACCESS_TOKEN",
    "XERO_CLIENT_ID",
    "XERO_CLIENT_SECRET",
    "XERO_REFRESH_TOKEN",
    "XERO_TENANT_ID",
)
HUBSPOT_OBJECTS = ("contacts", "companies", "deals", "calls", "emails", "meetings", "tasks")
XERO_DOCUMENTS = {
    "accounts": "Accounts",
    "items": "Items",
    "tracking_categories": "TrackingCategories",
    "currencies": "Currencies",
    "contacts": "Contacts",
    "invoices": "Invoices",
    "credit_notes": "CreditNotes",
    "payments": "Payments",
    "bank_transactions": "BankTransactions",
    "repeating_invoices": "RepeatingInvoices",
}
XERO_CHILDREN = {
    "tracking_options": ("TrackingCategories", "Options"),
    "invoice_line_items": ("Invoices", "LineItems"),
    "credit_note_line_items": ("CreditNotes", "LineItems"),
    "bank_transaction_line_items": ("BankTransactions", "LineItems"),
    "repeating_invoice_line_items": ("RepeatingInvoices", "LineItems"),
}
ASSOCIATIONS = {
    "deal_companies": ("deals", "companies"),
    "deal_contacts": ("deals", "contacts"),
    "contact_companies": ("contacts", "companies"),
}


def sandbox_counts(business: Business) -> dict[str, int]:
    """How many rows each raw table must hold, counted from what the sandbox serves."""
    deals = business.hubspot_records("deals")
    pipelines = business.hubspot_pipelines("deals")
    counts = {f"raw_hubspot.{name}": len(business.hubspot_records(name)) for name in HUBSPOT_OBJECTS}
    counts |= {
        "raw_hubspot.owners": len(business.hubspot_owners()),
        "raw_hubspot.deal_pipelines": len(pipelines),
        "raw_hubspot.deal_pipeline_stages": sum(len(p["stages"]) for p in pipelines),
        "raw_hubspot.deal_stage_history": sum(len(d.history.get("dealstage", ())) for d in deals),
    }
    counts |= {
        f"raw_hubspot.{table}": sum(len(edges) for edges in business.hubspot_associations(*pair).values())
        for table, pair in ASSOCIATIONS.items()
    }
    counts |= {f"raw_xero.{t}": len(business.xero_collection(c)) for t, c in XERO_DOCUMENTS.items()}
    counts |= {
        f"raw_xero.{table}": sum(
            len(doc.body.get(field) or ()) for doc in business.xero_collection(collection)
        )
        for table, (collection, field) in XERO_CHILDREN.items()
    }
    return counts


@dataclass(frozen=True)
class Materialized:
    warehouse: Path
    instance_runs: int
    first: RunSummary
    second: RunSummary


@pytest.fixture(scope="module")
def materialized(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Materialized]:
    """``make demo``'s run (all assets, recorded in a DAGSTER_HOME), then the raw assets again."""
    data_dir = tmp_path_factory.mktemp("milemarker-data")
    with pytest.MonkeyPatch.context() as env:
        for name in CREDENTIALS:
            env.delenv(name, raising=False)
        env.setenv("DAGSTER_HOME", str(data_dir / "dagster_home"))
        env.setenv("MILEMARKER_DATA_DIR", str(data_dir))
        env.setenv("MILEMARKER_DUCKDB", str(data_dir / "warehouse.duckdb"))
        env.setenv("MILEMARKER_SANDBOX_SEED", str(SANDBOX.seed))
        env.setenv("MILEMARKER_SANDBOX_SCALE", str(SANDBOX.scale))
        env.setenv("MILEMARKER_SANDBOX_AS_OF", SANDBOX.as_of.isoformat())
        ensure_dagster_home()
        with dg.DagsterInstance.get() as instance:
            first = materialize_all(instance, {"ops": {"milemarker_dbt": {"config": AS_OF_CONFIG}}})
            runs = len(instance.get_runs())
        job = load_definitions().resolve_implicit_global_asset_job_def()
        raw = dg.AssetSelection.groups("hubspot", "xero").resolve(job.asset_layer.asset_graph)
        second = job.execute_in_process(asset_selection=list(raw), raise_on_error=False)
        yield Materialized(data_dir / "warehouse.duckdb", runs, first, RunSummary.from_result(second, 0.0))


def test_the_recorded_run_succeeds_and_every_dbt_test_passes(materialized: Materialized) -> None:
    first = materialized.first
    assert first.success, first.failed_steps
    assert materialized.instance_runs == 1
    assert first.models_built >= 29
    assert first.dbt_tests["passed"] > 180
    assert first.dbt_tests["failed (error)"] == 0  # goal checks may fail: they judge the business


def test_raw_row_counts_equal_the_sandbox_counts_for_every_table(materialized: Materialized) -> None:
    expected = sandbox_counts(SimulatedBusiness(SANDBOX))
    with duckdb.connect(str(materialized.warehouse), read_only=True) as con:
        actual = {table: con.execute(f"select count(*) from {table}").fetchall()[0][0] for table in expected}
    assert actual == expected
    assert materialized.first.rows_in_tables() == expected
    assert materialized.first.rows_landed() == expected


def test_staging_views_keep_every_raw_row_and_document_every_column(materialized: Materialized) -> None:
    documented = {
        node["name"]: set(node["columns"])
        for node in json.loads(DBT_PROJECT.manifest_path.read_text())["nodes"].values()
        if node["resource_type"] == "model"
    }
    with duckdb.connect(str(materialized.warehouse), read_only=True) as con:
        for table in materialized.first.rows_in_tables():
            schema, name = table.split(".")
            model = f"stg_{schema.removeprefix('raw_')}__{name}"
            raw = con.execute(f"select count(*) from {table}").fetchall()
            assert con.execute(f"select count(*) from staging.{model}").fetchall() == raw, model
            columns = {row[0] for row in con.execute(f"describe staging.{model}").fetchall()}
            assert columns == documented[model], model


def test_a_second_run_lands_nothing_twice(materialized: Materialized) -> None:
    first, second = materialized.first, materialized.second
    assert second.success, second.failed_steps
    assert second.rows_in_tables() == first.rows_in_tables()
    assert {table: rows for table, rows in second.rows_landed().items() if rows} == {}
