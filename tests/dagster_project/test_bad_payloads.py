"""Bad API payloads, served by the real sandbox over HTTP, landed by the production landing code.

Each case corrupts one record of one page (``sandbox.service.payload_faults``) and checks the
decision documented in docs/bad-input.md: a missing field, an undocumented enum value, a huge
string or a duplicated record lands (as NULL, as text, whole, once); a value of the wrong JSON
type, bytes that are not UTF-8 or a null id quarantine that record in raw_meta.rejected_records
(reason, field, id) while the rest of the stream lands and its cursor moves; the record read again
fixed lands and resolves its reject; and a Dagster run reports ``rows_rejected`` and the
``no_rejected_records`` check warns, then errors past its threshold.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

from connectors.base import Stream
from connectors.hubspot import hubspot_streams
from connectors.hubspot.catalog import CATALOG as HUBSPOT
from connectors.xero import xero_streams
from dagster_project.defs.checks.raw import REJECTS_CHECK, build_raw_table_checks
from dagster_project.defs.resources import WarehouseResource
from dagster_project.defs.streams import raw_table_keys, stream_assets
from dagster_project.loader.landing import land_stream
from dagster_project.loader.stream_state import read_state
from sandbox.clients import hubspot_config, xero_config
from sandbox.service.faults import ScriptedCorruption
from sandbox.service.payload_faults import UNKNOWN_ENUM_VALUE, Corruption
from sandbox.service.server import Sandbox, run_sandbox
from sandbox.simulation.config import SandboxConfig

SANDBOX = SandboxConfig(seed=13, scale=0.05, as_of=date(2025, 6, 30))
HUGE = 3 << 20
"""A 3 MiB string: bigger than the JSON reader's default block, far beyond any real field."""


@dataclass(frozen=True)
class Target:
    """One stream to corrupt: which pages, which fields, and how its raw table is keyed."""

    vendor: str
    stream: str
    first_load_pages: str
    """Matches the pages of a first (full) load."""
    incremental_pages: str
    """Matches the pages of a later (incremental) load."""
    key: str
    text_field: str
    """Path of a string field every record carries; ``text_column`` is where it lands."""
    text_column: str
    enum_field: str
    enum_column: str

    def streams(self, sandbox: Sandbox, scratch: Path) -> list[Stream]:
        if self.vendor == "hubspot":
            return hubspot_streams(hubspot_config(sandbox))
        return xero_streams(xero_config(sandbox, scratch / "xero_token.json"))

    @property
    def table(self) -> str:
        return f"raw_{self.vendor}.{self.stream}"


HUBSPOT_DEALS = Target(
    vendor="hubspot",
    stream="deals",
    first_load_pages=r"/hubspot/crm/v3/objects/deals\?",
    incremental_pages=r"/hubspot/crm/v3/objects/deals/search",
    key="id",
    text_field="properties.dealname",
    text_column="dealname",
    enum_field="properties.dealstage",
    enum_column="dealstage",
)
XERO_INVOICES = Target(
    vendor="xero",
    stream="invoices",
    first_load_pages=r"/xero/api.xro/2.0/Invoices\?",
    incremental_pages=r"/xero/api.xro/2.0/Invoices\?",
    key="InvoiceID",
    text_field="InvoiceNumber",
    text_column="InvoiceNumber",
    enum_field="Status",
    enum_column="Status",
)
TARGETS = [pytest.param(HUBSPOT_DEALS, id="hubspot-deals"), pytest.param(XERO_INVOICES, id="xero-invoices")]


@pytest.fixture(scope="module")
def module_sandbox() -> Iterator[Sandbox]:
    with run_sandbox(SANDBOX, port=0) as sandbox:
        yield sandbox


@pytest.fixture
def sb(module_sandbox: Sandbox) -> Iterator[Sandbox]:
    yield module_sandbox
    module_sandbox.faults.reset()


Lander = Callable[..., Any]


@pytest.fixture
def land(sb: Sandbox, tmp_path: Path) -> Lander:
    """``land(target, warehouse_name, flush_rows=...)``: one landing of the target's stream."""

    def run(target: Target, warehouse: str, **options: Any) -> Any:
        stream = next(s for s in target.streams(sb, tmp_path) if s.name == target.stream)
        with duckdb.connect(str(tmp_path / f"{warehouse}.duckdb")) as con:
            return land_stream(con, stream, **options)

    return run


def by_key(path: Path, target: Target) -> dict[Any, dict[str, Any]]:
    """The target's main table as key -> row, without ``_loaded_at`` (it differs per landing)."""
    with duckdb.connect(str(path), read_only=True) as con:
        cursor = con.execute(f"select * exclude (_loaded_at) from {target.table}")
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return {row[target.key]: row for row in rows}


def changed_rows(
    clean: dict[Any, dict[str, Any]], corrupted: dict[Any, dict[str, Any]]
) -> dict[Any, set[str]]:
    """Key -> the columns whose value differs between two landings of the same data."""
    assert corrupted.keys() == clean.keys()
    differences = {
        key: {column for column, value in row.items() if corrupted[key][column] != value}
        for key, row in clean.items()
    }
    return {key: columns for key, columns in differences.items() if columns}


# -- cases that land ---------------------------------------------------------------------------

Rows = dict[Any, dict[str, Any]]


def clean_and_corrupted(
    sb: Sandbox, land: Lander, tmp_path: Path, target: Target, corruption: ScriptedCorruption
) -> tuple[Rows, Rows, Any, Any]:
    """Land ``target`` once clean and once with ``corruption`` served: both tables by key, and
    both landings."""
    clean_landing = land(target, "clean")
    sb.faults.corrupt(corruption)
    corrupted_landing = land(target, "corrupted")
    return (
        by_key(tmp_path / "clean.duckdb", target),
        by_key(tmp_path / "corrupted.duckdb", target),
        clean_landing,
        corrupted_landing,
    )


@pytest.mark.parametrize("target", TARGETS)
def test_a_missing_field_lands_as_null(sb: Sandbox, land: Lander, tmp_path: Path, target: Target) -> None:
    corruption = ScriptedCorruption(
        match=target.first_load_pages, corruption=Corruption.MISSING_FIELD, record=3, field=target.text_field
    )
    clean, corrupted, _, _ = clean_and_corrupted(sb, land, tmp_path, target, corruption)
    ((key, columns),) = changed_rows(clean, corrupted).items()
    assert columns == {target.text_column}
    assert clean[key][target.text_column] and corrupted[key][target.text_column] is None


@pytest.mark.parametrize("target", TARGETS)
def test_an_undocumented_enum_value_lands_as_text(
    sb: Sandbox, land: Lander, tmp_path: Path, target: Target
) -> None:
    corruption = ScriptedCorruption(
        match=target.first_load_pages, corruption=Corruption.UNKNOWN_ENUM, record=3, field=target.enum_field
    )
    clean, corrupted, _, _ = clean_and_corrupted(sb, land, tmp_path, target, corruption)
    ((key, columns),) = changed_rows(clean, corrupted).items()
    assert corrupted[key][target.enum_column] == UNKNOWN_ENUM_VALUE
    assert columns <= {target.enum_column, "_is_deleted"}  # Xero: an unknown status is not DELETED


@pytest.mark.parametrize("target", TARGETS)
def test_a_huge_string_lands_whole(sb: Sandbox, land: Lander, tmp_path: Path, target: Target) -> None:
    sb.faults.corrupt(
        ScriptedCorruption(
            match=target.first_load_pages,
            corruption=Corruption.HUGE_STRING,
            record=3,
            field=target.text_field,
            size=HUGE,
        )
    )
    land(target, "corrupted")

    with duckdb.connect(str(tmp_path / "corrupted.duckdb"), read_only=True) as con:
        column = target.text_column
        lengths = con.execute(f"select length({column}) from {target.table} where length({column}) > 1000")
        lengths = lengths.fetchall()
    assert lengths == [(HUGE,)]


@pytest.mark.parametrize("target", TARGETS)
def test_a_record_twice_in_one_page_lands_once(
    sb: Sandbox, land: Lander, tmp_path: Path, target: Target
) -> None:
    corruption = ScriptedCorruption(
        match=target.first_load_pages, corruption=Corruption.DUPLICATE_ID, record=3
    )
    clean, corrupted, clean_landing, corrupted_landing = clean_and_corrupted(
        sb, land, tmp_path, target, corruption
    )
    assert changed_rows(clean, corrupted) == {}
    received = {t.table: t.rows_received for t in clean_landing.tables}
    assert corrupted_landing.tables[0].rows_received == received[target.table] + 1
    assert corrupted_landing.tables[0].rows_in_table == len(clean)


# -- cases that are quarantined --------------------------------------------------------------

QUARANTINED = [
    pytest.param(Corruption.WRONG_TYPE, "text", "wrong_type", id="wrong-type"),
    pytest.param(Corruption.NON_UTF8, "text", "not_utf8", id="non-utf8"),
    pytest.param(Corruption.NULL_ID, "key", "missing_key", id="null-id"),
]


def rejected_records(path: Path) -> list[dict[str, Any]]:
    """Every row of raw_meta.rejected_records."""
    with duckdb.connect(str(path), read_only=True) as con:
        cursor = con.execute("select * from raw_meta.rejected_records order by all")
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize(("corruption", "field_kind", "reason"), QUARANTINED)
def test_a_bad_record_is_quarantined_and_the_rest_of_the_stream_lands(
    sb: Sandbox,
    land: Lander,
    tmp_path: Path,
    target: Target,
    corruption: Corruption,
    field_kind: str,
    reason: str,
) -> None:
    for warehouse in ("warehouse", "clean"):
        land(target, warehouse)
    before = by_key(tmp_path / "warehouse.duckdb", target)
    sb.advance(7)  # a week of new and changed records for the incremental run to read
    field = target.text_field if field_kind == "text" else target.key
    sb.faults.corrupt(
        ScriptedCorruption(match=target.incremental_pages, corruption=corruption, record=0, field=field)
    )

    landing = land(target, "warehouse", flush_rows=1)  # flush per batch: the bad row is left out anyway
    clean = land(target, "clean")  # the same window, served clean

    landed, expected = (
        by_key(tmp_path / "warehouse.duckdb", target),
        by_key(tmp_path / "clean.duckdb", target),
    )
    (reject,) = [
        r for r in rejected_records(tmp_path / "warehouse.duckdb") if r["table_name"] == target.stream
    ]
    differing = {key for key, row in expected.items() if landed.get(key) != row}
    assert landed.keys() <= expected.keys() and len(differing) <= 1  # only the bad record is missing
    assert all(landed.get(key) == before.get(key) for key in differing)  # its previous version, or nothing
    if field_kind == "key":
        assert reject["record_id"] is None
    else:
        assert {str(key) for key in differing} <= {reject["record_id"]}
        assert reject["record_id"] in {str(key) for key in expected}
    assert (reject["vendor"], reject["stream"], reject["reason"]) == (target.vendor, target.stream, reason)
    assert reject["field"] == field
    assert reject["last_seen_at"] == landing.loaded_at and reject["resolved_at"] is None
    assert {t.table: t.rows_rejected for t in landing.tables}[target.table] == 1
    assert landing.state == clean.state
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        assert read_state(con, target.vendor, target.stream) == landing.state  # the cursor moved


@pytest.mark.parametrize("target", TARGETS)
def test_a_rejected_record_read_again_fixed_lands_and_resolves(
    sb: Sandbox, land: Lander, tmp_path: Path, target: Target
) -> None:
    sb.faults.corrupt(
        ScriptedCorruption(
            match=target.first_load_pages, corruption=Corruption.WRONG_TYPE, record=0, field=target.text_field
        )
    )
    land(target, "warehouse")
    (reject,) = rejected_records(tmp_path / "warehouse.duckdb")
    assert reject["record_id"] not in {str(key) for key in by_key(tmp_path / "warehouse.duckdb", target)}

    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:  # read everything again
        con.execute("delete from raw_meta.stream_state")
    again = land(target, "warehouse")

    assert again.rejects_resolved == 1
    (resolved,) = rejected_records(tmp_path / "warehouse.duckdb")
    assert resolved["resolved_at"] == again.loaded_at
    assert resolved["record_id"] in {str(key) for key in by_key(tmp_path / "warehouse.duckdb", target)}


# -- the stage history of changed deals (batch read) -----------------------------------------------

HISTORY_PAGES = r"/hubspot/crm/v3/objects/deals/batch/read"
"""The pages of an incremental deals run that carry ``propertiesWithHistory.dealstage``."""
FIRST_CHANGE = "propertiesWithHistory.dealstage[0]"
STAGE_HISTORY_CASES = [
    pytest.param(Corruption.UNPARSEABLE, f"{FIRST_CHANGE}.timestamp", "bad_date", id="timestamp"),
    pytest.param(Corruption.MISSING_FIELD, f"{FIRST_CHANGE}.timestamp", "missing_key", id="no-timestamp"),
    pytest.param(Corruption.WRONG_TYPE, f"{FIRST_CHANGE}.value", "wrong_type", id="value-not-a-string"),
    pytest.param(Corruption.WRONG_TYPE, "propertiesWithHistory", "wrong_type", id="history-not-an-object"),
    pytest.param(Corruption.UNPARSEABLE, "id", "unparseable_value", id="id-not-digits"),
    pytest.param(Corruption.NULL_ID, "id", "missing_key", id="id-null"),
    pytest.param(Corruption.MISSING_FIELD, "id", "missing_key", id="id-missing"),
]


def stage_history(path: Path) -> dict[int, set[tuple[Any, ...]]]:
    """``raw_hubspot.deal_stage_history`` as deal id -> its rows, without ``_loaded_at``."""
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute("select * exclude (_loaded_at) from raw_hubspot.deal_stage_history").fetchall()
    by_deal: dict[int, set[tuple[Any, ...]]] = {}
    for row in rows:
        by_deal.setdefault(row[0], set()).add(row)
    return by_deal


@pytest.mark.parametrize(("corruption", "field", "reason"), STAGE_HISTORY_CASES)
def test_a_bad_record_of_the_stage_history_is_quarantined_and_the_rest_lands(
    sb: Sandbox, land: Lander, tmp_path: Path, corruption: Corruption, field: str, reason: str
) -> None:
    for warehouse in ("warehouse", "clean"):
        land(HUBSPOT_DEALS, warehouse)
    before = stage_history(tmp_path / "warehouse.duckdb")
    sb.advance(7)  # deals change stage: the incremental run batch-reads their history
    sb.faults.corrupt(ScriptedCorruption(match=HISTORY_PAGES, corruption=corruption, record=0, field=field))
    injected = sb.stats()["faults_injected"].get(f"corrupt:{corruption}", 0)

    landing = land(HUBSPOT_DEALS, "warehouse")
    clean = land(HUBSPOT_DEALS, "clean")  # the same window, served clean

    assert sb.stats()["faults_injected"][f"corrupt:{corruption}"] == injected + 1
    (reject,) = rejected_records(tmp_path / "warehouse.duckdb")
    assert (reject["stream"], reject["table_name"], reject["reason"]) == (
        "deals",
        "deal_stage_history",
        reason,
    )
    assert reject["field"] == field and reject["payload_hash"]
    landed, expected = stage_history(tmp_path / "warehouse.duckdb"), stage_history(tmp_path / "clean.duckdb")
    differing = {deal for deal in expected if landed.get(deal) != expected[deal]}
    assert len(differing) == 1  # only the bad record's history is held back...
    assert all(landed.get(deal) == before.get(deal) for deal in differing)  # ...at its previous rows
    if field == "id":
        assert reject["record_id"] is None  # no usable id: kept by payload hash
    else:
        assert differing == {int(reject["record_id"])}
        deals, clean_deals = (by_key(tmp_path / f"{w}.duckdb", HUBSPOT_DEALS) for w in ("warehouse", "clean"))
        assert {key for key, row in clean_deals.items() if deals.get(key) != row} == differing  # it waits too
    assert {t.table: t.rows_rejected for t in landing.tables}["raw_hubspot.deal_stage_history"] == 1
    assert landing.state == clean.state
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        assert read_state(con, "hubspot", "deals") == landing.state  # the cursor moved


# -- through Dagster ---------------------------------------------------------------------------


class SandboxStreams:
    """The ``hubspot`` resource of a run, reading the test's sandbox (with its payload faults)."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def streams(self) -> list[Stream]:
        return hubspot_streams(hubspot_config(self.sandbox))


def deals_run(sb: Sandbox, warehouse: Path, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    """Land HubSpot deals in a real Dagster run, with the vendor's raw-table checks."""
    only_deals = dataclasses.replace(HUBSPOT, streams=tuple(s for s in HUBSPOT.streams if s.name == "deals"))
    defs = dg.Definitions(
        assets=stream_assets(only_deals, "hubspot"),
        asset_checks=[build_raw_table_checks(HUBSPOT)],
        resources={"warehouse": WarehouseResource(path=str(warehouse)), "hubspot": SandboxStreams(sb)},
    )
    job = defs.resolve_implicit_global_asset_job_def()
    return job.execute_in_process(
        instance=instance, asset_selection=raw_table_keys(only_deals), raise_on_error=False
    )


@pytest.mark.parametrize(("pages", "severity"), [(1, "WARN"), (2, "ERROR")])
def test_a_dagster_run_reports_rejects_and_the_check_warns_then_errors(
    sb: Sandbox, tmp_path: Path, pages: int, severity: str
) -> None:
    """About 150 deals: one rejected is under 1 % (WARN), two are over it (ERROR)."""
    sb.faults.corrupt(
        ScriptedCorruption(
            match=HUBSPOT_DEALS.first_load_pages,
            corruption=Corruption.WRONG_TYPE,
            record=0,
            field=HUBSPOT_DEALS.text_field,
            count=pages,
        )
    )
    with dg.DagsterInstance.ephemeral() as instance:
        result = deals_run(sb, tmp_path / "warehouse.duckdb", instance)

    assert result.success is (severity == "WARN")  # an ERROR is blocking: the run fails, the landing stays
    (landed,) = [
        event.materialization
        for event in result.get_asset_materialization_events()
        if event.materialization.asset_key == dg.AssetKey(["raw_hubspot", "deals"])
    ]
    assert landed.metadata["rows_rejected"].value == pages
    (check,) = [
        evaluation
        for evaluation in result.get_asset_check_evaluations()
        if evaluation.check_name == REJECTS_CHECK and evaluation.asset_key.path[-1] == "deals"
    ]
    assert not check.passed
    assert check.severity.value == severity
    assert check.metadata["open_rejects"].value == pages
