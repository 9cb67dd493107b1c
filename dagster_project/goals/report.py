"""The terminal's account of the goals: the pacing table, then which goals warn or fail, and why.

``make demo`` prints it after its run and ``milemarker status`` prints it from an existing
warehouse without running anything. The outcomes come from the same :func:`evaluate_goals` the
Dagster goal checks call, so the terminal and the UI always agree. While goals.yml is invalid the
report is on the last valid goals and the file's error is printed in a few located lines.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dagster_project.config.goals import GoalsFileError
from dagster_project.goals.checks import Severity
from dagster_project.goals.contribution_table import read_least_contributing, render_least_contributing
from dagster_project.goals.evaluation import GoalOutcome, evaluate_goals, goals_to_judge, read_pacing
from dagster_project.goals.landing import GOALS_TABLE
from dagster_project.goals.pacing_table import goal_status_report
from dagster_project.goals.plan_table import read_goal_plan, render_goal_plan
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
    """Every goal line judged on ``warehouse`` (read-only, closed on return): goals.yml's lines, or the
    last valid goals' while goals.yml is invalid."""
    return _judge(warehouse, goals_file)[0]


def render_goals_file_error(located: Sequence[str]) -> str:
    """A rejected goals file in a few lines: what is wrong, where, and what is judged meanwhile."""
    return "\n".join(
        [
            f"goals.yml was rejected; the goals are judged on the last valid goals ({GOALS_TABLE}):",
            *(f"  {line}" for line in located),
        ]
    )


@dataclass(frozen=True)
class GoalsReport:
    """The terminal's goal report, and the goals file's error when the report is on the last valid goals."""

    text: str
    file_error: GoalsFileError | None


def goals_report(warehouse: Path, goals_file: Path) -> GoalsReport:
    """The pacing table, the work-backwards plan, the clients that cost the most to serve and the
    goal check outcomes, as printed at the end of ``make demo``."""
    outcomes, error = _judge(warehouse, goals_file)
    plan = render_goal_plan(read_goal_plan(warehouse))
    clients = render_least_contributing(read_least_contributing(warehouse))
    verdicts = {outcome.line.goal_target_id: outcome.verdict for outcome in outcomes}
    blocks = [goal_status_report(warehouse, verdicts), plan, clients, render_goal_outcomes(outcomes)]
    return GoalsReport("\n\n".join(block for block in blocks if block), error)


def _judge(warehouse: Path, goals_file: Path) -> tuple[list[GoalOutcome], GoalsFileError | None]:
    with open_warehouse(warehouse, read_only=True) as con:
        goals = goals_to_judge(goals_file, con)
        snapshot = read_pacing(con)
    return evaluate_goals(goals.lines, snapshot), goals.file_error
