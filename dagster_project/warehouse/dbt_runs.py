"""A target folder per dbt invocation, of which only the last :data:`RUNS_KEPT` are kept.

dagster-dbt runs every dbt invocation in its own target folder (``DBT_TARGET_PATH``), so that runs
never overwrite each other's ``run_results.json``, compiled SQL and logs -- about 23 MB a run at
sandbox scale 0.1, and it never deletes one. The dbt asset names the folder itself (the public
``target_path`` argument of ``DbtCliResource.cli``), under a folder only these hold, and makes
room first: the last few runs' artefacts stay at hand for debugging, the disk stays bounded.
Nothing in the pipeline reads them back (the exports take the dbt run from Dagster's records).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from dagster_project.warehouse.dated_dirs import dated_name, prune_oldest

RUNS_KEPT = 5
"""dbt invocations whose target folders are kept, the one about to start included."""


def new_run_target(runs: Path, run_id: str, started_at: datetime) -> Path:
    """The target folder for a dbt invocation of Dagster run ``run_id`` starting now, in ``runs``.

    Deletes all but the newest ``RUNS_KEPT - 1`` folders already there, so at most ``RUNS_KEPT``
    remain once dbt has created this one.
    """
    if runs.is_dir():
        prune_oldest((folder for folder in runs.iterdir() if folder.is_dir()), RUNS_KEPT - 1)
    return runs / dated_name(started_at, run_id[:8])
