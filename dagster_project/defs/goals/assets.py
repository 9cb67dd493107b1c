"""The ``raw_config/goals`` asset: goals.yml validated and landed for dbt's pacing marts.

It sits upstream of the dbt source ``config.goals`` (linked by ``meta.dagster.asset_key``), so an
edited goals file flows into the pacing marts in the same run. A file with mistakes fails the asset
with every mistake located (``goals.yml:42 goals[3].target: ...``) and the previous goals stay in
the warehouse, so the marts keep reporting against the last good goals. The file's organisation and
sources blocks land beside the goals, in ``raw_config.settings``, for dbt run by hand.
"""

import hashlib
from pathlib import Path

import dagster as dg

from dagster_project.config.goals import GoalsFileError
from dagster_project.defs.resources import WarehouseResource
from dagster_project.goals.landing import GOALS_TABLE, land_goals, load_goals_file
from dagster_project.loader.layers import RAW_LAYER_TAGS
from dagster_project.settings import GOALS_FILE


class GoalsConfig(dg.Config):
    """Launch-time options of the goals landing."""

    goals_file: str | None = None
    """The goals file to land; empty means the project's ``goals.yml``."""


@dg.asset(
    key=["raw_config", "goals"],
    group_name="config",
    kinds={"yaml", "duckdb"},
    tags=RAW_LAYER_TAGS,
    description=f"`{GOALS_TABLE}`: the validated goals of goals.yml, one row per goal, replaced as a whole.",
)
def goals(
    context: dg.AssetExecutionContext, config: GoalsConfig, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    path = Path(config.goals_file) if config.goals_file else GOALS_FILE
    try:
        goals_file = load_goals_file(path)
    except GoalsFileError as error:
        raise dg.Failure(description=str(error)) from None
    with warehouse.connect() as con:
        count = land_goals(con, goals_file)
    context.log.info(f"{GOALS_TABLE}: {count} goals from {path}")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return dg.MaterializeResult(
        metadata={
            "goal_count": dg.MetadataValue.int(count),
            "dagster/row_count": dg.MetadataValue.int(count),
            "goals_file": dg.MetadataValue.path(str(path)),
            "sha256": dg.MetadataValue.text(digest),
        },
        data_version=dg.DataVersion(digest),
    )


@dg.definitions
def goals_assets() -> dg.Definitions:
    return dg.Definitions(assets=[goals])
