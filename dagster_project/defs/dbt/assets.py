"""Every dbt model as an asset and every dbt test as an asset check, built in one ``dbt build``.

The Pythonic ``@dbt_assets`` rather than the YAML ``DbtProjectComponent``: the component is state
backed and runs dbt from a snapshot copy of the project under ``.local_defs_state`` that only
``dagster dev`` or ``dg utils refresh-defs-state`` refresh, so tests, the demo and CI would each
need an extra preparation step, and edited models would silently not run until then. Here dbt runs
from ``dbt/`` itself, and the ``as_of_date`` var is computed when the run starts (today in the
organisation's time zone), not when the code location was loaded, which matters for a ``dagster
dev`` left open past midnight.

dbt's unit tests are left out of the build, as dbt recommends for production runs: their inputs
are fixed fixtures, so they say nothing about today's data and cost ~10 % of the build. They run
wherever the SQL changes: ``make test`` builds the whole project, unit tests included
(``tests/dbt``), and ``dbt build`` by hand runs them too.
"""

import json
from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from dagster_project.defs.dbt.build_vars import DbtBuildConfig, dbt_vars
from dagster_project.defs.dbt.project import DBT_PROJECT


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    pool="duckdb",
    dagster_dbt_translator=DagsterDbtTranslator(DagsterDbtTranslatorSettings(enable_asset_checks=True)),
)
def milemarker_dbt(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig
) -> Iterator[Any]:
    args = ["build", "--exclude-resource-type", "unit_test", "--vars", json.dumps(dbt_vars(config))]
    yield from dbt.cli(args, context=context).stream()
