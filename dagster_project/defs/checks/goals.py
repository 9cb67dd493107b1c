"""One asset check per goal line of goals.yml, on the goal status mart.

The specs are generated from the goals file when definitions load, so adding a goal (or a rep to a
``per_owner`` goal) adds a check with no code change.

A goals file with a mistake must not stop the definitions from loading: that would empty the
lineage, drop the schedule and stop every source from landing over one typo. So an invalid file
logs a warning naming its mistakes and the checks are those of the last valid goals, the ones
landed in ``raw_config.goals`` (the goals dbt keeps building on), or none if no goals ever landed.
Only then is the warehouse opened: read-only, without waiting, closed at once, because definitions
also load in the UI's process, which must never hold the file a run is about to write or hang on
one that a run holds; a file absent, busy or unreadable means no goal checks until the next load.
Reps are checked against the landed owners by the goals asset, not here: the valid path never
opens the warehouse. They are non-blocking: a goal falling behind
is news for the business, not a reason to stop exports or other assets. The decision itself lives
in :mod:`dagster_project.goals.checks`; this module only reads the warehouse and reports.
"""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb

from dagster_project.config.goals import GoalsFileError
from dagster_project.config.organisation import load_organisation
from dagster_project.defs.resources import WarehouseResource
from dagster_project.goals.evaluation import (
    GoalLine,
    GoalOutcome,
    evaluate_goals,
    goal_lines,
    landed_goal_lines,
    read_pacing,
)
from dagster_project.goals.landing import GOALS_TABLE, load_goals_file
from dagster_project.settings import goals_file_path, warehouse_path
from dagster_project.warehouse.connection import WarehouseBusyError, open_warehouse
from dagster_project.warehouse.file_errors import WarehouseFileError

logger = dg.get_dagster_logger()

GOAL_STATUS_ASSET = dg.AssetKey(["marts", "mart_goal_status"])
GOAL_PACING_ASSET = dg.AssetKey(["marts", "fct_goal_pacing_daily"])


def build_goal_checks(goals_file: Path, name: str = "goal_checks") -> dg.AssetChecksDefinition:
    """The goal checks of ``goals_file`` (or of the last valid goals while it is invalid): one spec
    per goal line, evaluated in one step."""
    by_name = {line.check_name: line for line in goal_lines_at_load(goals_file, warehouse_path())}
    currency = load_organisation(goals_file).currency
    specs = [
        dg.AssetCheckSpec(
            line.check_name,
            asset=GOAL_STATUS_ASSET,
            additional_deps=[GOAL_PACING_ASSET],
            blocking=False,
            description=_spec_description(line),
            metadata={"goal_id": line.goal_id, **({"owner": line.owner_key} if line.owner_key else {})},
        )
        for line in by_name.values()
    ]

    @dg.multi_asset_check(name=name, specs=specs, can_subset=True)
    def _goal_checks(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.AssetCheckResult]:
        selected = [
            line
            for line in by_name.values()
            if dg.AssetCheckKey(GOAL_STATUS_ASSET, line.check_name) in context.selected_asset_check_keys
        ]
        with warehouse.connect(read_only=True) as con:
            snapshot = read_pacing(con)
        for outcome in evaluate_goals(selected, snapshot):
            yield check_result(outcome, currency)

    return _goal_checks


def goal_lines_at_load(goals_file: Path, warehouse: Path) -> list[GoalLine]:
    """goals.yml's lines, or while it is invalid the last valid goals' (see the module docstring)."""
    try:
        return goal_lines(load_goals_file(goals_file))
    except GoalsFileError as error:
        lines = _landed_lines(warehouse)
        logger.warning(
            "%s\nThe goal checks are those of the last valid goals, landed in %s: %d checks.",
            error,
            GOALS_TABLE,
            len(lines),
        )
        return lines


def _landed_lines(warehouse: Path) -> list[GoalLine]:
    """The landed goals' lines, or none when the warehouse is absent, busy or unreadable (logged)."""
    if not warehouse.exists():
        return []
    try:
        with open_warehouse(warehouse, read_only=True) as con:
            return landed_goal_lines(con)
    except (duckdb.Error, WarehouseBusyError, WarehouseFileError) as error:
        logger.warning("the last valid goals could not be read from %s: %s", warehouse, error)
        return []


def _spec_description(line: GoalLine) -> str:
    who = f" for {line.owner_key}" if line.owner_key else ""
    return (
        f"Is '{line.goal_name}'{who} on course? WARN when at risk, on a first day off track or drifting; "
        "ERROR when off track for days in a row or out of reach, until the pace recovers."
    )


def check_result(outcome: GoalOutcome, currency: str) -> dg.AssetCheckResult:
    verdict, row, line = outcome.verdict, outcome.row, outcome.line
    metadata: dict[str, dg.MetadataValue] = {
        "goal_id": dg.MetadataValue.text(line.goal_id),
        "goal_name": dg.MetadataValue.text(line.goal_name),
        **({"owner": dg.MetadataValue.text(line.owner_key)} if line.owner_key else {}),
        "status": dg.MetadataValue.text(verdict.label),
        "reason": dg.MetadataValue.text(verdict.reason.value),
        "drift": _number(verdict.drift, RATIO_DECIMALS),
        "drift_window_days": dg.MetadataValue.int(outcome.line.drift.window_days),
    }
    if row is not None:
        decimals = AMOUNT_DECIMALS[row.metric_unit]
        metadata |= {
            "as_of_date": dg.MetadataValue.text(row.as_of_date.isoformat()),
            "period_start": dg.MetadataValue.text(row.period_start.isoformat()),
            "pacing_status": dg.MetadataValue.text(row.status),
            "unit": dg.MetadataValue.text(_unit(row.metric_unit, currency)),
            "target": _number(row.target, decimals),
            "actual": _number(row.actual_to_date, decimals),
            "expected": _number(row.expected_to_date, decimals),
            "pace_index": _number(row.pace_index, RATIO_DECIMALS),
            "projected_finish": _number(row.projected_finish, decimals),
            "projection_method": dg.MetadataValue.text(row.projection_method),
            "projected_attainment": _number(row.projected_attainment, RATIO_DECIMALS),
            "required_run_rate_per_week": _number(row.required_run_rate_per_week, decimals),
            "current_run_rate_per_week": _number(row.current_run_rate_per_week, decimals),
            "consecutive_off_track_days": dg.MetadataValue.int(row.consecutive_off_track_days),
        }
    return dg.AssetCheckResult(
        asset_key=GOAL_STATUS_ASSET,
        check_name=outcome.line.check_name,
        passed=verdict.passed,
        description=verdict.explanation,
        metadata=metadata,
        **({"severity": dg.AssetCheckSeverity(verdict.severity.value)} if verdict.severity else {}),
    )


AMOUNT_DECIMALS = {"money": 2, "count": 2, "rate": 4}
"""Decimals kept of a goal's own amounts (target, actual, projections, run-rates) by metric unit:
cents, hundredths of a count (expected counts are fractional), a rate to a hundredth of a point."""
RATIO_DECIMALS = 3
"""Decimals kept of pace index, attainment and drift (shares of the target or of the pace)."""


def _unit(metric_unit: str, currency: str) -> str:
    """The unit of the amounts, as a person reads it: ``USD``, ``count`` or ``rate (0-1)``."""
    return {"money": currency, "rate": "rate (0-1)"}.get(metric_unit, metric_unit)


def _number(value: float | None, decimals: int) -> dg.MetadataValue:
    return dg.MetadataValue.null() if value is None else dg.MetadataValue.float(round(float(value), decimals))


@dg.definitions
def goal_checks() -> dg.Definitions:
    return dg.Definitions(asset_checks=[build_goal_checks(goals_file_path())])
