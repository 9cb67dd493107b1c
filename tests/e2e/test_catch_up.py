"""Days the daily run missed are caught up on the next tick, with the marts of runs made on time.

The business is the embedded sandbox, its clock frozen on each run's own day (the partition sets
it). The daily run succeeds for the first day, then misses two (the machine was off); the next
tick, evaluated as the daemon evaluates it, asks for the two missed days and its own, oldest first,
and each request runs as the daemon launches it (the partition's run config and tags) in the
order the run queue lets them through. The marts each catch-up run leaves are compared with those
of the same home had its ticks come on time (a copy of it after the first day, each day's tick run
on that day). A fresh warehouse is not the baseline: the pacing history keeps the days earlier runs
built, so a home's marts depend on the days it ran, which is the point of catching them up.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
from goals_for_business import goals_file_for

from dagster_project.cli.demo import materialize_all_job
from dagster_project.config.organisation import load_organisation
from dagster_project.defs.jobs import MATERIALIZE_ALL
from dagster_project.defs.resources import CREDENTIAL_VARS
from dagster_project.defs.schedules import DAILY_SCHEDULE
from dagster_project.runs.partitions import PARTITION_TAG
from dagster_project.settings import SHIPPED_GOALS_FILE
from sandbox.simulation.config import SandboxConfig
from tests.dbt.mart_fingerprints import Fingerprints, differences, fingerprints

pytestmark = pytest.mark.slow

FIRST_DAY = date(2025, 6, 10)
MISSED = [FIRST_DAY + timedelta(days=1), FIRST_DAY + timedelta(days=2)]
BACK_ON = FIRST_DAY + timedelta(days=3)
SANDBOX = SandboxConfig(seed=11, scale=0.05, as_of=BACK_ON)


@dataclass(frozen=True)
class Home:
    """A deployment's files: Dagster's home, the data directory, and the warehouse in it."""

    root: Path

    @property
    def warehouse(self) -> Path:
        return self.root / "data" / "warehouse.duckdb"


def environment(home: Home, goals: Path) -> pytest.MonkeyPatch:
    env = pytest.MonkeyPatch()
    for name in CREDENTIAL_VARS:
        env.delenv(name, raising=False)
    env.delenv("MILEMARKER_SANDBOX_AS_OF", raising=False)  # each run's partition sets the day
    env.delenv("MILEMARKER_DUCKDB", raising=False)
    env.setenv("DAGSTER_HOME", str(home.root / "dagster"))
    env.setenv("MILEMARKER_DATA_DIR", str(home.root / "data"))
    env.setenv("MILEMARKER_SANDBOX_SEED", str(SANDBOX.seed))
    env.setenv("MILEMARKER_SANDBOX_SCALE", str(SANDBOX.scale))
    env.setenv("MILEMARKER_GOALS_FILE", str(goals))
    (home.root / "dagster").mkdir(parents=True, exist_ok=True)
    return env


def tick_requests(instance: dg.DagsterInstance, day: date) -> list[dg.RunRequest]:
    """The daily schedule's run requests for its tick on ``day`` (06:00 where the business is)."""
    from dagster_project.definitions import defs

    repository = defs().get_repository_def()
    zone = ZoneInfo(load_organisation(SHIPPED_GOALS_FILE).timezone)
    tick = datetime.combine(day, time(6, 0), tzinfo=zone)
    with dg.build_schedule_context(
        instance=instance, scheduled_execution_time=tick, repository_def=repository
    ) as context:
        result = repository.get_schedule_def(DAILY_SCHEDULE).evaluate_tick(context)
    return list(result.run_requests or [])


def launch(instance: dg.DagsterInstance, request: dg.RunRequest) -> None:
    """Run ``request`` as the daemon launches it: the partition (its run config comes from the
    job's partitioned config) and the request's tags.

    The job is loaded afresh for every run, in this home's environment: ``dg.reconstructable``
    would hand back the definitions it loaded first in this process, another home's warehouse.
    """
    assert request.partition_key is not None
    result = materialize_all_job().execute_in_process(
        partition_key=request.partition_key, tags=request.tags, instance=instance, raise_on_error=False
    )
    failures = [event.message for event in result.all_events if event.is_step_failure]
    assert result.success, failures


@pytest.fixture(scope="module")
def goals(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return goals_file_for(SANDBOX, tmp_path_factory.mktemp("goals"))


@pytest.fixture(scope="module")
def first_day(tmp_path_factory: pytest.TempPathFactory, goals: Path) -> Home:
    """A home whose daily run succeeded for the first day (a new install: its first tick)."""
    home = Home(tmp_path_factory.mktemp("first-day"))
    with running_in(home, goals) as instance:
        [first] = tick_requests(instance, FIRST_DAY)
        launch(instance, first)
    return home


@contextmanager
def running_in(home: Home, goals: Path) -> Iterator[dg.DagsterInstance]:
    """``home``'s instance, in ``home``'s environment."""
    env = environment(home, goals)
    try:
        with dg.DagsterInstance.get() as instance:
            yield instance
    finally:
        env.undo()


def copy_home(home: Home, root: Path) -> Home:
    shutil.copytree(home.root, root, symlinks=True, dirs_exist_ok=True)
    return Home(root)


@pytest.fixture(scope="module")
def caught_up(tmp_path_factory: pytest.TempPathFactory, goals: Path, first_day: Home) -> dict:
    """The late home: two days missed after the first, then the tick that catches up, its requests
    run in order; the marts after each."""
    home = copy_home(first_day, tmp_path_factory.mktemp("late"))
    with running_in(home, goals) as instance:
        requests = tick_requests(instance, BACK_ON)
        marts: dict[date, Fingerprints] = {}
        for request in requests[:-1]:  # the day's own run is any day's run: not repeated here
            launch(instance, request)
            marts[date.fromisoformat(request.partition_key or "")] = fingerprints(home.warehouse)
        runs = instance.get_run_records(dg.RunsFilter(job_name=MATERIALIZE_ALL))
    return {"requests": requests, "marts": marts, "runs": runs}


@pytest.fixture(scope="module")
def on_time(
    tmp_path_factory: pytest.TempPathFactory, goals: Path, first_day: Home
) -> dict[date, Fingerprints]:
    """The same home, had every tick come on time: each day's tick and its run; the marts after each."""
    home = copy_home(first_day, tmp_path_factory.mktemp("on-time"))
    marts: dict[date, Fingerprints] = {}
    with running_in(home, goals) as instance:
        for day in MISSED:
            [request] = tick_requests(instance, day)
            launch(instance, request)
            marts[day] = fingerprints(home.warehouse)
    return marts


def test_the_next_tick_asks_for_both_missed_days_then_its_own(caught_up: dict) -> None:
    requests = caught_up["requests"]
    assert [r.partition_key for r in requests] == [day.isoformat() for day in [*MISSED, BACK_ON]]
    assert [r.tags["milemarker/trigger"] for r in requests] == ["catch-up", "catch-up", "schedule"]
    succeeded = sorted(
        record.dagster_run.tags[PARTITION_TAG]
        for record in caught_up["runs"]
        if record.dagster_run.status == dg.DagsterRunStatus.SUCCESS
    )
    assert succeeded == [day.isoformat() for day in [FIRST_DAY, *MISSED]]


@pytest.mark.parametrize("day", MISSED, ids=str)
def test_a_caught_up_day_has_the_marts_of_a_run_made_on_time(
    caught_up: dict, on_time: dict[date, Fingerprints], day: date
) -> None:
    assert differences(on_time[day], caught_up["marts"][day]) == []
