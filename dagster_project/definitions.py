"""The code location: everything under ``defs/``, run in process.

In-process execution is a deliberate global policy: DuckDB takes one writer at a time, so steps
could not run in parallel anyway; one process saves the ~10 s each extra process spends importing
Dagster and dbt, and lets one embedded sandbox serve the whole run. There is no concurrency pool:
a run that finds the warehouse held by another waits on DuckDB's own lock (bounded and logged,
``WarehouseResource.busy_wait_seconds``), which dies with its holder, where a pool slot claimed by
a killed run would stay claimed. Freshness policies are set here, over everything loaded, so no
asset is missed.
"""

from pathlib import Path

import dagster as dg

from dagster_project.defs.checks.freshness import with_freshness_policies


@dg.definitions
def defs() -> dg.Definitions:
    return with_freshness_policies(
        dg.Definitions.merge(
            dg.load_from_defs_folder(path_within_project=Path(__file__).parent),
            dg.Definitions(executor=dg.in_process_executor),
        )
    )
