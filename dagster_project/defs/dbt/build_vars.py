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
    """ISO date the marts are computed for; empty means today in the organisation's time zone."""


def dbt_vars(config: DbtBuildConfig, warehouse: Path) -> dict[str, Any]:
    """The ``--vars`` of a build of ``warehouse`` with ``config`` started now."""
    goals_file = goals_file_path()
    organisation = load_organisation(goals_file)
    as_of = date.fromisoformat(config.as_of_date) if config.as_of_date else organisation.today()
    return {
        "as_of_date": as_of.isoformat(),
        "warehouse_path": str(warehouse),
        **settings_vars(organisation, load_source_settings(goals_file)),
    }
