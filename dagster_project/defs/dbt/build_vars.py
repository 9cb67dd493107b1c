"""What every dbt invocation receives: ``--vars`` (goals.yml's organisation and sources blocks,
:func:`settings_vars`, and the warehouse file) and, for a build, the as-of day in the
``MILEMARKER_AS_OF_DATE`` environment variable.

The warehouse path is handed over already resolved, so dbt opens exactly the file the Python side
writes, however the environment spelled it (``dbt/profiles.yml`` resolves it the same way when dbt
is run by hand).

The vars are the same every day on purpose. dbt keys its partial-parse cache on the exact ``--vars``
string, so an as-of day among them re-parsed the whole project every day (about 6 s of a daily
build); the day goes through the environment instead, which ``dbt/macros/as_of_date.sql`` reads
only while dbt executes, never while it parses. Shared by the build and by the parse that writes
the manifest (``defs/dbt/project.py``), so the build reuses that parse.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg

from dagster_project.config.dbt_vars import settings_vars
from dagster_project.config.organisation import load_organisation
from dagster_project.config.source_settings import load_source_settings
from dagster_project.settings import goals_file_path


class DbtBuildConfig(dg.Config):
    """Launch-time options of the dbt build."""

    as_of_date: str | None = None
    """ISO date the marts are computed for; empty means the embedded sandbox's day when a source
    reads it, else today in the organisation's time zone."""


class SandboxDayMismatch(ValueError):
    """An ``as_of_date`` other than the day of the embedded sandbox the data came from."""


AS_OF_ENV = "MILEMARKER_AS_OF_DATE"
"""The environment variable that carries the as-of day to dbt (``dbt/macros/as_of_date.sql``)."""


def build_as_of(config: DbtBuildConfig, sandbox_day: date | None = None) -> date:
    """The as-of day of a build with ``config`` started now.

    ``sandbox_day`` is the embedded sandbox's day when a source reads it. Its data stops there, so
    it is the as-of day: marts computed for the wall-clock day (or any other) would read every goal
    as zero. An ``as_of_date`` asking for another day raises :class:`SandboxDayMismatch`; without
    either it is today in the organisation's time zone.
    """
    requested = date.fromisoformat(config.as_of_date) if config.as_of_date else None
    if sandbox_day is not None and requested not in (None, sandbox_day):
        raise SandboxDayMismatch(
            f"as_of_date {requested} is not the embedded sandbox's day {sandbox_day}: the sandbox's "
            f"data stops on its own day, so the marts would be wrong for {requested}. Leave as_of_date "
            f"empty (it follows the sandbox), or start the sandbox on that day "
            f"(MILEMARKER_SANDBOX_AS_OF={requested})."
        )
    return sandbox_day or requested or load_organisation(goals_file_path()).today()


def dbt_vars(warehouse: Path) -> dict[str, Any]:
    """The ``--vars`` of every invocation on ``warehouse``: the same whatever the day."""
    goals_file = goals_file_path()
    return {
        "warehouse_path": str(warehouse),
        **settings_vars(load_organisation(goals_file), load_source_settings(goals_file)),
    }


@contextmanager
def as_of_environment(as_of: date) -> Iterator[None]:
    """:data:`AS_OF_ENV` set to ``as_of`` inside, as it was after: dagster-dbt hands the dbt process
    a copy of ``os.environ`` when it starts it, so start it inside. (A step runs alone in its process
    or, executed in process, one after another: nothing else reads the variable meanwhile.)"""
    before = os.environ.get(AS_OF_ENV)
    os.environ[AS_OF_ENV] = as_of.isoformat()
    try:
        yield
    finally:
        if before is None:
            del os.environ[AS_OF_ENV]
        else:
            os.environ[AS_OF_ENV] = before
