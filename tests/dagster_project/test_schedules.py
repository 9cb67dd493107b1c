"""The daily schedule: time and zone from goals.yml, and each tick's run pinned to the tick's as-of day."""

from __future__ import annotations

import contextlib
import functools
import textwrap
import uuid
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
from pydantic import ValidationError

from dagster_project.config.goals import load_goals, load_metric_catalog
from dagster_project.config.organisation import load_organisation
from dagster_project.config.run_schedule import DailyRun, ScheduleSettings, load_daily_run
from dagster_project.definitions import defs as load_definitions
from dagster_project.defs.jobs import MATERIALIZE_ALL
from dagster_project.defs.schedules import DAILY_SCHEDULE, build_daily_schedule, schedules
from dagster_project.runs.partitions import PARTITION_TAG, as_of_run_config, days_to_run
from dagster_project.settings import DBT_PROJECT_DIR, SHIPPED_GOALS_FILE

NEW_YORK = "America/New_York"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "goals.yml"
    path.write_text(textwrap.dedent(text))
    return path


def evaluate_all(
    schedule: dg.ScheduleDefinition, tick: datetime, instance: dg.DagsterInstance | None = None
) -> list[dg.RunRequest]:
    """The tick's run requests, against ``instance``'s run history (a new, empty one by default), with
    the project's own repository (a request names a partition of its ``materialize_all``)."""
    with contextlib.ExitStack() as stack:
        instance = instance or stack.enter_context(dg.instance_for_test())
        with dg.build_schedule_context(
            instance=instance, scheduled_execution_time=tick, repository_def=project_repository()
        ) as context:
            result = schedule.evaluate_tick(context)
    return list(result.run_requests or [])


@functools.cache
def project_repository() -> dg.RepositoryDefinition:
    return load_definitions().get_repository_def()


def evaluate(schedule: dg.ScheduleDefinition, tick: datetime) -> dg.RunRequest:
    [request] = evaluate_all(schedule, tick)
    return request


def as_of_of(request: dg.RunRequest) -> str:
    """The as-of day a request runs for: its partition, whose run config pins dbt's day to it."""
    assert request.partition_key is not None
    config = as_of_run_config(request.partition_key, "milemarker_dbt")
    assert config["resources"]["sandbox"]["config"]["as_of"] == request.partition_key
    return config["ops"]["milemarker_dbt"]["config"]["as_of_date"]


def record_run(instance: dg.DagsterInstance, day: str, status: dg.DagsterRunStatus) -> None:
    """A ``materialize_all`` run for ``day``'s partition, as the run history records it."""
    instance.add_run(
        dg.DagsterRun(
            job_name=MATERIALIZE_ALL, run_id=str(uuid.uuid4()), status=status, tags={PARTITION_TAG: day}
        )
    )


TICK = datetime(2026, 11, 23, 6, 0, tzinfo=ZoneInfo(NEW_YORK))


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


def test_a_tick_catches_up_the_days_missed_since_the_last_success_oldest_first() -> None:
    schedule = build_daily_schedule(DailyRun(time(6, 0), NEW_YORK, enabled=True), NEW_YORK)
    with dg.instance_for_test() as instance:
        record_run(instance, "2026-11-20", dg.DagsterRunStatus.SUCCESS)
        record_run(instance, "2026-11-21", dg.DagsterRunStatus.FAILURE)  # failed: still to run
        requests = evaluate_all(schedule, TICK, instance)

    assert [as_of_of(r) for r in requests] == ["2026-11-21", "2026-11-22", "2026-11-23"]
    assert [r.tags["milemarker/trigger"] for r in requests] == ["catch-up", "catch-up", "schedule"]
    assert [r.run_key for r in requests] == ["2026-11-21", "2026-11-22", "2026-11-23"]


def test_a_day_already_queued_or_running_is_not_launched_twice() -> None:
    schedule = build_daily_schedule(DailyRun(time(6, 0), NEW_YORK, enabled=True), NEW_YORK)
    with dg.instance_for_test() as instance:
        record_run(instance, "2026-11-21", dg.DagsterRunStatus.SUCCESS)
        record_run(instance, "2026-11-22", dg.DagsterRunStatus.STARTED)
        assert [as_of_of(r) for r in evaluate_all(schedule, TICK, instance)] == ["2026-11-23"]
        record_run(instance, "2026-11-23", dg.DagsterRunStatus.STARTING)
        assert evaluate_all(schedule, TICK, instance) == []


def test_the_first_tick_of_a_new_install_runs_its_own_day_only() -> None:
    schedule = build_daily_schedule(DailyRun(time(6, 0), NEW_YORK, enabled=True), NEW_YORK)
    assert [as_of_of(r) for r in evaluate_all(schedule, TICK)] == ["2026-11-23"]


@pytest.mark.parametrize(
    ("last_success", "catch_up_days", "first_day", "expected"),
    [
        (date(2026, 11, 22), 7, date(2024, 1, 1), ["2026-11-23"]),  # on time
        (date(2026, 11, 23), 7, date(2024, 1, 1), ["2026-11-23"]),  # today's run again: still runs
        (date(2026, 11, 1), 3, date(2024, 1, 1), ["2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23"]),
        (date(2026, 11, 1), 0, date(2024, 1, 1), ["2026-11-23"]),  # catching up switched off
        (date(2026, 11, 1), 7, date(2026, 11, 22), ["2026-11-22", "2026-11-23"]),  # not before the first day
        (None, 7, date(2024, 1, 1), ["2026-11-23"]),
    ],
)
def test_days_to_run(
    last_success: date | None, catch_up_days: int, first_day: date, expected: list[str]
) -> None:
    days = days_to_run(date(2026, 11, 23), last_success, catch_up_days, first_day)
    assert [day.isoformat() for day in days] == expected


def test_the_daily_job_is_partitioned_by_as_of_day_in_the_organisations_zone() -> None:
    job = project_repository().get_job(MATERIALIZE_ALL)
    partitions = job.partitions_def
    assert isinstance(partitions, dg.DailyPartitionsDefinition)
    assert partitions.timezone == load_organisation(SHIPPED_GOALS_FILE).timezone
    assert partitions.start.date() == date(2024, 1, 1)
    assert job.run_tags == {"milemarker/warehouse": "writer"}
    config = job.partitioned_config.get_run_config_for_partition_key("2026-11-20")
    assert config == as_of_run_config("2026-11-20", "milemarker_dbt")
