"""The daily schedule: time and zone from goals.yml, and each tick's run pinned to the tick's as-of day."""

from __future__ import annotations

import textwrap
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
from pydantic import ValidationError

from dagster_project.config.goals import load_goals, load_metric_catalog
from dagster_project.config.run_schedule import DailyRun, ScheduleSettings, load_daily_run
from dagster_project.defs.jobs import MATERIALIZE_ALL
from dagster_project.defs.schedules import DAILY_SCHEDULE, build_daily_schedule, schedules
from dagster_project.settings import DBT_PROJECT_DIR, SHIPPED_GOALS_FILE

NEW_YORK = "America/New_York"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "goals.yml"
    path.write_text(textwrap.dedent(text))
    return path


def evaluate(schedule: dg.ScheduleDefinition, tick: datetime) -> dg.RunRequest:
    with dg.build_schedule_context(scheduled_execution_time=tick) as context:
        requests = schedule.evaluate_tick(context).run_requests
    assert requests is not None and len(requests) == 1
    return requests[0]


def as_of_of(request: dg.RunRequest) -> str:
    return request.run_config["ops"]["milemarker_dbt"]["config"]["as_of_date"]


def test_a_tick_requests_materialize_all_as_of_its_own_date() -> None:
    schedule = build_daily_schedule(DailyRun(time(6, 0), NEW_YORK, enabled=True), NEW_YORK)

    request = evaluate(schedule, datetime(2026, 11, 23, 6, 0, tzinfo=ZoneInfo(NEW_YORK)))

    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 6 * * *", NEW_YORK)
    assert schedule.job_name == MATERIALIZE_ALL
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert as_of_of(request) == "2026-11-23"
    assert request.tags["milemarker/as_of_date"] == "2026-11-23"


def test_the_as_of_date_is_the_organisations_day_when_the_schedule_runs_in_another_zone() -> None:
    schedule = build_daily_schedule(DailyRun(time(2, 0), "UTC", enabled=False), NEW_YORK)

    request = evaluate(schedule, datetime(2026, 11, 23, 2, 0, tzinfo=ZoneInfo("UTC")))

    assert as_of_of(request) == "2026-11-22"  # 21:00 the evening before, in New York
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED


def test_the_project_schedule_defaults_to_six_in_the_organisations_zone() -> None:
    (schedule,) = schedules().schedules

    assert schedule.name == DAILY_SCHEDULE
    assert schedule.cron_schedule == load_daily_run(SHIPPED_GOALS_FILE).cron
    assert schedule.execution_timezone == load_daily_run(SHIPPED_GOALS_FILE).timezone


def test_the_schedule_block_sets_time_zone_and_status(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        organisation: {timezone: America/Chicago}
        schedule: {daily_at: "05:45", enabled: false}
        """,
    )

    assert load_daily_run(path) == DailyRun(time(5, 45), "America/Chicago", enabled=False)
    assert load_daily_run(path).cron == "45 5 * * *"
    assert load_daily_run(write(tmp_path, "organisation: {timezone: Europe/Paris}\n")) == DailyRun(
        time(6, 0), "Europe/Paris", enabled=True
    )


def test_an_unquoted_clock_time_still_means_that_time(tmp_path: Path) -> None:
    # YAML 1.1 reads 7:30 as the base-60 integer 450.
    assert load_daily_run(write(tmp_path, "schedule: {daily_at: 7:30}\n")).at == time(7, 30)


@pytest.mark.parametrize(
    "block", [{"daily_at": "25:00"}, {"timezone": "Mars/Olympus"}, {"daily_at": "06:00", "every": "day"}]
)
def test_a_bad_schedule_block_is_rejected(block: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        ScheduleSettings.model_validate(block)


def test_goals_yml_accepts_the_schedule_block(tmp_path: Path) -> None:
    path = write(tmp_path, 'schedule: {daily_at: "06:30", timezone: UTC}\ngoals: []\n')
    catalog = load_metric_catalog(DBT_PROJECT_DIR / "seeds" / "goal_metrics.csv")

    assert load_goals(path, catalog).document.schedule == ScheduleSettings(
        daily_at=time(6, 30), timezone="UTC"
    )


def test_deadlines_after_the_run_wrap_past_midnight() -> None:
    assert DailyRun(time(23, 30), "UTC", enabled=True).cron_after(timedelta(hours=1)) == "30 0 * * *"
