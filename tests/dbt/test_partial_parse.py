"""A new as-of day keeps dbt's partial parse: the daily run does not re-parse the project.

Dagster passes the same ``--vars`` every day (``dbt_vars``) and the day in ``MILEMARKER_AS_OF_DATE``
(``as_of_environment``); dbt reads it only while executing. Shown here through dbt itself, with the
control that proves the check can fail: the day among the vars re-parses everything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from dagster_project.defs.dbt.build_vars import AS_OF_ENV, dbt_vars
from dagster_project.settings import DBT_PROJECT_DIR

pytestmark = pytest.mark.slow

FULL_PARSE = "Unable to do partial parsing"


def _dbt(
    command: str, target: Path, warehouse: Path, day: date | None, extra_vars: dict | None = None
) -> str:
    """Run dbt ``command`` (dim_date only) with the build's vars; its output."""
    build_vars = {**dbt_vars(warehouse), **(extra_vars or {})}
    argv = [
        str(Path(sys.executable).with_name("dbt")),
        *command.split(),
        "--project-dir", str(DBT_PROJECT_DIR),
        "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(target),
        "--log-path", str(target / "logs"),
        "--vars", json.dumps(build_vars),
    ]  # fmt: skip
    env = {key: value for key, value in os.environ.items() if key != AS_OF_ENV}
    if day is not None:
        env[AS_OF_ENV] = day.isoformat()
    finished = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    return finished.stdout


def _compiled_day(target: Path) -> str:
    sql = next(target.rglob("compiled/**/dim_date.sql")).read_text()
    return sql.split("cast('", 1)[1].split("'", 1)[0]


def test_a_new_day_keeps_the_partial_parse_and_reaches_the_sql(tmp_path: Path) -> None:
    warehouse, target = tmp_path / "warehouse.duckdb", tmp_path / "target"
    _dbt("parse", target, warehouse, None)  # what loading the definitions does
    for day in (date(2026, 11, 30), date(2026, 12, 1), date(2027, 1, 1)):
        output = _dbt("compile --select dim_date", target, warehouse, day)
        assert FULL_PARSE not in output, output[-2000:]
        assert _compiled_day(target) == day.isoformat()

    # the control: the day as a var changes the vars, and dbt parses the whole project again
    output = _dbt("compile --select dim_date", target, warehouse, None, {"as_of_date": "2027-01-02"})
    assert FULL_PARSE in output
    assert _compiled_day(target) == "2027-01-02"
