"""Every asset, materialized through Dagster against the embedded sandbox, into a temporary DuckDB.

One module-scoped run goes the way ``make demo`` goes (a recorded run of ``materialize_all`` in a
DAGSTER_HOME: sandbox -> raw tables -> dbt build) with the real definitions and resources; the tests
then hold the warehouse to the sandbox's own record counts and check that a second run of the raw
assets lands nothing twice. A copy of the finished data directory then has rows removed from a raw
table behind the pipeline's back: the next run's blocking row-count check must stop dbt from
building marts over the damaged table.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest
from goals_for_business import goals_file_for
from xero_report_rows import landed_report_rows

from connectors.connectwise.config import ConnectWiseConfig
from connectors.connectwise.tables import ENDPOINTS as CONNECTWISE_ENDPOINTS
from connectors.hubspot.associations import ASSOCIATIONS as ASSOCIATION_TABLES
from connectors.hubspot.objects import OBJECT_KINDS
from connectors.registry import SOURCES
from connectors.xero.tables import ENDPOINTS
from dagster_project.cli.demo import materialize_all, open_demo_instance
from dagster_project.cli.summary import RunSummary
from dagster_project.definitions import defs as load_definitions
from dagster_project.defs.checks.raw import ROW_COUNT_CHECK
from dagster_project.defs.dbt.assets import milemarker_dbt
from dagster_project.defs.dbt.project import DBT_PROJECT
from dagster_project.defs.resources import CREDENTIAL_VARS
from dagster_project.defs.streams import raw_table_keys
from dagster_project.warehouse.exports import MANIFEST_FILE, published
from sandbox.simulation.business import SimulatedBusiness
from sandbox.simulation.config import SandboxConfig
from sandbox.simulation.model import Business

pytestmark = pytest.mark.slow

SANDBOX = SandboxConfig(seed=11, scale=0.2, as_of=date(2025, 6, 30))
# Which sandbox collection each raw table is counted from, as the connectors declare it.
HUBSPOT_OBJECTS = tuple(kind.object_type for kind in OBJECT_KINDS)
XERO_DOCUMENTS = {endpoint.table.name: endpoint.path for endpoint in ENDPOINTS}
XERO_CHILDREN = {
    child.table.name: (endpoint.path, child.list_field)
    for endpoint in ENDPOINTS
    for child in endpoint.children
}
ASSOCIATIONS = {table.spec.name: (table.from_type, table.to_type) for table in ASSOCIATION_TABLES}


def sandbox_counts(business: Business) -> dict[str, int]:
    """How many rows each raw table must hold, counted from what the sandbox serves."""
    deals = business.hubspot_records("deals")
    pipelines = business.hubspot_pipelines("deals")
    counts = {f"raw_hubspot.{name}": len(business.hubspot_records(name)) for name in HUBSPOT_OBJECTS}
    counts |= {
        "raw_hubspot.owners": len(business.hubspot_owners()),
        "raw_hubspot.deal_pipelines": len(pipelines),
        "raw_hubspot.deal_pipeline_stages": sum(len(p["stages"]) for p in pipelines),
        "raw_hubspot.exchange_rates": len(business.hubspot_exchange_rates()),
        "raw_hubspot.deal_stage_history": sum(len(d.history.get("dealstage", ())) for d in deals),
    }
    counts |= {
        f"raw_hubspot.{table}": sum(len(edges) for edges in business.hubspot_associations(*pair).values())
        for table, pair in ASSOCIATIONS.items()
    }
    counts |= {f"raw_xero.{t}": len(business.xero_collection(c)) for t, c in XERO_DOCUMENTS.items()}
    counts["raw_xero.profit_and_loss"] = landed_report_rows(business)
    counts |= {
        f"raw_xero.{table}": sum(
            len(doc.body.get(field) or ()) for doc in business.xero_collection(collection)
        )
        for table, (collection, field) in XERO_CHILDREN.items()
    }
    return counts | connectwise_counts(business)


def connectwise_counts(business: Business) -> dict[str, int]:
    """The PSA's lists as served, the additions of every agreement, and the time entries of the
    id listing's window (UTC days from the server's day less ``deletion_window``)."""
    counts = {
        f"raw_connectwise.{endpoint.table.name}": len(business.connectwise_records(endpoint.table.name))
        for endpoint in CONNECTWISE_ENDPOINTS
    }
    counts["raw_connectwise.agreement_additions"] = len(business.connectwise_records("additions"))
    first_day = (business.now - ConnectWiseConfig.deletion_window).date()
    window_start = datetime(first_day.year, first_day.month, first_day.day, tzinfo=UTC).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    counts["raw_connectwise.time_entry_ids"] = sum(
        entry["timeStart"] >= window_start for entry in business.connectwise_records("time_entries")
    )
    return counts


@dataclass(frozen=True)
class Materialized:
    warehouse: Path
    instance_runs: int
    first: RunSummary
    second: RunSummary


@contextmanager
def demo_environment(data_dir: Path) -> Iterator[None]:
    """The environment ``make demo`` runs in, with everything under ``data_dir`` and the test's sandbox."""
    with pytest.MonkeyPatch.context() as env:
        for name in CREDENTIAL_VARS:
            env.delenv(name, raising=False)
        env.setenv("DAGSTER_HOME", str(data_dir / "dagster_home"))
        env.setenv("MILEMARKER_DATA_DIR", str(data_dir))
        env.setenv("MILEMARKER_DUCKDB", str(data_dir / "warehouse.duckdb"))
        env.setenv("MILEMARKER_SANDBOX_SEED", str(SANDBOX.seed))
        env.setenv("MILEMARKER_SANDBOX_SCALE", str(SANDBOX.scale))
        env.setenv("MILEMARKER_SANDBOX_AS_OF", SANDBOX.as_of.isoformat())
        env.setenv("MILEMARKER_GOALS_FILE", str(goals_file_for(SANDBOX, data_dir)))
        yield


@pytest.fixture(scope="module")
def materialized(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Materialized]:
    """``make demo``'s run (all assets, recorded in a DAGSTER_HOME), then the raw assets again."""
    data_dir = tmp_path_factory.mktemp("milemarker-data")
    with demo_environment(data_dir):
        with open_demo_instance() as instance:
            first = materialize_all(instance, {})  # as make demo: no as_of_date, the sandbox's day rules
            runs = len(instance.get_runs())
        job = load_definitions().resolve_implicit_global_asset_job_def()
        raw = [key for source in SOURCES for key in raw_table_keys(source.catalog)]
        second = job.execute_in_process(asset_selection=raw, raise_on_error=False)
        yield Materialized(data_dir / "warehouse.duckdb", runs, first, RunSummary.from_result(second, 0.0))


def test_the_recorded_run_succeeds_and_every_dbt_test_passes(materialized: Materialized) -> None:
    first = materialized.first
    assert first.success, first.failed_steps
    assert materialized.instance_runs == 1
    assert first.models_built >= 29
    assert first.dbt_tests["passed"] > 180
    assert first.dbt_tests["failed (error)"] == 0  # goal checks may fail: they judge the business


def test_the_marts_and_the_exports_are_as_of_the_sandboxs_day_not_the_wall_clocks(
    materialized: Materialized,
) -> None:
    with duckdb.connect(str(materialized.warehouse), read_only=True) as con:
        days = con.execute("select distinct as_of_date from marts.mart_goal_status").fetchall()
    assert days == [(SANDBOX.as_of,)]
    manifest = json.loads((published(materialized.warehouse.parent / "exports") / MANIFEST_FILE).read_text())
    assert {entry["as_of_date"] for entry in manifest["marts"]} == {SANDBOX.as_of.isoformat()}


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


@dataclass(frozen=True)
class Gated:
    exit_code: int
    output: str
    failed_checks: set[tuple[str, str]]
    """(table, check name) of every check that failed in the run."""
    steps_run: set[str]
    failed_steps: set[str]
    failures: list[str]
    marts_before: dict[str, int]
    marts_after: dict[str, int]
    exports_before: Path
    exports_after: Path
    """The published export generation before and after the run."""


REMOVED_CALLS = 25


def mart_row_counts(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [
            row[0]
            for row in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts'"
            ).fetchall()
        ]
        return {
            table: con.execute(f"select count(*) from marts.{table}").fetchall()[0][0] for table in tables
        }


def demo_after(materialized: Materialized, data_dir: Path, tamper: str, parameters: list[Any]) -> Gated:
    """A copy of the finished data directory, changed by the SQL ``tamper``; then ``make demo`` again.

    The demo runs as its own process, as a user runs it (this process already holds definitions
    bound to the first data directory).
    """
    shutil.copytree(materialized.warehouse.parent, data_dir, symlinks=True, dirs_exist_ok=True)
    warehouse = data_dir / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute(tamper, parameters)
    marts_before = mart_row_counts(warehouse)
    exports_before = published(data_dir / "exports")
    with demo_environment(data_dir):
        demo = subprocess.run(
            [sys.executable, "-m", "dagster_project", "demo"],
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )
        with dg.DagsterInstance.get() as instance:
            (run,) = instance.get_runs(limit=1)
            events = [entry.dagster_event for entry in instance.all_logs(run.run_id) if entry.dagster_event]
    evaluations = [
        event.event_specific_data
        for event in events
        if event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ]
    failures = [event for event in events if event.event_type == dg.DagsterEventType.STEP_FAILURE]
    return Gated(
        exit_code=demo.returncode,
        output=demo.stdout + demo.stderr,
        failed_checks={(e.asset_key.to_user_string(), e.check_name) for e in evaluations if not e.passed},
        steps_run={event.step_key for event in events if event.event_type == dg.DagsterEventType.STEP_START},
        failed_steps={event.step_key for event in failures},
        failures=[str(event.event_specific_data.error) for event in failures],
        marts_before=marts_before,
        marts_after=mart_row_counts(warehouse),
        exports_before=exports_before,
        exports_after=published(data_dir / "exports"),
    )


@pytest.fixture(scope="module")
def gated(materialized: Materialized, tmp_path_factory: pytest.TempPathFactory) -> Gated:
    """The oldest calls are lost: they lie far outside the incremental search window, so the run does
    not fetch them back and ``raw_hubspot.calls`` ends the load smaller than the load before it."""
    return demo_after(
        materialized,
        tmp_path_factory.mktemp("milemarker-gated"),
        "delete from raw_hubspot.calls where id in "
        "(select id from raw_hubspot.calls order by updated_at limit ?)",
        [REMOVED_CALLS],
    )


@pytest.fixture(scope="module")
def books_disagree(materialized: Materialized, tmp_path_factory: pytest.TempPathFactory) -> Gated:
    """The landed ledger no longer says what Xero's report says: the last payroll journal's
    technicians' wages line and its bank line both moved by the same 100.00 (the journal still
    balances, no table lost a row), as a landing mistake or an edit behind the pipeline's back would."""
    return demo_after(
        materialized,
        tmp_path_factory.mktemp("milemarker-books"),
        """
        update raw_xero.journal_lines
        set NetAmount = NetAmount + case when AccountCode = '5300' then ? else -? end
        where AccountCode in ('5300', '090') and JournalID = (
            select JournalID from raw_xero.journals
            where SourceType = 'MANJOURNAL' and Reference like 'Payroll%'
            order by JournalNumber desc limit 1
        )
        """,
        [100.0, 100.0],
    )


def test_a_raw_table_that_lost_rows_stops_dbt_before_it_builds_marts(gated: Gated) -> None:
    assert gated.exit_code == 1, gated.output[-3000:]
    assert gated.failed_checks == {("raw_hubspot/calls", ROW_COUNT_CHECK)}
    assert "hubspot_calls" in gated.steps_run
    assert milemarker_dbt.op.name not in gated.steps_run
    assert gated.marts_after == gated.marts_before


def test_books_that_disagree_with_xeros_report_fail_the_build_and_publish_nothing(
    books_disagree: Gated,
) -> None:
    """Xero's own P&L is the check of the journal-built P&L: 100.00 of wages the report does not
    hold fails the dbt build (naming the check), and the dashboard keeps the last exports."""
    assert books_disagree.exit_code == 1, books_disagree.output[-3000:]
    assert books_disagree.failed_steps == {milemarker_dbt.op.name}
    assert any("assert_pnl_equals_xero_report" in failure for failure in books_disagree.failures), (
        books_disagree.failures
    )
    assert not any(step.startswith("export") for step in books_disagree.steps_run)
    assert books_disagree.exports_after == books_disagree.exports_before
