"""``materialize_all``: every asset, raw to marts, in one run (``make demo``, schedules, the UI).

It is partitioned by as-of day (``runs/partitions.py``): the schedule launches one partition a day
and catches up missed ones; any range can be backfilled from the UI or ``dagster job backfill``.
``land_raw`` and ``build_dbt`` split it in two for operators: reload the APIs without rebuilding,
or rebuild the marts (e.g. for another ``as_of_date``) without calling the APIs.

Every job writes the warehouse, so every run carries :data:`WAREHOUSE_WRITER_TAG`, which the
instance's run queue (``dagster_project/dagster.yaml``) lets through one run at a time, in the order
they were queued: catch-up days build oldest first, and no run waits on DuckDB's file lock.
"""

import dagster as dg

from dagster_project.config.organisation import load_organisation
from dagster_project.config.run_schedule import load_daily_run
from dagster_project.defs.dbt.assets import milemarker_dbt
from dagster_project.loader.layers import LAYER_TAG, RAW_LAYER
from dagster_project.runs.partitions import as_of_partitioned_config, as_of_partitions
from dagster_project.settings import goals_file_path

MATERIALIZE_ALL = "materialize_all"
LAND_RAW = "land_raw"
BUILD_DBT = "build_dbt"
WAREHOUSE_WRITER_TAG = "milemarker/warehouse"
WRITER = {WAREHOUSE_WRITER_TAG: "writer"}


@dg.definitions
def jobs() -> dg.Definitions:
    goals_file = goals_file_path()
    partitions = as_of_partitions(load_daily_run(goals_file), load_organisation(goals_file).timezone)
    return dg.Definitions(
        jobs=[
            dg.define_asset_job(
                MATERIALIZE_ALL,
                selection=dg.AssetSelection.all(),
                config=as_of_partitioned_config(partitions, milemarker_dbt.op.name),
                run_tags=WRITER,
                description="Land every stream, then build and test every dbt model, for one as-of day.",
            ),
            dg.define_asset_job(
                LAND_RAW,
                selection=dg.AssetSelection.tag(LAYER_TAG, RAW_LAYER),
                run_tags=WRITER,
                description="Land every source's streams and the goals file; no dbt.",
            ),
            dg.define_asset_job(
                BUILD_DBT,
                selection=dg.AssetSelection.assets(milemarker_dbt),
                run_tags=WRITER,
                description="Build and test every dbt model from the raw tables already landed.",
            ),
        ]
    )
