"""Checks as Dagster sees them: goal checks generated from the goals file and evaluated on the marts,
and the project's wiring of goal, raw-table and freshness checks.

The warehouse here is a hand-made DuckDB holding only the pacing columns the checks read, so the
wiring (goals file -> specs -> query -> result metadata) is tested in seconds; the e2e test runs the
same checks on marts dbt built from the sandbox.
"""

from __future__ import annotations

import logging
import textwrap
from dataclasses import asdict, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest
from pacing_rows import ON_TRACK, TODAY

from connectors.registry import SOURCES
from dagster_project.config.run_schedule import load_daily_run
from dagster_project.defs.checks.freshness import RAW_FRESHNESS, mart_freshness
from dagster_project.defs.checks.goals import GOAL_STATUS_ASSET, build_goal_checks, check_result
from dagster_project.defs.checks.raw import PRIMARY_KEY_CHECK, ROW_COUNT_CHECK
from dagster_project.defs.resources import WarehouseResource
from dagster_project.defs.streams import raw_table_keys
from dagster_project.goals.checks import PacingRow, Reason, Verdict
from dagster_project.goals.evaluation import GoalOutcome, goal_lines
from dagster_project.goals.landing import load_goals_file
from dagster_project.goals.report import goal_outcomes, render_goal_outcomes
from dagster_project.settings import SHIPPED_GOALS_FILE

GOALS = """\
organisation: {timezone: America/New_York}
goals:
  - id: leads_monthly
    name: Leads
    metric: leads
    period: {type: month, from: 2026-01}
    target: 60
  - id: calls_per_rep
    name: Prospecting
    metric: prospecting_attempts
    period: {type: month, from: 2026-01}
    per_owner: {alice@example.com: 300, bob@example.com: 200}
  - id: next_year
    metric: leads
    period: {type: year, from: 2027}
    target: 900
"""

LEADS = replace(
    ON_TRACK,
    actual_to_date=30.0,
    pace_index=0.75,
    projected_finish=45.0,
    projected_attainment=0.75,
    projected_attainment_rr=0.75,
    required_run_rate_per_week=21.0,
    current_run_rate_per_week=10.5,
    status="off_track",
    status_reason="behind pace and projected short",
    consecutive_off_track_days=3,
)
ALICE = replace(
    LEADS,
    goal_target_id="calls_per_rep|alice@example.com",
    goal_id="calls_per_rep",
    goal_name="Prospecting",
    owner_key="alice@example.com",
    target=300.0,
    actual_to_date=210.0,
    expected_to_date=200.0,
    pace_index=1.05,
    projected_finish=315.0,
    projected_attainment=1.05,
    projected_attainment_rr=1.05,
    status="ahead",
    status_reason="ahead of pace",
    consecutive_off_track_days=0,
)
HISTORY = [
    replace(LEADS, as_of_date=TODAY - timedelta(days=1), consecutive_off_track_days=2),
    replace(LEADS, as_of_date=TODAY - timedelta(days=40), period_start=date(2026, 10, 1)),
]


@pytest.fixture()
def goals_file(tmp_path: Path) -> Path:
    path = tmp_path / "goals.yml"
    path.write_text(textwrap.dedent(GOALS))
    return path


@pytest.fixture()
def warehouse(tmp_path: Path) -> Path:
    """A DuckDB with the two pacing marts; bob has no row (an unknown rep), next_year has not started."""
    path = tmp_path / "warehouse.duckdb"
    rows = [LEADS, ALICE, *HISTORY]
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        values = ", ".join("(" + ", ".join("?" for _ in PacingRow.columns()) + ")" for _ in rows)
        con.execute(
            f"create table marts.fct_goal_pacing_daily as select * from (values {values}) "
            f"as t({', '.join(PacingRow.columns())})",
            [value for row in rows for value in asdict(row).values()],
        )
        con.execute(
            f"create table marts.mart_goal_status as select * from marts.fct_goal_pacing_daily "
            f"where as_of_date = date '{TODAY.isoformat()}'"
        )
    return path


def run_checks(goals_file: Path, warehouse: Path) -> dict[str, dg.AssetCheckResult]:
    checks = build_goal_checks(goals_file)
    context = dg.build_asset_check_context(resources={"warehouse": WarehouseResource(path=str(warehouse))})
    return {result.check_name: result for result in checks(context)}


def test_every_goal_line_gets_one_non_blocking_check_on_the_goal_status_mart(goals_file: Path) -> None:
    checks = build_goal_checks(goals_file)

    assert {key.name for key in checks.check_keys} == {
        "goal_leads_monthly",
        "goal_calls_per_rep__alice",
        "goal_calls_per_rep__bob",
        "goal_next_year",
    }
    assert {key.asset_key for key in checks.check_keys} == {GOAL_STATUS_ASSET}
    assert not any(spec.blocking for spec in checks.check_specs)


def test_adding_a_goal_adds_a_check(goals_file: Path) -> None:
    goals_file.write_text(
        goals_file.read_text()
        + "  - id: deals_quarterly\n    metric: deals_won\n    period: {type: quarter, from: 2026-Q1}\n"
        "    target: 30\n"
    )

    assert "goal_deals_quarterly" in {key.name for key in build_goal_checks(goals_file).check_keys}


def test_results_carry_the_verdict_and_the_marts_numbers(goals_file: Path, warehouse: Path) -> None:
    results = run_checks(goals_file, warehouse)

    leads = results["goal_leads_monthly"]
    assert (leads.passed, leads.severity) == (False, dg.AssetCheckSeverity.ERROR)
    assert leads.description.startswith("Off track for 3 days in a row")
    metadata = {key: value.value for key, value in leads.metadata.items()}
    assert {
        "target": metadata["target"],
        "actual": metadata["actual"],
        "expected": metadata["expected"],
        "pace_index": metadata["pace_index"],
        "projected_finish": metadata["projected_finish"],
        "projected_attainment": metadata["projected_attainment"],
        "required_run_rate_per_week": metadata["required_run_rate_per_week"],
        "current_run_rate_per_week": metadata["current_run_rate_per_week"],
        "consecutive_off_track_days": metadata["consecutive_off_track_days"],
    } == {
        "target": LEADS.target,
        "actual": LEADS.actual_to_date,
        "expected": LEADS.expected_to_date,
        "pace_index": LEADS.pace_index,
        "projected_finish": LEADS.projected_finish,
        "projected_attainment": LEADS.projected_attainment,
        "required_run_rate_per_week": LEADS.required_run_rate_per_week,
        "current_run_rate_per_week": LEADS.current_run_rate_per_week,
        "consecutive_off_track_days": LEADS.consecutive_off_track_days,
    }
    assert (metadata["status"], metadata["pacing_status"], metadata["as_of_date"], metadata["reason"]) == (
        "off track",
        "off_track",
        "2026-11-20",
        "off_track",
    )
    assert metadata["unit"] == "count"

    assert results["goal_calls_per_rep__alice"].passed
    bob = results["goal_calls_per_rep__bob"]
    assert (bob.passed, bob.severity, bob.metadata["reason"].value) == (
        False,
        dg.AssetCheckSeverity.WARN,
        "no_pacing_row",
    )
    assert results["goal_next_year"].passed


def test_metadata_are_rounded_to_the_metrics_unit_and_say_it() -> None:
    line = goal_lines(load_goals_file(SHIPPED_GOALS_FILE))[0]
    row = replace(
        LEADS,
        metric_unit="money",
        target=850_000.0,
        actual_to_date=123_456.78901,
        expected_to_date=120_000.004,
        pace_index=1.0288065,
        projected_attainment=0.9876543,
        required_run_rate_per_week=17_123.456,
    )
    verdict = Verdict(True, None, Reason.ON_TRACK, "On track", drift=-0.0123456)

    result = check_result(GoalOutcome(line, verdict, row), currency="GBP")

    metadata = {key: value.value for key, value in result.metadata.items()}
    assert (metadata["unit"], metadata["status"]) == ("GBP", "on track")
    assert (metadata["actual"], metadata["expected"], metadata["required_run_rate_per_week"]) == (
        123_456.79,
        120_000.0,
        17_123.46,
    )
    ratios = (metadata["pace_index"], metadata["projected_attainment"], metadata["drift"])
    assert ratios == (1.029, 0.988, -0.012)


def test_the_terminal_report_names_the_goals_that_warn_or_fail(goals_file: Path, warehouse: Path) -> None:
    report = render_goal_outcomes(goal_outcomes(warehouse, goals_file))

    lines = report.splitlines()
    assert lines[0] == "Goal checks as of 2026-11-20: 1 ERROR, 1 WARN, 2 passed"
    assert lines[1].startswith("  ERROR  goal_leads_monthly: Off track for 3 days in a row")
    assert lines[2].startswith(
        "  WARN  goal_calls_per_rep__bob: No data: Prospecting (bob@example.com) has no pacing row"
    )
    assert len(lines) == 3


REPS_THAT_SLUG_ALIKE = """\
goals:
  - id: calls_per_rep
    metric: prospecting_attempts
    period: {type: month, from: 2026-01}
    per_owner: {a.b@example.com: 300, a_b@example.com: 200, carol@example.com: 100}
"""


def load_project(monkeypatch: pytest.MonkeyPatch, goals_file: Path) -> dg.Definitions:
    """The code location as ``dagster dev`` loads it, with ``goals_file`` as its goals.yml."""
    from dagster_project.definitions import defs as load_definitions

    monkeypatch.setenv("MILEMARKER_GOALS_FILE", str(goals_file))
    return load_definitions()


def project_goal_checks(definitions: dg.Definitions) -> set[str]:
    keys = definitions.resolve_asset_graph().asset_check_keys
    return {key.name for key in keys if key.asset_key == GOAL_STATUS_ASSET and key.name.startswith("goal_")}


def test_loading_the_code_location_reads_goals_yml_once(
    goals_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Goal checks, schedule, freshness policy and dbt's vars all read it: one read, one parse."""
    reads: list[Path] = []
    open_path = Path.open

    def counting_open(path: Path, *args: Any, **kwargs: Any) -> Any:
        if path.name == goals_file.name and path.resolve() == goals_file.resolve():
            reads.append(path)
        return open_path(path, *args, **kwargs)

    monkeypatch.setattr(Path, "open", counting_open)
    definitions = load_project(monkeypatch, goals_file)

    assert len(reads) == 1
    assert project_goal_checks(definitions) == {
        "goal_leads_monthly",
        "goal_calls_per_rep__alice",
        "goal_calls_per_rep__bob",
        "goal_next_year",
    }


def test_reps_whose_emails_slug_alike_each_get_a_check_with_a_stable_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    goals_file = tmp_path / "goals.yml"
    goals_file.write_text(REPS_THAT_SLUG_ALIKE)

    checks = project_goal_checks(load_project(monkeypatch, goals_file))

    assert checks == {
        "goal_calls_per_rep__a_b_example_com__a6f1bad1",
        "goal_calls_per_rep__a_b_example_com__0bf933ff",
        "goal_calls_per_rep__carol_example_com",
    }


def test_the_same_rep_twice_in_different_case_is_logged_with_its_line_and_the_load_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    goals_file = tmp_path / "goals.yml"
    goals_file.write_text(REPS_THAT_SLUG_ALIKE.replace("a_b@example.com", "A.B@Example.com"))
    monkeypatch.setenv("MILEMARKER_DUCKDB", str(tmp_path / "no-warehouse-yet.duckdb"))

    with caplog.at_level(logging.WARNING):
        definitions = load_project(monkeypatch, goals_file)

    assert (
        "goals.yml:5 goals[0].per_owner: 'A.B@Example.com' and 'a.b@example.com' differ only in case"
        in caplog.text
    )
    assert project_goal_checks(definitions) == set()  # no goals ever landed: none to check yet


@pytest.fixture(scope="module")
def project_graph() -> dg.AssetGraph:
    from dagster_project.definitions import defs as load_definitions

    return load_definitions().resolve_asset_graph()


def test_the_project_checks_every_goal_on_the_built_goal_status_mart(project_graph: dg.AssetGraph) -> None:
    lines = goal_lines(load_goals_file(SHIPPED_GOALS_FILE))
    goal_checks = {
        key.name
        for key in project_graph.asset_check_keys
        if key.asset_key == GOAL_STATUS_ASSET and key.name.startswith("goal_")
    }

    assert GOAL_STATUS_ASSET in project_graph.materializable_asset_keys
    assert goal_checks == {line.check_name for line in lines}


def test_every_raw_table_has_blocking_key_and_row_count_checks_and_a_schema_check(
    project_graph: dg.AssetGraph,
) -> None:
    for source in SOURCES:
        for key in raw_table_keys(source.catalog):
            checks = {check.name: check for check in project_graph.asset_check_keys if check.asset_key == key}
            assert set(checks) >= {PRIMARY_KEY_CHECK, ROW_COUNT_CHECK, "column_schema_change"}, key
            assert project_graph.get_check_spec(checks[PRIMARY_KEY_CHECK]).blocking
            assert project_graph.get_check_spec(checks[ROW_COUNT_CHECK]).blocking


def test_raw_tables_and_marts_carry_freshness_policies(project_graph: dg.AssetGraph) -> None:
    raw = [key for source in SOURCES for key in raw_table_keys(source.catalog)]
    marts = [key for key in project_graph.materializable_asset_keys if key.path[0] == "marts"]

    assert marts and all(project_graph.get(key).freshness_policy == RAW_FRESHNESS for key in raw)
    assert {project_graph.get(key).freshness_policy for key in marts} == {
        mart_freshness(load_daily_run(SHIPPED_GOALS_FILE))
    }
