"""The files on this machine a run depends on: the DuckDB warehouse and Dagster's home.

Nothing is created or changed: the warehouse is opened read-only and let go at once, and the run
history is read straight from Dagster's SQLite run storage (``history/runs.db``) in read-only mode,
so ``doctor`` neither imports Dagster nor takes a lock a running job needs.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

import duckdb

from dagster_project.cli.checks import Check, Status
from dagster_project.config.account_map import ACCOUNT_MAP_PATH, account_map_problems
from dagster_project.settings import REPO_ROOT
from dagster_project.warehouse.connection import WarehouseBusyError, open_warehouse
from dagster_project.warehouse.file_errors import WarehouseFileError

UNFINISHED = ("STARTED", "CANCELING")


def warehouse_check(path: Path) -> Check:
    name = "warehouse"
    if not path.exists():
        return Check(
            Status.WARN, name, f"{path} does not exist yet", "run `make demo` or materialize from `make dev`"
        )
    try:
        with open_warehouse(path, read_only=True) as con:
            con.execute("select 1").fetchone()
    except WarehouseBusyError as error:
        return Check(Status.WARN, name, str(error), "a run holds it; runs wait for it (up to 10 min)")
    except (WarehouseFileError, duckdb.Error) as error:
        return Check(
            Status.FAIL, name, f"{path} cannot be opened: {error}", "move it aside; the next run rebuilds it"
        )
    return Check(Status.OK, name, f"{path} opens read-only and is not held")


def account_map_check(path: Path = ACCOUNT_MAP_PATH) -> Check:
    """The finance team's account map reads cleanly (every problem named by its line)."""
    name = "account map"
    problems = account_map_problems(path)
    if not problems:
        return Check(Status.OK, name, f"{path.relative_to(REPO_ROOT)} maps every row to known words")
    return Check(
        Status.FAIL,
        name,
        f"{path.relative_to(REPO_ROOT)}: " + "; ".join(map(str, problems)),
        "fix those lines (docs/finance.md lists the words); dbt refuses to build until then",
    )


def dagster_home() -> Path:
    """``DAGSTER_HOME``, else the repository's ``.dagster/`` (as ``make demo`` and ``make dev`` choose)."""
    chosen = os.environ.get("DAGSTER_HOME")
    return Path(chosen).expanduser().resolve() if chosen else REPO_ROOT / ".dagster"


def dagster_home_check(home: Path) -> Check:
    name = "dagster home"
    if not (home / "dagster.yaml").exists():
        return Check(Status.WARN, name, f"{home} has no dagster.yaml", "`make demo` or `make dev` writes it")
    runs = home / "history" / "runs.db"
    if not runs.exists():
        return Check(Status.OK, name, f"{home} (no runs yet)")
    try:
        with closing(sqlite3.connect(f"file:{runs}?mode=ro", uri=True)) as db:
            marks = ",".join("?" * len(UNFINISHED))
            stuck = [
                r[0] for r in db.execute(f"select run_id from runs where status in ({marks})", UNFINISHED)
            ]
    except sqlite3.Error as error:
        return Check(
            Status.FAIL, name, f"{runs} cannot be read: {error}", "move .dagster aside to start afresh"
        )
    if stuck:
        return Check(
            Status.WARN,
            name,
            f"{len(stuck)} run(s) still marked STARTED: {', '.join(r[:8] for r in stuck)}",
            "if none is running, `make dev` (its dead-run sweeper) or the next `make demo` marks them failed",
        )
    return Check(Status.OK, name, f"{home}; no run left marked STARTED")
