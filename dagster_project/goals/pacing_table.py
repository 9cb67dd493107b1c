"""The goal pacing table printed at the end of ``make demo``: mart_goal_status, read-only.

dbt computes every number; this module only formats them, so the terminal shows exactly what the
goal checks and the dashboards see. The status column is each goal check's verdict in its own words
(``STATUS_LABELS``: "at risk", "still off track", "missed"), with its severity when it fails, so the
table never says "at risk" where the check says ERROR. Money is shown in the home currency's
thousands/millions, counts as integers, rates as percentages. Under the table, "Last periods": each
goal line's most recent finished period from mart_goal_period_outcomes ("New leads per month --
October 2026: missed by 13 (267 of 280)").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb

from dagster_project.goals.checks import Verdict, period_label
from dagster_project.warehouse.connection import open_warehouse

COLUMNS = ("goal", "period", "target", "actual", "expected", "projected", "attainment", "status")
_QUERY = """
    select goal_target_id, goal_name, owner_key, period_type, period_start, metric_unit, target,
        actual_to_date, expected_to_date, projected_finish, projected_attainment, status, as_of_date,
        period_end
    from marts.mart_goal_status
    order by goal_id, owner_key nulls first
"""
_OUTCOMES_QUERY = """
    select goal_name, owner_key, period_type, period_start, period_end, metric_unit, target,
        final_actual, outcome, margin
    from marts.mart_goal_period_outcomes
    where goal_target_id in (select goal_target_id from marts.mart_goal_status)
    qualify row_number() over (partition by goal_target_id order by period_start desc) = 1
    order by goal_id, owner_key nulls first
"""


def read_goal_status(warehouse: Path) -> list[dict[str, Any]]:
    """The rows of ``marts.mart_goal_status`` (read-only connection, closed before returning)."""
    with open_warehouse(warehouse, read_only=True) as con:
        cursor = con.execute(_QUERY)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def read_last_outcomes(warehouse: Path) -> list[dict[str, Any]]:
    """Each current goal line's most recent finished period (``marts.mart_goal_period_outcomes``);
    empty for a warehouse built before that mart existed."""
    with open_warehouse(warehouse, read_only=True) as con:
        try:
            cursor = con.execute(_OUTCOMES_QUERY)
        except duckdb.CatalogException:
            return []
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def render_last_outcomes(rows: Sequence[Mapping[str, Any]]) -> str:
    """The "Last periods" block: one line per goal line, its latest finished period's outcome."""
    if not rows:
        return "Last periods: none finished yet in the pacing history."
    return "\n".join(["Last periods", *(f"  {_outcome_line(row)}" for row in rows)])


def render_goal_status(rows: Sequence[Mapping[str, Any]], verdicts: Mapping[str, Verdict]) -> str:
    """A fixed-width table of the rows, titled with their as-of day; each row's status is its goal
    check's verdict (``verdicts`` by goal target), in the checks' own words."""
    if not rows:
        return "Goal pacing: no goals (add some to goals.yml)."
    cells = [_cells(row, verdicts.get(row["goal_target_id"])) for row in rows]
    widths = [max(len(header), *(len(line[i]) for line in cells)) for i, header in enumerate(COLUMNS)]
    numeric = {2, 3, 4, 5, 6}

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            value.rjust(width) if index in numeric else value.ljust(width)
            for index, (value, width) in enumerate(zip(values, widths, strict=True))
        ).rstrip()

    title = f"Goal pacing as of {rows[0]['as_of_date']}"
    rule = "-" * len(line(COLUMNS))
    return "\n".join([title, rule, line(COLUMNS), rule, *(line(values) for values in cells), rule])


def goal_status_report(warehouse: Path, verdicts: Mapping[str, Verdict]) -> str:
    """The rendered table and the last periods' outcomes for the warehouse at ``warehouse`` (what
    ``make demo`` prints), the statuses being the goal checks' ``verdicts`` by goal target."""
    rows = read_goal_status(warehouse)
    if not rows:
        return render_goal_status(rows, verdicts)
    return render_goal_status(rows, verdicts) + "\n\n" + render_last_outcomes(read_last_outcomes(warehouse))


def _outcome_line(row: Mapping[str, Any]) -> str:
    unit = row["metric_unit"]
    rep = str(row["owner_key"] or "").split("@")[0]
    goal = row["goal_name"] + (f" ({rep})" if rep else "")
    period = period_label(row["period_type"], row["period_start"])
    numbers = f"({_value(row['final_actual'], unit)} of {_value(row['target'], unit)})"
    if row["margin"] is None:
        return f"{goal} \u2014 {period}: {row['outcome']}, nothing to measure {numbers}"
    gap = abs(row["margin"])
    amount = f"{gap * 100:.1f} points" if unit == "rate" else _value(gap, unit)
    return f"{goal} \u2014 {period}: {row['outcome']} by {amount} {numbers}"


def _cells(row: Mapping[str, Any], verdict: Verdict | None) -> list[str]:
    unit = row["metric_unit"]
    rep = str(row["owner_key"] or "").split("@")[0]
    goal = row["goal_name"] + (f" ({rep})" if rep else "")
    return [
        goal,
        _period_label(row["period_type"], row["period_start"]),
        _value(row["target"], unit),
        _value(row["actual_to_date"], unit),
        _value(row["expected_to_date"], unit),
        _value(row["projected_finish"], unit),
        "-" if row["projected_attainment"] is None else f"{row['projected_attainment']:.0%}",
        _status_cell(verdict),
    ]


def _status_cell(verdict: Verdict | None) -> str:
    """The check's status word; in capitals with the severity when the check fails."""
    if verdict is None:
        return "-"
    return f"{verdict.label.upper()} ({verdict.severity})" if verdict.severity else verdict.label


def _period_label(period_type: str, start: Any) -> str:
    if period_type == "month":
        return start.strftime("%Y-%m")
    if period_type == "week":
        return f"week of {start.isoformat()}"
    if period_type == "quarter":
        return f"quarter from {start.strftime('%Y-%m')}"
    return f"{period_type.replace('_', ' ')} from {start.strftime('%Y-%m')}"


def _value(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "rate":
        return f"{value:.1%}"
    if unit == "multiple":
        return f"{value:,.2f}x"
    if unit == "money":
        magnitude = abs(value)
        if magnitude >= 1_000_000:
            return f"{value / 1_000_000:,.2f}M"
        if magnitude >= 10_000:
            return f"{value / 1_000:,.1f}k"
        return f"{value:,.0f}"
    return f"{value:,.0f}"
