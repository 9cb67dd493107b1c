"""Which PSA a run reads, decided when definitions load, and what a run without one lands.

The sandbox's technicians must never be mixed into a real business's books: with HubSpot or Xero
on a real account and no ``CONNECTWISE_*`` credentials, the PSA streams are idle -- their tables
are created empty (so the labour models build) and the run log says labour is not measured.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from connectors.connectwise.catalog import CATALOG
from connectors.connectwise.config import CREDENTIAL_VARS as CONNECTWISE_VARS
from dagster_project.defs.resources import (
    CREDENTIAL_VARS,
    ConnectWiseResource,
    HttpResource,
    SandboxResource,
    resources,
)
from dagster_project.loader.landing import land_stream
from dagster_project.loader.stream_state import ensure_state_table, read_state, write_state


def _connectwise(monkeypatch: pytest.MonkeyPatch, *set_vars: str) -> ConnectWiseResource:
    for name in CREDENTIAL_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("XERO_GRANT_TYPE", raising=False)
    for name in set_vars:
        monkeypatch.setenv(name, f"value-of-{name}")
    resource = resources().resources["connectwise"]
    assert isinstance(resource, ConnectWiseResource)
    return resource


@pytest.mark.parametrize(
    ("set_vars", "source"),
    [
        ((), "sandbox"),
        (("HUBSPOT_ACCESS_TOKEN",), "none"),
        (("XERO_CLIENT_ID", "XERO_CLIENT_SECRET", "XERO_REFRESH_TOKEN"), "none"),
        (CONNECTWISE_VARS, "real"),
        (("HUBSPOT_ACCESS_TOKEN", *CONNECTWISE_VARS), "real"),
    ],
    ids=["nothing-set", "real-hubspot", "real-xero", "psa-alone", "real-hubspot-and-psa"],
)
def test_the_psa_read_follows_the_credentials(
    monkeypatch: pytest.MonkeyPatch, set_vars: tuple[str, ...], source: str
) -> None:
    assert _connectwise(monkeypatch, *set_vars).source == source


def test_psa_keys_bind_as_env_vars_never_values(monkeypatch: pytest.MonkeyPatch) -> None:
    resource = _connectwise(monkeypatch, *CONNECTWISE_VARS)
    assert resource.private_key == dg.EnvVar("CONNECTWISE_PRIVATE_KEY")


def test_incomplete_psa_credentials_fail_naming_the_missing_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(
        dg.DagsterInvalidDefinitionError, match="CONNECTWISE_CLIENT_ID, CONNECTWISE_PRIVATE_KEY"
    ):
        _connectwise(monkeypatch, "CONNECTWISE_COMPANY_ID", "CONNECTWISE_PUBLIC_KEY")


def test_without_a_psa_every_table_lands_empty_and_a_stored_cursor_is_kept(tmp_path: Path) -> None:
    """What a run with a real CRM and no PSA lands: every raw table of the catalogue, empty; a
    cursor stored while a PSA was configured survives, so reconnecting does not reload everything."""
    resource = ConnectWiseResource(source="none", sandbox=SandboxResource(), http=HttpResource())
    streams = resource.streams()
    assert [stream.name for stream in streams] == [stream.name for stream in CATALOG.streams]
    cursor = {"last_updated": "2026-01-01T00:00:00Z"}
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        ensure_state_table(con)
        write_state(con, "connectwise", "time_entries", cursor, datetime.now(UTC))
        for stream, declared in zip(streams, CATALOG.streams, strict=True):
            landing = land_stream(con, stream, expected_tables=[table.name for table in declared.tables])
            assert all(table.rows_in_table == 0 for table in landing.tables)
        tables = con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw_connectwise'"
        ).fetchall()
        assert {name for (name,) in tables} == {table.name for table in CATALOG.tables}
        assert read_state(con, "connectwise", "time_entries") == cursor
