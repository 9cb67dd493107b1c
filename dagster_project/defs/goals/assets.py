"""The ``raw_config/goals`` asset: goals.yml validated and landed for dbt's pacing marts.

It sits upstream of the dbt source ``config.goals`` (linked by ``meta.dagster.asset_key``), so an
edited goals file flows into the pacing marts in the same run. The file's organisation and sources
blocks land beside the goals, in ``raw_config.settings``, for dbt run by hand.

A file with mistakes (every one located: ``goals.yml:42 goals[3].target: ...``), or naming a rep
that no landed HubSpot owner matches, must never stop the data. Dagster skips every step downstream
of a failed one, so a failing asset would skip the dbt build and leave the marts stale until the
typo is fixed. The asset therefore does not fail: it lands nothing (the previous goals stay in
the warehouse, and dbt builds on them; before any valid file landed, on an empty table), records
the error in its metadata and fails its own check ``goals_file_valid`` with ERROR severity and
the located message: red in the UI, counted in the run's summary, printed by ``make demo``. The
check is not blocking for the same reason.
"""

import hashlib
from pathlib import Path

import dagster as dg

from dagster_project.config.goals import GoalsFileError
from dagster_project.defs.resources import WarehouseResource
from dagster_project.goals.evaluation import OWNERS_TABLE, validated_goals
from dagster_project.goals.landing import GOALS_TABLE, ensure_goals_table, land_goals
from dagster_project.loader.layers import RAW_LAYER_TAGS
from dagster_project.settings import goals_file_path

GOALS_ASSET = dg.AssetKey(["raw_config", "goals"])
GOALS_FILE_CHECK = "goals_file_valid"
OWNERS_ASSET = dg.AssetKey(OWNERS_TABLE.split("."))
"""The landed CRM owners the file's reps are checked against: landed first, so every run checks the
reps against the owners of that run, the first run included."""


class GoalsConfig(dg.Config):
    """Launch-time options of the goals landing."""

    goals_file: str | None = None
    """The goals file to land; empty means the project's ``goals.yml``."""


@dg.asset(
    key=GOALS_ASSET,
    group_name="config",
    kinds={"yaml", "duckdb"},
    tags=RAW_LAYER_TAGS,
    deps=[OWNERS_ASSET],
    description=f"`{GOALS_TABLE}`: the validated goals of goals.yml, one row per goal, replaced as a whole.",
    check_specs=[
        dg.AssetCheckSpec(
            GOALS_FILE_CHECK,
            asset=GOALS_ASSET,
            description="goals.yml is valid and its reps are landed HubSpot owners; when not, the "
            "previous goals stay and this check fails naming every mistake's line.",
        )
    ],
)
def goals(
    context: dg.AssetExecutionContext, config: GoalsConfig, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    path = Path(config.goals_file) if config.goals_file else goals_file_path()
    with warehouse.connect() as con:
        try:
            goals_file = validated_goals(path, con)
        except GoalsFileError as error:
            kept = "is empty until one does" if ensure_goals_table(con) else "keeps the last valid goals"
            context.log.error(f"{error}\nNothing landed: {GOALS_TABLE} {kept}.")
            return _rejected(path, error)
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
        check_results=[dg.AssetCheckResult(check_name=GOALS_FILE_CHECK, passed=True)],
    )


def _rejected(path: Path, error: GoalsFileError) -> dg.MaterializeResult:
    """The run goes on with the last valid goals; the error is the metadata and the failed check."""
    located = "\n".join(error.located)
    return dg.MaterializeResult(
        metadata={
            "goals_file": dg.MetadataValue.path(str(path)),
            "goals_file_error": dg.MetadataValue.text(located),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name=GOALS_FILE_CHECK,
                passed=False,
                severity=dg.AssetCheckSeverity.ERROR,
                description=located,
                metadata={"problems": dg.MetadataValue.int(len(error.problems))},
            )
        ],
    )


@dg.definitions
def goals_assets() -> dg.Definitions:
    return dg.Definitions(assets=[goals])
