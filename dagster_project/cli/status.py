"""``milemarker status``: the goal table and the goal checks' outcomes from the existing warehouse.

Nothing is landed, built or launched, and Dagster is not imported: it reads the marts the last run
built (read-only, so it works while ``make dev`` is open) and judges them exactly as the checks do.
"""

from __future__ import annotations

import sys

import duckdb

from dagster_project.goals.report import goals_report, render_goals_file_error
from dagster_project.settings import goals_file_path, warehouse_path


def run_status() -> int:
    """Print the report; exit status 1 when there is no built warehouse to report on, or when
    goals.yml is rejected (its located mistakes are printed, then the report on the last valid goals)."""
    warehouse = warehouse_path()
    if not warehouse.exists():
        print(f"No warehouse at {warehouse}: run `make demo` first.", file=sys.stderr)
        return 1
    try:
        report = goals_report(warehouse, goals_file_path())
    except duckdb.CatalogException:
        print(f"{warehouse} has no goal marts yet: run `make demo` first.", file=sys.stderr)
        return 1
    if report.file_error is not None:
        print(render_goals_file_error(report.file_error.located), end="\n\n")
    print(report.text)
    return 0 if report.file_error is None else 1
