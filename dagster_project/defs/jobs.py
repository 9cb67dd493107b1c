"""``materialize_all``: every asset, raw to marts, in one run (``make demo``, schedules, the UI).

``land_raw`` and ``build_dbt`` split it in two for operators: reload the APIs without rebuilding,
or rebuild the marts (e.g. for another ``as_of_date``) without calling the APIs.
"""

import dagster as dg

from dagster_project.defs.dbt.assets import milemarker_dbt
from dagster_project.loader.layers import LAYER_TAG, RAW_LAYER

MATERIALIZE_ALL = "materialize_all"
LAND_RAW = "land_raw"
BUILD_DBT = "build_dbt"


@dg.definitions
def jobs() -> dg.Definitions:
    return dg.Definitions(
        jobs=[
            dg.define_asset_job(
                MATERIALIZE_ALL,
                selection=dg.AssetSelection.all(),
                description="Land every stream, then build and test every dbt model.",
            ),
            dg.define_asset_job(
                LAND_RAW,
                selection=dg.AssetSelection.tag(LAYER_TAG, RAW_LAYER),
                description="Land every source's streams and the goals file; no dbt.",
            ),
            dg.define_asset_job(
                BUILD_DBT,
                selection=dg.AssetSelection.assets(milemarker_dbt),
                description="Build and test every dbt model from the raw tables already landed.",
            ),
        ]
    )
