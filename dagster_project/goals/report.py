"""The terminal's account of the goals: the pacing table, then which goals warn or fail, and why.

``make demo`` prints it after its run and ``milemarker status`` prints it from an existing
warehouse without running anything. The outcomes come from the same :func:`evaluate_goals` the
Dagster goal checks call, so the terminal and the UI always agree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from dagster_project.goals.checks import Severity
from dagster_project.goals.evaluation import GoalOutcome, evaluate_goals, goal_lines, read_pacing
from dagster_project.goals.landing import load_goals_file
from dagster_project.goals.pacing_table import goal_status_report
from dagster_project.warehouse.connection import open_warehouse


def render_goal_outcomes(outcomes: Sequence[GoalOutcome]) -> str:
    """A count per outcome, then one line per goal that raised an alarm, errors first."""
    counts = Counter(o.verdict.severity.value if o.verdict.severity else "passed" for o in outcomes)
    summary = ", ".join(f"{counts[key]} {key}" for key in ("ERROR", "WARN", "passed") if counts[key])
    as_of = next((o.row.as_of_date for o in outcomes if o.row is not None), None)
    title = "Goal checks" + (f" as of {as_of.isoformat()}" if as_of else "") + f": {summary or 'no goals'}"
    alarms = sorted(
        (o for o in outcomes if o.verdict.severity is not None),
        key=lambda o: o.verdict.severity != Severity.ERROR,
    )
    return "\n".join(
        [title, *(f"  {o.verdict.severity}  {o.line.check_name}: {o.verdict.explanation}" for o in alarms)]
    )


def goal_outcomes(warehouse: Path, goals_file: Path) -> list[GoalOutcome]:
    """Every goal line of ``goals_file`` judged on ``warehouse`` (read-only, closed on return)."""
    lines = goal_lines(load_goals_file(goals_file))
    with open_warehouse(warehouse, read_only=True) as con:
        snapshot = read_pacing(con)
    return evaluate_goals(lines, snapshot)


def goals_report(warehouse: Path, goals_file: Path) -> str:
    """The pacing table and the goal check outcomes, as printed at the end of ``make demo``."""
    return "\n\n".join(
        [goal_status_report(warehouse), render_goal_outcomes(goal_outcomes(warehouse, goals_file))]
    )
