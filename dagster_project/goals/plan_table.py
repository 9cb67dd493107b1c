"""The terminal's "Work backwards" block: what each outcome goal needs per week, stage by stage.

dbt computes the plan (``marts.mart_goal_plan_weekly``, docs/plan.md); this module only formats it
for ``make demo`` and ``milemarker status``: one line per team goal and per rep of a per-rep goal
(the equal shares of a team goal per active rep stay in the mart and the exports), the weekly
requirement of each stage beside its average of the last 4 complete weeks, and the stage that binds
(none when every stage's requirement is within its recent pace).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb

from dagster_project.warehouse.connection import open_warehouse

STAGES = ("leads", "qualified", "appointments", "proposals", "wins")
"""The mart's stage names (its column stems and ``binding_stage`` values), top of the funnel down."""
_QUERY = """
    select goal_name, goal_target_id, metric_unit, remaining_amount, weeks_left,
        binding_stage, binding_ratio, {stage_columns}
    from marts.mart_goal_plan_weekly
    where plan_scope = 'team' or goal_target_id like '%|%'
    order by goal_id, goal_target_id
"""


def read_goal_plan(warehouse: Path) -> list[dict[str, Any]]:
    """The plan rows the terminal shows; empty for a warehouse built before the plan mart existed."""
    columns = ", ".join(f"required_{stage}_per_week, actual_{stage}_avg_4wk" for stage in STAGES)
    with open_warehouse(warehouse, read_only=True) as con:
        try:
            cursor = con.execute(_QUERY.format(stage_columns=columns))
        except duckdb.CatalogException:
            return []
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def render_goal_plan(rows: Sequence[Mapping[str, Any]]) -> str:
    """The block: a title, then one line per plan row (nothing when no outcome goal is running)."""
    if not rows:
        return ""
    title = "Work backwards: needed per week for the rest of the period (last 4 weeks' average)"
    return "\n".join([title, *(f"  {_plan_line(row)}" for row in rows)])


def _plan_line(row: Mapping[str, Any]) -> str:
    rep = row["goal_target_id"].split("|", 1)[1].split("@")[0] if "|" in row["goal_target_id"] else ""
    goal = row["goal_name"] + (f" ({rep})" if rep else "")
    if not row["remaining_amount"]:
        return f"{goal}: target reached, nothing left to plan"
    if not row["weeks_left"]:
        return f"{goal}: no weeks left in the period"
    stages = ", ".join(
        f"{_count(row[f'required_{stage}_per_week'])} {stage} ({_count(row[f'actual_{stage}_avg_4wk'])})"
        for stage in STAGES
    )
    return f"{goal}: {stages}; {_binding(row)}"


def _binding(row: Mapping[str, Any]) -> str:
    """The stage that binds; when even it needs no more than its recent pace, nothing binds yet."""
    ratio = row["binding_ratio"]
    if ratio is not None and ratio <= 1:
        return "every stage within its recent pace"
    return f"binding: {row['binding_stage']}" + (f" ({ratio:.1f}x its recent pace)" if ratio else "")


def _count(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}"
