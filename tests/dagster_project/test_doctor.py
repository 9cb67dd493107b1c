"""``milemarker doctor`` against the sandbox: every line OK for a complete set-up, and WARN for what a
real portal may lack (a custom property, a stage the seed does not map) and for a run left STARTED."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

import duckdb
import pytest
from cli_sandbox import CONFIG, LIMITS, as_custom_connection, point_at

from dagster_project.cli.doctor import run_doctor, xero_section
from dagster_project.cli.instance import INSTANCE_CONFIG
from sandbox.service.server import Sandbox, run_sandbox
from sandbox.simulation.business import SimulatedBusiness


class PlainPortal(SimulatedBusiness):
    """A portal without ``mrr_amount`` and with a stage nobody mapped."""

    def hubspot_properties(self, object_type: str) -> Sequence[Mapping[str, Any]]:
        return [p for p in super().hubspot_properties(object_type) if p["name"] != "mrr_amount"]

    def hubspot_pipelines(self, object_type: str) -> Sequence[Mapping[str, Any]]:
        pipelines = [dict(p) for p in super().hubspot_pipelines(object_type)]
        extra = {**pipelines[0]["stages"][0], "id": "demo_booked", "label": "Demo booked"}
        pipelines[0]["stages"] = [*pipelines[0]["stages"], extra]
        return pipelines


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with run_sandbox(CONFIG, faults=LIMITS) as running:
        yield running


def _complete_setup(tmp_path: Path) -> Path:
    """A warehouse file and a Dagster home, as a first ``make demo`` leaves them."""
    (tmp_path / "data").mkdir()
    duckdb.connect(str(tmp_path / "data" / "warehouse.duckdb")).close()
    home = tmp_path / "dagster"
    home.mkdir()
    shutil.copyfile(INSTANCE_CONFIG, home / "dagster.yaml")
    return home


def test_everything_ok_against_the_sandbox(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    point_at(sandbox, monkeypatch, tmp_path)
    _complete_setup(tmp_path)

    assert run_doctor() == 0

    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 17 and all(line.startswith("OK ") for line in lines), "\n".join(lines)
    assert any(line.startswith("OK    xero rate limit: 4,9") for line in lines)
    assert any(line.startswith("OK    connectwise access: all 9 lists readable") for line in lines)


def test_a_custom_connection_is_checked_like_an_app(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The Xero section alone: the connection, scopes, budget, tracking and currency, all OK."""
    point_at(sandbox, monkeypatch, tmp_path)
    as_custom_connection(sandbox, monkeypatch)
    organisation = sandbox.business.xero_organisation()

    def no_sandbox() -> Sandbox:
        raise AssertionError("credentials are set: doctor must not start a sandbox of its own")

    checks = xero_section(no_sandbox, tmp_path, organisation["BaseCurrency"])  # type: ignore[arg-type]

    lines = [check.line() for check in checks]
    assert len(lines) == 5 and all(line.startswith("OK ") for line in lines), "\n".join(lines)
    assert lines[0] == f"OK    xero connection: {organisation['Name']} ({sandbox.credentials.xero_tenant_id})"
    assert not any(sandbox.credentials.xero_custom_client_secret in line for line in lines)
    assert not (tmp_path / "data").exists()  # no token store


def test_what_a_real_portal_may_lack_is_a_warning(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = _complete_setup(tmp_path)
    (home / "history").mkdir()
    with closing(sqlite3.connect(home / "history" / "runs.db")) as runs, runs:
        runs.execute("create table runs (run_id text, status text)")
        runs.execute("insert into runs values ('0a1b2c3d-dead', 'STARTED'), ('9f8e7d6c-done', 'SUCCESS')")

    with run_sandbox(CONFIG, faults=LIMITS, business=PlainPortal(CONFIG)) as portal:
        point_at(portal, monkeypatch, tmp_path)
        assert run_doctor() == 0  # warnings only: a run still works

    out = capsys.readouterr().out
    assert "WARN  hubspot custom properties: the portal lacks deals.mrr_amount ->" in out
    assert (
        "WARN  hubspot stage mapping: not in goals.yml sources.hubspot.deal_stages: default/demo_booked "
        "(Demo booked)" in out
    )
    assert "WARN  dagster home: 1 run(s) still marked STARTED: 0a1b2c3d" in out
    assert "FAIL" not in out


def test_the_mapping_and_categories_are_read_from_goals_yml(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A portal's own stage mapped in goals.yml is no longer unmapped; renamed categories are looked for."""
    _complete_setup(tmp_path)
    goals = tmp_path / "goals.yml"
    goals.write_text(
        "sources:\n"
        "  hubspot:\n"
        "    deal_stages:\n"
        "      default: {appointmentscheduled: appointment, qualifiedtobuy: appointment,\n"
        "                presentationscheduled: appointment, decisionmakerboughtin: appointment,\n"
        "                contractsent: proposal, closedwon: won, closedlost: lost,\n"
        "                demo_booked: appointment}\n"
        "  xero:\n"
        "    tracking_categories: {service_line: Practice, client: Client}\n"
    )
    monkeypatch.setenv("MILEMARKER_GOALS_FILE", str(goals))

    with run_sandbox(CONFIG, faults=LIMITS, business=PlainPortal(CONFIG)) as portal:
        point_at(portal, monkeypatch, tmp_path)
        assert run_doctor() == 0

    out = capsys.readouterr().out
    assert "OK    hubspot stage mapping: every live deal stage is mapped in goals.yml" in out
    assert 'WARN  xero tracking categories: no "Practice" category' in out


def test_without_credentials_it_checks_a_sandbox_and_says_so(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    point_at(sandbox, monkeypatch, tmp_path)
    for name in sandbox.env():
        monkeypatch.delenv(name)
    _complete_setup(tmp_path)

    assert run_doctor() == 0

    out = capsys.readouterr().out
    assert "OK    hubspot: HUBSPOT_ACCESS_TOKEN is not set: checking the sandbox" in out
    assert "OK    xero: XERO_CLIENT_ID/SECRET/REFRESH_TOKEN are not set: checking the sandbox" in out
    assert "OK    connectwise: CONNECTWISE_* are not set: checking the sandbox" in out
    assert "WARN" not in out and "FAIL" not in out


def test_incomplete_xero_credentials_fail_naming_the_missing_one(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    point_at(sandbox, monkeypatch, tmp_path)
    monkeypatch.delenv("XERO_REFRESH_TOKEN")
    _complete_setup(tmp_path)

    assert run_doctor() == 1
    assert "FAIL  xero: XERO_REFRESH_TOKEN not set" in capsys.readouterr().out
