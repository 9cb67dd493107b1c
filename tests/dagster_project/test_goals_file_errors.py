"""A goals file error never stops the data (issue 16, item 4).

Definitions load on the last valid goals (those landed in ``raw_config.goals``), the goals asset
rejects the file without failing the run (its check fails, ERROR, with the located message) so
assets downstream still run, reps are validated against the landed HubSpot owners, and
``milemarker status`` prints the mistakes in a few lines, then the report on the last valid goals.
"""

from __future__ import annotations

import logging
import textwrap
from dataclasses import asdict
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from pacing_rows import ON_TRACK
from test_goal_checks_definitions import GOALS, load_project, project_goal_checks

from dagster_project.cli import status
from dagster_project.config.goals import GoalsFileError, KnownOwners, check_owners
from dagster_project.defs.goals.assets import GOALS_ASSET, GOALS_FILE_CHECK, GoalsConfig, goals
from dagster_project.defs.resources import WarehouseResource
from dagster_project.goals.checks import PacingRow
from dagster_project.goals.evaluation import goal_lines, landed_goal_lines
from dagster_project.goals.landing import GOALS_TABLE, land_goals, load_goals_file

TYPO = GOALS.replace("    target: 60\n", "    targte: 60\n")
"""The first goal's target misspelt: line 7 of the file."""
TYPO_LINE = "goals.yml:7 goals[0].targte: unknown field (check the spelling)"
LAST_VALID_CHECKS = {
    "goal_leads_monthly",
    "goal_calls_per_rep__alice",
    "goal_calls_per_rep__bob",
    "goal_next_year",
}
OWNERS = [(1, "alice@example.com", False), (2, "bob@example.com", False), (3, "carol@example.com", True)]
"""(id, e-mail, deleted) as raw_hubspot.owners holds them: carol has left (archived in HubSpot)."""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


@pytest.fixture()
def good(tmp_path: Path) -> Path:
    return write(tmp_path / "good" / "goals.yml", GOALS)


@pytest.fixture()
def bad(tmp_path: Path) -> Path:
    return write(tmp_path / "bad" / "goals.yml", TYPO)


@pytest.fixture()
def warehouse(tmp_path: Path, good: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The project's warehouse (``MILEMARKER_DUCKDB``) holding the good file's goals and the owners."""
    path = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("MILEMARKER_DUCKDB", str(path))
    with duckdb.connect(str(path)) as con:
        land_goals(con, load_goals_file(good))
        con.execute("create schema raw_hubspot")
        con.execute("create table raw_hubspot.owners (id bigint, email varchar, _is_deleted boolean)")
        con.executemany("insert into raw_hubspot.owners values (?, ?, ?)", OWNERS)
    return path


def materialize(warehouse: Path, goals_file: Path, *assets: dg.AssetsDefinition) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [goals, *assets],
        resources={"warehouse": WarehouseResource(path=str(warehouse))},
        run_config=dg.RunConfig({"raw_config__goals": GoalsConfig(goals_file=str(goals_file))}),
        raise_on_error=False,
    )


def goals_check(result: dg.ExecuteInProcessResult) -> dg.AssetCheckEvaluation:
    (evaluation,) = [
        e for e in result.get_asset_check_evaluations() if e.asset_check_key.name == GOALS_FILE_CHECK
    ]
    return evaluation


def landed(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(f"select * from {GOALS_TABLE} order by goal_id").fetchall()


def test_an_invalid_file_loads_the_checks_of_the_last_valid_goals_and_warns_where(
    bad: Path, warehouse: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        definitions = load_project(monkeypatch, bad)

    assert project_goal_checks(definitions) == LAST_VALID_CHECKS
    assert TYPO_LINE in caplog.text
    assert definitions.schedules  # the daily run is still scheduled


def test_an_invalid_file_with_no_warehouse_loads_with_no_goal_checks(
    bad: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MILEMARKER_DUCKDB", str(tmp_path / "absent" / "warehouse.duckdb"))

    definitions = load_project(monkeypatch, bad)

    assert project_goal_checks(definitions) == set()
    assert definitions.resolve_asset_graph().get_all_asset_keys()  # the lineage is still there
    assert not (tmp_path / "absent").exists()  # a read-only look creates nothing


def test_landed_goals_give_the_same_lines_as_the_file_they_came_from(good: Path) -> None:
    goals_file = load_goals_file(good)
    with duckdb.connect() as con:
        assert landed_goal_lines(con) == []
        land_goals(con, goals_file)

        assert sorted(landed_goal_lines(con), key=repr) == sorted(goal_lines(goals_file), key=repr)


def test_a_rejected_file_keeps_the_previous_goals_and_lets_downstream_assets_run(
    good: Path, bad: Path, warehouse: Path
) -> None:
    before = landed(warehouse)

    @dg.asset(deps=[GOALS_ASSET])
    def marts() -> None:
        """Stands in for the dbt build, which must run on the last valid goals."""

    result = materialize(warehouse, bad, marts)

    assert result.success
    assert [e.asset_key for e in result.get_asset_materialization_events()] == [GOALS_ASSET, marts.key]
    check = goals_check(result)
    assert (check.passed, check.severity) == (False, dg.AssetCheckSeverity.ERROR)
    assert check.description == TYPO_LINE
    assert landed(warehouse) == before
    assert goals_check(materialize(warehouse, good)).passed


def test_a_file_rejected_before_any_valid_one_landed_leaves_an_empty_goals_table(
    good: Path, tmp_path: Path
) -> None:
    """dbt then builds the pacing marts on no goals instead of failing on a missing source."""
    warehouse = tmp_path / "first-run.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema raw_hubspot")
        con.execute("create table raw_hubspot.owners (id bigint, email varchar, _is_deleted boolean)")
        con.execute("insert into raw_hubspot.owners values (7, 'someone.else@example.com', false)")

    check = goals_check(materialize(warehouse, good))

    assert (check.passed, check.severity) == (False, dg.AssetCheckSeverity.ERROR)
    assert "unknown rep 'alice@example.com'" in (check.description or "")
    assert landed(warehouse) == []


def test_an_unknown_rep_is_rejected_naming_its_line_and_the_rep_it_resembles(
    good: Path, warehouse: Path
) -> None:
    before = landed(warehouse)
    good.write_text(good.read_text().replace("bob@example.com", "bobb@example.com"))

    check = goals_check(materialize(warehouse, good))

    assert not check.passed
    assert check.description == (
        "goals.yml:12 goals[1].per_owner: unknown rep 'bobb@example.com': no landed HubSpot owner has "
        "this e-mail or owner id; did you mean 'bob@example.com'?"
    )
    assert landed(warehouse) == before


def test_a_rep_who_left_is_refused_as_such(good: Path, warehouse: Path) -> None:
    """The marts drop a deleted owner, so the goal would silently lose the rep."""
    good.write_text(good.read_text().replace("bob@example.com", "carol@example.com"))

    check = goals_check(materialize(warehouse, good))

    assert not check.passed
    assert check.description == (
        "goals.yml:12 goals[1].per_owner: rep 'carol@example.com' is no longer a HubSpot owner (archived "
        "or deleted): remove them from the goal or give their target to whoever took over"
    )


def test_reps_match_owners_as_the_marts_do_by_email_in_any_case_or_by_owner_id(good: Path) -> None:
    owners = KnownOwners(emails=frozenset({"alice@example.com"}), ids=frozenset({"2"}))
    good.write_text(good.read_text().replace("alice@", "Alice@").replace("bob@example.com", "'2'"))
    check_owners(load_goals_file(good), owners)

    good.write_text(good.read_text().replace("'2'", "'3'"))
    with pytest.raises(
        GoalsFileError, match=r"goals.yml:12 goals\[1\].per_owner: unknown rep '3'.*check the spell"
    ):
        check_owners(load_goals_file(good), owners)


def test_status_prints_the_mistakes_in_a_few_lines_then_the_last_valid_goals(
    bad: Path, warehouse: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    add_goal_status_mart(warehouse)
    monkeypatch.setenv("MILEMARKER_GOALS_FILE", str(bad))

    assert status.run_status() == 1

    out = capsys.readouterr().out
    assert out.startswith(
        "goals.yml was rejected; the goals are judged on the last valid goals (raw_config.goals):\n"
        f"  {TYPO_LINE}\n\n"
    )
    assert "Traceback" not in out
    assert "Goal checks as of 2026-11-20: 2 WARN, 2 passed" in out  # the four last valid lines


def add_goal_status_mart(warehouse: Path) -> None:
    """The two pacing marts with one row (the leads goal on track), as dbt would have built them."""
    columns = ", ".join(PacingRow.columns())
    placeholders = ", ".join("?" for _ in PacingRow.columns())
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_goal_pacing_daily as "
            f"select * from (values ({placeholders})) as t({columns})",
            list(asdict(ON_TRACK).values()),
        )
        con.execute("create table marts.mart_goal_status as select * from marts.fct_goal_pacing_daily")
