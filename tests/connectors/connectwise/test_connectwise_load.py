"""The ConnectWise PSA connector against the sandbox's PSA: full and incremental loads, hard
deletes, faults, and what a wrong key says.

Loads are landed by the production landing code into DuckDB, so "nothing lost, nothing twice" is
checked where it matters: the raw tables after a full load, after faults, and after the business
moved on and the streams read only what changed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from connectors.base import AuthenticationError
from connectors.connectwise import ConnectWiseConfig, connectwise_streams
from connectors.connectwise.tables import ENDPOINTS
from dagster_project.loader.landing import land_stream
from sandbox.service.faults import FaultKind, FaultProfile
from sandbox.service.server import Sandbox

LISTS = {endpoint.stream: endpoint.table.name for endpoint in ENDPOINTS}


def land_all(config: ConnectWiseConfig, warehouse: Path) -> dict[str, int]:
    """Land every stream into ``warehouse``; rows landed per table."""
    landed: dict[str, int] = {}
    with duckdb.connect(str(warehouse)) as con:
        for stream in connectwise_streams(config):
            for table in land_stream(con, stream).tables:
                landed[table.table] = table.rows_landed
    return landed


def live_ids(warehouse: Path, table: str) -> set[int]:
    """Ids the table holds, soft-deleted companies included (they are served too, flagged)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            row[0]
            for row in con.execute(
                f"select id from raw_connectwise.{table} where not _is_deleted or {table == 'companies'}"
            ).fetchall()
        }


def deleted_entries(warehouse: Path) -> set[int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select id from raw_connectwise.time_entry_ids where _is_deleted").fetchall()
    return {row[0] for row in rows}


def served_ids(sb: Sandbox, entity: str) -> set[int]:
    return {record["id"] for record in sb.business.connectwise_records(entity)}


def test_a_full_load_lands_every_served_record_once(
    sb: Sandbox, make_config: Callable[..., ConnectWiseConfig], tmp_path: Path
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    land_all(make_config(page_size=250), warehouse)
    for table in LISTS.values():
        assert live_ids(warehouse, table) == served_ids(sb, table), table
    assert live_ids(warehouse, "agreement_additions") == served_ids(sb, "additions")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        entries = con.execute(
            "select count(*), count(hourlyCost) from raw_connectwise.time_entries"
        ).fetchone()
    assert entries is not None and 0 < entries[1] < entries[0], "some entries hide their cost, most carry it"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        flagged = {
            row[0]
            for row in con.execute("select id from raw_connectwise.companies where _is_deleted").fetchall()
        }
    assert flagged == {c["id"] for c in sb.business.connectwise_records("companies") if c.get("deletedFlag")}
    assert flagged, "the sandbox soft-deletes some churned clients' companies"


def test_the_next_days_land_what_changed_and_find_hard_deletes(
    sb: Sandbox, make_config: Callable[..., ConnectWiseConfig], tmp_path: Path
) -> None:
    """A week later, an incremental load leaves the tables as a fresh full load would: new and
    edited entries in, deleted ones marked by the id listing, nothing twice."""
    incremental, fresh = tmp_path / "incremental.duckdb", tmp_path / "fresh.duckdb"
    land_all(make_config(), incremental)
    before = live_ids(incremental, "time_entries")
    sb.advance(7)
    landed = land_all(make_config(), incremental)
    land_all(make_config(), fresh)
    served = served_ids(sb, "time_entries")
    gone = before - served
    assert gone, "the sandbox deletes some entries within days of entry"
    assert gone <= deleted_entries(incremental)
    assert live_ids(incremental, "time_entries") - deleted_entries(incremental) == served
    assert landed["raw_connectwise.time_entries"] < len(served) / 5, "an incremental load reads the changes"
    for table in LISTS.values():
        if table != "time_entries":
            assert live_ids(incremental, table) == live_ids(fresh, table), table


@pytest.mark.parametrize(
    "fault",
    [FaultKind.HTTP_500, FaultKind.HTTP_503, FaultKind.TRUNCATED, FaultKind.HTML_200, FaultKind.RATE_LIMIT],
)
def test_faulty_pages_are_fetched_again_and_nothing_is_lost(
    sb: Sandbox, make_config: Callable[..., ConnectWiseConfig], tmp_path: Path, fault: FaultKind
) -> None:
    count = (
        1 if fault == FaultKind.HTTP_500 else 2
    )  # a 500 is retried once (HttpSettings.server_error_retries)
    sb.faults.script(r"/time/entries\?.*pageId=", fault, count=count)
    warehouse = tmp_path / "warehouse.duckdb"
    land_all(make_config(page_size=200), warehouse)
    assert live_ids(warehouse, "time_entries") == served_ids(sb, "time_entries")
    assert sb.stats()["faults_injected"].get(fault.value, 0) >= count


def test_a_random_fault_storm_loses_nothing(
    sb: Sandbox, make_config: Callable[..., ConnectWiseConfig], tmp_path: Path
) -> None:
    sb.faults.configure(
        FaultProfile(
            seed=3,
            rates={
                FaultKind.HTTP_502: 0.05,
                FaultKind.HTTP_503: 0.05,
                FaultKind.TRUNCATED: 0.05,
                FaultKind.HTML_200: 0.03,
                FaultKind.RATE_LIMIT: 0.05,
            },
        )
    )
    warehouse = tmp_path / "warehouse.duckdb"
    land_all(make_config(page_size=200), warehouse)
    for table in LISTS.values():
        assert live_ids(warehouse, table) == served_ids(sb, table), table
    assert live_ids(warehouse, "agreement_additions") == served_ids(sb, "additions")
    assert sum(sb.stats()["faults_injected"].values()) > 10


def test_a_wrong_private_key_says_which_variables_to_check_and_never_shows_the_key(
    make_config: Callable[..., ConnectWiseConfig],
) -> None:
    stream = connectwise_streams(make_config(private_key="not-the-key-9f8e7d"))[0]
    with pytest.raises(AuthenticationError) as error:
        next(stream.read(None))
    assert "CONNECTWISE_PRIVATE_KEY" in str(error.value) and "not-the-key-9f8e7d" not in str(error.value)


def test_a_day_later_additions_are_read_for_the_changed_agreements_only(
    sb: Sandbox, make_config: Callable[..., ConnectWiseConfig], tmp_path: Path
) -> None:
    """One call per agreement is the cost of additions; a daily run pays it only for the agreements
    that changed (the wide pass over every active one waits a week on the PSA's clock)."""
    warehouse = tmp_path / "warehouse.duckdb"
    land_all(make_config(), warehouse)
    active = sum(a.get("agreementStatus") == "Active" for a in sb.business.connectwise_records("agreements"))
    sb.advance(1)
    stream = next(s for s in connectwise_streams(make_config()) if s.name == "agreement_additions")
    with duckdb.connect(str(warehouse)) as con:
        landing = land_stream(con, stream)
    assert landing.timings.requests < active / 4, (landing.timings.requests, active)
    assert live_ids(warehouse, "agreement_additions") == served_ids(sb, "additions")
