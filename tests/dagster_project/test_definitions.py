"""The code location loads and is wired as designed: the pytest equivalent of ``dg check defs``."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import dagster as dg
import pytest

from connectors.registry import SOURCES
from dagster_project.config.organisation import load_organisation
from dagster_project.config.source_settings import dbt_source_vars, load_source_settings
from dagster_project.definitions import defs as load_definitions
from dagster_project.defs.dbt.assets import DbtBuildConfig, milemarker_dbt
from dagster_project.defs.dbt.build_vars import (
    AS_OF_ENV,
    SandboxDayMismatch,
    as_of_environment,
    build_as_of,
    dbt_vars,
)
from dagster_project.defs.dbt.cli import MilemarkerDbtCliResource
from dagster_project.defs.dbt.project import DBT_PROJECT
from dagster_project.defs.jobs import LAND_RAW
from dagster_project.defs.resources import (
    CREDENTIAL_VARS,
    HubspotResource,
    SandboxResource,
    WarehouseResource,
    XeroResource,
    resources,
)
from dagster_project.defs.streams import raw_table_keys
from dagster_project.settings import SHIPPED_GOALS_FILE


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    definitions = load_definitions()
    dg.Definitions.validate_loadable(definitions)
    return definitions


RAW_KEYS = {key for source in SOURCES for key in raw_table_keys(source.catalog)}
STREAM_COUNT = sum(len(source.catalog.streams) for source in SOURCES)


def test_every_raw_table_is_an_asset_in_its_vendor_group(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    for source in SOURCES:
        for key in raw_table_keys(source.catalog):
            assert key.path[0] == f"raw_{source.catalog.source}", key
            assert graph.get(key).group_name == source.catalog.source, key


def test_each_stream_is_one_op_named_after_its_source_and_landing_every_table_it_writes(
    defs: dg.Definitions,
) -> None:
    ops = {a.node_def.name: a.keys for a in defs.resolve_asset_graph().assets_defs if a.is_executable}
    for source in SOURCES:
        schema = source.catalog.raw_schema
        for stream in source.catalog.streams:
            tables = {dg.AssetKey([schema, table.name]) for table in stream.tables}
            assert ops[f"{source.catalog.source}_{stream.name}"] == tables


def test_land_raw_lands_every_stream_and_the_goals_with_their_checks_and_nothing_else(
    defs: dg.Definitions,
) -> None:
    """Selected by the raw-layer tag: the steps are the same as when it selected vendor groups."""
    steps = set(defs.resolve_job_def(LAND_RAW).graph.node_dict)
    expected = {"raw_config__goals"}
    for source in SOURCES:
        name = source.catalog.source
        expected |= {f"{name}_{stream.name}" for stream in source.catalog.streams}
        expected.add(f"{name}_raw_table_checks")
    # the column-schema-change checks (Dagster's factory) run as one step with a generated name
    assert {step for step in steps if not step.startswith("asset_check_")} == expected


def test_dbt_sources_link_to_raw_assets_so_the_graph_is_connected(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    materializable = set(graph.materializable_asset_keys)
    raw = RAW_KEYS
    staging = {key for key in materializable if key.path[-1].startswith("stg_")}
    assert len(staging) >= len(raw)
    for key in staging:
        parents = graph.get(key).parent_keys
        assert parents, f"{key} has no upstream asset"
        assert parents <= materializable, f"{key} depends on unlinked {parents - materializable}"
    assert raw <= {parent for key in staging for parent in graph.get(key).parent_keys}


def test_steps_run_in_process_and_claim_no_pool_a_killed_run_could_keep(defs: dg.Definitions) -> None:
    """Writers are kept apart by in-process execution and DuckDB's lock, never by a pool slot."""
    steps = [a for a in defs.resolve_asset_graph().assets_defs if a.is_executable]
    assert len(steps) > STREAM_COUNT  # one op per stream, dbt, checks...
    for assets_def in steps:
        assert assets_def.op.pool is None, assets_def.node_def.name
    for job in defs.resolve_all_job_defs():
        assert job.executor_def.name == "in_process", job.name


def test_dbt_tests_are_asset_checks(defs: dg.Definitions) -> None:
    check_keys = defs.resolve_asset_graph().asset_check_keys
    assert (
        dg.AssetCheckKey(dg.AssetKey(["staging", "stg_hubspot__deals"]), "unique_stg_hubspot__deals_deal_id")
        in check_keys
    )


def test_dbt_gets_the_organisation_and_its_as_of_date_or_the_launch_config_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    organisation = load_organisation(SHIPPED_GOALS_FILE)
    warehouse = Path("/data/warehouse.duckdb")
    assert dbt_vars(warehouse) == {  # no day among them: a new day must not re-parse the project
        "org_timezone": organisation.timezone,
        "fiscal_year_start_month": organisation.fiscal_year_start_month,
        "home_currency": organisation.currency,
        "employees": organisation.employees,
        "warehouse_path": "/data/warehouse.duckdb",
        **dbt_source_vars(load_source_settings(SHIPPED_GOALS_FILE)),
    }
    assert build_as_of(DbtBuildConfig(as_of_date="2025-03-31")) == date(2025, 3, 31)
    assert build_as_of(DbtBuildConfig()) == organisation.today()
    with pytest.raises(ValueError):
        build_as_of(DbtBuildConfig(as_of_date="31/03/2025"))

    monkeypatch.setenv(AS_OF_ENV, "2020-01-01")
    with as_of_environment(date(2025, 3, 31)):
        assert os.environ[AS_OF_ENV] == "2025-03-31"
    assert os.environ[AS_OF_ENV] == "2020-01-01"
    monkeypatch.delenv(AS_OF_ENV)
    with as_of_environment(date(2025, 3, 31)):
        assert os.environ[AS_OF_ENV] == "2025-03-31"
    assert AS_OF_ENV not in os.environ


def test_the_embedded_sandboxs_day_is_the_as_of_day_and_another_one_is_refused() -> None:
    day = date(2026, 8, 19)
    assert build_as_of(DbtBuildConfig(), sandbox_day=day) == day
    assert build_as_of(DbtBuildConfig(as_of_date="2026-08-19"), sandbox_day=day) == day
    with pytest.raises(SandboxDayMismatch) as refused:
        build_as_of(DbtBuildConfig(as_of_date="2026-08-20"), sandbox_day=day)
    assert str(refused.value).startswith("as_of_date 2026-08-20 is not the embedded sandbox's day 2026-08-19")
    assert "MILEMARKER_SANDBOX_AS_OF=2026-08-20" in str(refused.value)


def test_the_dbt_step_refuses_a_day_other_than_the_sandboxs_before_building(tmp_path: Path) -> None:
    result = dg.materialize(
        [milemarker_dbt],
        selection=[dg.AssetKey(["marts", "dim_date"])],
        resources={
            "dbt": MilemarkerDbtCliResource.leashed(DBT_PROJECT),
            "warehouse": WarehouseResource(path=str(tmp_path / "warehouse.duckdb")),
            "sandbox": SandboxResource(as_of="2026-08-19"),
        },
        run_config={"ops": {milemarker_dbt.op.name: {"config": {"as_of_date": "2026-08-20"}}}},
        raise_on_error=False,
    )

    [failure] = result.get_step_failure_events()
    message = failure.step_failure_data.user_failure_data.description
    assert message.startswith("as_of_date 2026-08-20 is not the embedded sandbox's day 2026-08-19")
    assert not (tmp_path / "warehouse.duckdb").exists()  # refused before dbt opened anything


def test_the_sandboxs_day_is_the_day_it_serves_once_started() -> None:
    """A run crossing midnight keeps the day its data was served on, not the next wall-clock day."""
    sandbox = SandboxResource(scale=0.02, as_of="2026-06-30")
    try:
        running = sandbox.running()
        running.advance(1)  # as a clock crossing midnight between landing and dbt would
        assert sandbox.day() == running.business.as_of == date(2026, 7, 1)
    finally:
        sandbox.teardown_after_execution(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("credentials", "in_use"),
    [
        ((), True),
        (("HUBSPOT_ACCESS_TOKEN",), True),
        (("XERO_CLIENT_ID", "XERO_CLIENT_SECRET", "XERO_REFRESH_TOKEN"), True),
        (("HUBSPOT_ACCESS_TOKEN", "XERO_CLIENT_ID", "XERO_CLIENT_SECRET", "XERO_REFRESH_TOKEN"), False),
    ],
)
def test_the_sandbox_rules_the_as_of_day_while_any_vendor_reads_it(
    monkeypatch: pytest.MonkeyPatch, credentials: tuple[str, ...], in_use: bool
) -> None:
    for name in CREDENTIAL_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("XERO_GRANT_TYPE", raising=False)
    for name in credentials:
        monkeypatch.setenv(name, f"value-of-{name}")
    sandbox = resources().resources["sandbox"]
    assert sandbox.data["in_use"] is in_use  # type: ignore[union-attr]


def bound(name: str) -> dict[str, object]:
    return resources().resources[name]  # type: ignore[return-value]


def test_without_credentials_both_vendors_read_the_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in CREDENTIAL_VARS:
        monkeypatch.delenv(name, raising=False)
    hubspot, xero = bound("hubspot"), bound("xero")
    assert isinstance(hubspot, HubspotResource) and hubspot.access_token is None
    assert isinstance(xero, XeroResource) and xero.client_id is None


def test_credentials_bind_as_env_vars_and_urls_can_be_overridden(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in CREDENTIAL_VARS:
        monkeypatch.setenv(name, f"value-of-{name}")
    monkeypatch.setenv("HUBSPOT_BASE_URL", "https://hubspot.example")
    hubspot, xero = bound("hubspot"), bound("xero")
    assert isinstance(hubspot, HubspotResource) and isinstance(xero, XeroResource)
    # The resources hold the variable's name, resolved only inside a run: never the secret itself.
    assert hubspot.access_token == dg.EnvVar("HUBSPOT_ACCESS_TOKEN")
    assert xero.refresh_token == dg.EnvVar("XERO_REFRESH_TOKEN")
    assert hubspot.base_url == "https://hubspot.example"


def test_incomplete_xero_credentials_fail_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in CREDENTIAL_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XERO_CLIENT_ID", "an-app")
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="XERO_CLIENT_SECRET, XERO_REFRESH_TOKEN"):
        resources()
