"""Every dbt model as an asset and every dbt test as an asset check, built in one ``dbt build``.

The Pythonic ``@dbt_assets`` rather than the YAML ``DbtProjectComponent``: the component is state
backed and runs dbt from a snapshot copy of the project under ``.local_defs_state`` that only
``dagster dev`` or ``dg utils refresh-defs-state`` refresh, so tests, the demo and CI would each
need an extra preparation step, and edited models would silently not run until then. Here dbt runs
from ``dbt/`` itself, and the ``as_of_date`` var is computed when the run starts (today in the
organisation's time zone), not when the code location was loaded, which matters for a ``dagster
dev`` left open past midnight.
"""

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from dagster_project.defs.dbt.project import DBT_PROJECT
from dagster_project.lib.organisation import load_organisation
from dagster_project.lib.settings import GOALS_FILE


class DbtBuildConfig(dg.Config):
    """Launch-time options of the dbt build."""

    as_of_date: str | None = None
    """ISO date the marts are computed for; empty means today in the organisation's time zone."""


def dbt_vars(config: DbtBuildConfig) -> dict[str, str | int]:
    """The ``--vars`` every dbt invocation receives: the as-of day and goals.yml's organisation block."""
    organisation = load_organisation(GOALS_FILE)
    as_of = date.fromisoformat(config.as_of_date) if config.as_of_date else organisation.today()
    return {
        "as_of_date": as_of.isoformat(),
        "org_timezone": organisation.timezone,
        "fiscal_year_start_month": organisation.fiscal_year_start_month,
        "home_currency": organisation.currency,
    }


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    pool="duckdb",
    dagster_dbt_translator=DagsterDbtTranslator(DagsterDbtTranslatorSettings(enable_asset_checks=True)),
)
def milemarker_dbt(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig
) -> Iterator[Any]:
    yield from dbt.cli(["build", "--vars", json.dumps(dbt_vars(config))], context=context).stream()
