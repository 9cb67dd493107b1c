"""The daily run: ``materialize_all`` at the time and in the time zone of goals.yml's ``schedule``.

Each tick launches the partition of its own as-of day (the tick's date in the organisation's time
zone), not "today" when the run starts: a run that queued past midnight, or a tick launched late,
still builds the marts for the day it was scheduled for. Before it, the tick launches the days the
daily run missed since its last success -- the machine slept through 06:00, the daemon was down,
a run failed -- at most ``catch_up_days`` back, oldest first (``runs/partitions.py``). Writers queue
one at a time (the instance's run queue limits the ``milemarker/warehouse`` tag to one run), so the
days land and build in order and the last export published is the newest day's. A day whose run is
already queued or running is not launched twice.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import dagster as dg

from dagster_project.config.organisation import load_organisation
from dagster_project.config.run_schedule import DailyRun, load_daily_run
from dagster_project.defs.jobs import MATERIALIZE_ALL
from dagster_project.runs.partitions import PARTITION_TAG, days_to_run
from dagster_project.settings import goals_file_path

DAILY_SCHEDULE = "daily_materialize_all"
RECENT_SUCCESSES = 50
"""Successful partitioned runs read to find the newest day that succeeded (backfills of old days
can be the most recent runs)."""
NOT_FINISHED = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]


def last_successful_day(instance: dg.DagsterInstance) -> date | None:
    """The newest as-of day a partitioned ``materialize_all`` run succeeded for, if any."""
    records = instance.get_run_records(
        dg.RunsFilter(job_name=MATERIALIZE_ALL, statuses=[dg.DagsterRunStatus.SUCCESS]),
        limit=RECENT_SUCCESSES,
    )
    days = [
        date.fromisoformat(r.dagster_run.tags[PARTITION_TAG])
        for r in records
        if PARTITION_TAG in r.dagster_run.tags
    ]
    return max(days, default=None)


def days_in_flight(instance: dg.DagsterInstance, days: list[date]) -> set[date]:
    """Those of ``days`` with a ``materialize_all`` run queued or running."""
    return {
        day
        for day in days
        if instance.get_run_records(
            dg.RunsFilter(
                job_name=MATERIALIZE_ALL, statuses=NOT_FINISHED, tags={PARTITION_TAG: day.isoformat()}
            ),
            limit=1,
        )
    }


def build_daily_schedule(daily: DailyRun, organisation_timezone: str) -> dg.ScheduleDefinition:
    """The schedule for ``daily``; each tick's as-of day is its date in ``organisation_timezone``."""

    @dg.schedule(
        name=DAILY_SCHEDULE,
        cron_schedule=daily.cron,
        execution_timezone=daily.timezone,
        job_name=MATERIALIZE_ALL,
        default_status=(
            dg.DefaultScheduleStatus.RUNNING if daily.enabled else dg.DefaultScheduleStatus.STOPPED
        ),
        description=f"Land everything and rebuild the marts daily at {daily.at:%H:%M} ({daily.timezone}), "
        f"catching up days missed in the last {daily.catch_up_days}.",
    )
    def _daily(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest] | dg.SkipReason:
        tick = context.scheduled_execution_time or datetime.now(ZoneInfo(daily.timezone))
        as_of = tick.astimezone(ZoneInfo(organisation_timezone)).date()
        if as_of < daily.partitions_from:
            return dg.SkipReason(f"{as_of} is before the first partition ({daily.partitions_from}).")
        days = days_to_run(
            as_of, last_successful_day(context.instance), daily.catch_up_days, daily.partitions_from
        )
        busy = days_in_flight(context.instance, days)
        requests = [
            dg.RunRequest(
                run_key=day.isoformat(),
                partition_key=day.isoformat(),
                tags={
                    "milemarker/trigger": "schedule" if day == as_of else "catch-up",
                    "milemarker/as_of_date": day.isoformat(),
                },
            )
            for day in days
            if day not in busy
        ]
        return requests or dg.SkipReason(
            f"The runs for {', '.join(map(str, days))} are already queued or running."
        )

    return _daily


@dg.definitions
def schedules() -> dg.Definitions:
    goals_file = goals_file_path()
    return dg.Definitions(
        schedules=[build_daily_schedule(load_daily_run(goals_file), load_organisation(goals_file).timezone)]
    )
