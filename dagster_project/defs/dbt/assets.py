"""Every dbt model as an asset and every dbt test as an asset check, built in one ``dbt build``.

The Pythonic ``@dbt_assets`` rather than the YAML ``DbtProjectComponent``: the component is state
backed and runs dbt from a snapshot copy of the project under ``.local_defs_state`` that only
``dagster dev`` or ``dg utils refresh-defs-state`` refresh, so tests, the demo and CI would each
need an extra preparation step, and edited models would silently not run until then. Here dbt runs
from ``dbt/`` itself, and the ``as_of_date`` var is computed when the run starts (today in the
organisation's time zone), not when the code location was loaded, which matters for a ``dagster
dev`` left open past midnight. It reaches dbt through the environment, not ``--vars``, so a new day
keeps dbt's partial parse (``build_vars.py``).

dbt's unit tests are left out of the build, as dbt recommends for production runs: their inputs
are fixed fixtures, so they say nothing about today's data and cost ~10 % of the build. They run
wherever the SQL changes: ``make test`` builds the whole project, unit tests included
(``tests/dbt``), and ``dbt build`` by hand runs them too.

Every model's materialization carries the ``as_of_date`` it was built for (:data:`AS_OF_DATE`),
next to dagster-dbt's own ``invocation_id``: the exports read both from Dagster's records instead
of from dbt's target folders, which are pruned to the last few runs (``lib/dbt_runs.py``).
"""

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from dagster_project.config.account_map import ACCOUNT_MAP_PATH, account_map_problems
from dagster_project.defs.dbt.build_vars import (
    DbtBuildConfig,
    SandboxDayMismatch,
    as_of_environment,
    build_as_of,
    dbt_vars,
)
from dagster_project.defs.dbt.project import DBT_PROJECT
from dagster_project.defs.dbt.translator import MilemarkerDbtTranslator
from dagster_project.defs.resources import SandboxResource, WarehouseResource
from dagster_project.warehouse.dbt_runs import new_run_target

AS_OF_DATE = "as_of_date"
"""Metadata key, on every model's materialization, of the as-of day dbt built it for."""
DBT_RUNS_DIR = Path(DBT_PROJECT.project_dir) / DBT_PROJECT.target_path / "runs"
"""The per-invocation target folders (``dbt/target/runs/<started>-<run id>``)."""


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    dagster_dbt_translator=MilemarkerDbtTranslator(DagsterDbtTranslatorSettings(enable_asset_checks=True)),
)
def milemarker_dbt(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    sandbox: SandboxResource,
    config: DbtBuildConfig,
) -> Iterator[Any]:
    try:
        as_of = build_as_of(config, sandbox.day() if sandbox.in_use else None)
    except SandboxDayMismatch as mismatch:
        raise dg.Failure(description=str(mismatch)) from None
    map_problems = account_map_problems()
    if map_problems:
        raise dg.Failure(
            description=f"{ACCOUNT_MAP_PATH.name} has {len(map_problems)} problem(s); fix them and run "
            "again:\n" + "\n".join(f"  {problem}" for problem in map_problems)
        )
    # dbt opens the file in its own process and would fail at once, with DuckDB's bare lock error,
    # while another run holds it: wait here as every other step does.
    warehouse.wait_until_free()
    args = [
        "build",
        "--exclude-resource-type",
        "unit_test",
        "--vars",
        json.dumps(dbt_vars(Path(warehouse.path))),
    ]
    target = new_run_target(DBT_RUNS_DIR, context.run.run_id, datetime.now(UTC))
    with as_of_environment(as_of):
        invocation = dbt.cli(args, context=context, target_path=target)
    for event in invocation.stream():
        if isinstance(event, dg.Output):
            context.add_output_metadata({AS_OF_DATE: as_of.isoformat()}, output_name=event.output_name)
        yield event
