"""``make demo``: materialize every asset as one real Dagster run, summarise it, show the goals.

The run is recorded in the persistent instance (``.dagster/``) so that ``make dev`` shows it. It
executes in this process, through the reconstructable ``materialize_all`` job, as a launched run
would, without paying a second interpreter start.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import dagster as dg

from dagster_project.cli.instance import ensure_dagster_home, ensure_demo_home
from dagster_project.cli.summary import RunSummary
from dagster_project.defs.jobs import MATERIALIZE_ALL
from dagster_project.goals.report import goals_report
from dagster_project.runs.dead_runs import fail_dead_runs
from dagster_project.settings import goals_file_path, warehouse_path


def materialize_all_job() -> dg.JobDefinition:
    """The code location's ``materialize_all`` job; module-level so ``dg.reconstructable`` can
    rebuild it."""
    from dagster_project.definitions import defs

    return defs().resolve_job_def(MATERIALIZE_ALL)


def materialize_all(instance: dg.DagsterInstance, run_config: dict | None = None) -> RunSummary:
    """Run ``materialize_all`` in ``instance`` (which records it) and summarise the run."""
    started = time.monotonic()
    with dg.execute_job(
        dg.reconstructable(materialize_all_job),
        instance=instance,
        tags={"milemarker/trigger": "demo"},
        run_config=run_config,
        raise_on_error=False,
    ) as result:
        return RunSummary.from_result(result, time.monotonic() - started)


def open_demo_instance() -> dg.DagsterInstance:
    """The shared instance, opened with the demo's config (the buffered event log, when this Dagster
    still allows it).

    The stock config is written back as soon as the instance is open: it has read its config by
    then, and the run executes in this process. So only the demo uses the buffered storage, and at
    rest the home holds what ``make dev``, its daemon or a ``dagster`` command in a shell expect --
    also after an upgrade that breaks the private API the buffered storage stands on.
    """
    ensure_demo_home()
    try:
        return dg.DagsterInstance.get()
    finally:
        ensure_dagster_home()


def run_demo() -> int:
    """Run everything in ``.dagster/``, print the summary; the exit status says whether it succeeded.

    A rejected goals.yml does not stop the run (the data lands and dbt builds on the last valid
    goals); the summary prints its located mistakes and the exit status is 1, so it is not missed.
    """
    with open_demo_instance() as instance:
        home = Path(os.environ["DAGSTER_HOME"])  # set by open_demo_instance
        for dead in fail_dead_runs(instance):
            print(dead.message())
        # Progress (each stream's commit, dbt's model lines) without the per-event debug flood.
        summary = materialize_all(instance, {"loggers": {"console": {"config": {"log_level": "INFO"}}}})
    print(summary.render(warehouse_path(), home))
    if summary.success:
        print(goals_report(warehouse_path(), goals_file_path()).text)
    return 0 if summary.success and not summary.goals_file_error else 1
