"""The daily run: ``materialize_all`` at the time and in the time zone of goals.yml's ``schedule``.

Each tick pins dbt's ``as_of_date`` to the tick's own date in the organisation's time zone rather
than letting the run compute "today" when it starts: a run that queued past midnight, or a missed
tick launched late, still builds the marts for the day it was scheduled for.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import dagster as dg

from dagster_project.config.organisation import load_organisation
from dagster_project.config.run_schedule import DailyRun, load_daily_run
from dagster_project.defs.dbt.assets import milemarker_dbt
from dagster_project.defs.jobs import MATERIALIZE_ALL
from dagster_project.settings import goals_file_path

DAILY_SCHEDULE = "daily_materialize_all"


def build_daily_schedule(daily: DailyRun, organisation_timezone: str) -> dg.ScheduleDefinition:
    """The schedule for ``daily``; ``as_of_date`` is the tick's date in ``organisation_timezone``."""

    @dg.schedule(
        name=DAILY_SCHEDULE,
        cron_schedule=daily.cron,
        execution_timezone=daily.timezone,
        job_name=MATERIALIZE_ALL,
        default_status=(
            dg.DefaultScheduleStatus.RUNNING if daily.enabled else dg.DefaultScheduleStatus.STOPPED
        ),
        description=f"Land everything and rebuild the marts daily at {daily.at:%H:%M} ({daily.timezone}).",
    )
    def _daily(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        tick = context.scheduled_execution_time or datetime.now(ZoneInfo(daily.timezone))
        as_of = tick.astimezone(ZoneInfo(organisation_timezone)).date()
        return dg.RunRequest(
            run_config={"ops": {milemarker_dbt.op.name: {"config": {"as_of_date": as_of.isoformat()}}}},
            tags={"milemarker/trigger": "schedule", "milemarker/as_of_date": as_of.isoformat()},
        )

    return _daily


@dg.definitions
def schedules() -> dg.Definitions:
    goals_file = goals_file_path()
    return dg.Definitions(
        schedules=[build_daily_schedule(load_daily_run(goals_file), load_organisation(goals_file).timezone)]
    )
