"""The ``--vars`` every dbt invocation receives: the as-of day, goals.yml's organisation and sources
blocks (:func:`settings_vars`), and the warehouse file.

The warehouse path is handed over already resolved, so dbt opens exactly the file the Python side
writes, however the environment spelled it (``dbt/profiles.yml`` resolves it the same way when dbt
is run by hand).

Shared by the build and by the parse that writes the manifest (``defs/dbt/project.py``): dbt keys
its partial-parse cache on the exact ``--vars`` string, so a parse without them followed by a build
with them re-parses the whole project once more.
"""

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


def dbt_vars(config: DbtBuildConfig, warehouse: Path, sandbox_day: date | None = None) -> dict[str, Any]:
    """The ``--vars`` of a build of ``warehouse`` with ``config`` started now.

    ``sandbox_day`` is the embedded sandbox's day when a source reads it. Its data stops there, so
    it is the as-of day: marts computed for the wall-clock day (or any other) would read every goal
    as zero. An ``as_of_date`` asking for another day raises :class:`SandboxDayMismatch`.
    """
    goals_file = goals_file_path()
    organisation = load_organisation(goals_file)
    requested = date.fromisoformat(config.as_of_date) if config.as_of_date else None
    if sandbox_day is not None and requested not in (None, sandbox_day):
        raise SandboxDayMismatch(
            f"as_of_date {requested} is not the embedded sandbox's day {sandbox_day}: the sandbox's "
            f"data stops on its own day, so the marts would be wrong for {requested}. Leave as_of_date "
            f"empty (it follows the sandbox), or start the sandbox on that day "
            f"(MILEMARKER_SANDBOX_AS_OF={requested})."
        )
    as_of = sandbox_day or requested or organisation.today()
    return {
        "as_of_date": as_of.isoformat(),
        "warehouse_path": str(warehouse),
        **settings_vars(organisation, load_source_settings(goals_file)),
    }
