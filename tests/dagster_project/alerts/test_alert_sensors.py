"""Through Dagster for real: runs recorded in a temporary instance, the project's alert sensors
evaluated on them, the alerts received by the local SMTP and HTTP servers.

The goal check here is the project's own (:func:`check_result` on a pacing row), attached to a
small asset with the goal status mart's key; the data check fails with a secret in its
description; a failing op quotes a token and the Slack URL. Success runs are fed to the sensor
through its real tick (cursor, run records, event log), a failed run through
``build_run_status_sensor_context``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
from alert_receivers import HttpReceiver, Mailbox
from alert_setup import SLACK_PATH, TEAMS_PATH, WEBHOOK_PATH, channel_environ, url_secrets, write_goals_file
from goal_outcomes import AT_RISK, BOOKINGS_LINE, ON_TRACK

from dagster_project.defs.alerts import (
    alerts_on_run_canceled,
    alerts_on_run_failure,
    alerts_on_run_success,
    alerts_release_held,
    digest_after_daily_run,
)
from dagster_project.defs.checks.goals import GOAL_STATUS_ASSET, check_result
from dagster_project.goals.checks import PacingRow, decide
from dagster_project.goals.evaluation import GoalOutcome

HUBSPOT_TOKEN = "pat-na1-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
RAW_DEALS = dg.AssetKey(["raw_hubspot", "deals"])


@dataclass
class Scenario:
    """What the next run's checks will say."""

    goal_row: PacingRow = ON_TRACK
    keys_unique: bool = True


SCENARIO = Scenario()


@dg.asset(
    key=GOAL_STATUS_ASSET, check_specs=[dg.AssetCheckSpec(BOOKINGS_LINE.check_name, asset=GOAL_STATUS_ASSET)]
)
def mart_goal_status() -> dg.MaterializeResult:
    row = SCENARIO.goal_row
    verdict = decide(row, (), BOOKINGS_LINE.drift, BOOKINGS_LINE.thresholds)
    return dg.MaterializeResult(check_results=[check_result(GoalOutcome(BOOKINGS_LINE, verdict, row), "USD")])


@dg.asset(key=RAW_DEALS, check_specs=[dg.AssetCheckSpec("primary_key_unique", asset=RAW_DEALS)])
def raw_deals() -> dg.MaterializeResult:
    description = (
        "Every row has a unique key."
        if SCENARIO.keys_unique
        else f"2 rows share deal id 42 (loaded with Authorization: Bearer {HUBSPOT_TOKEN})"
    )
    check = dg.AssetCheckResult(
        check_name="primary_key_unique", passed=SCENARIO.keys_unique, description=description
    )
    return dg.MaterializeResult(check_results=[check])


@dg.op
def land_hubspot() -> None:
    raise RuntimeError(
        f"HubSpot answered 401 to token {HUBSPOT_TOKEN}; posting to {channel_url()} failed too"
    )


@dg.job
def land_raw() -> None:
    land_hubspot()


def channel_url() -> str:
    return os.environ["MILEMARKER_SLACK_WEBHOOK_URL"]


@pytest.fixture
def instance(
    tmp_path: Path, mailbox: Mailbox, receiver: HttpReceiver, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dg.DagsterInstance]:
    goals = write_goals_file(tmp_path / "goals.yml", mailbox)
    monkeypatch.setenv("MILEMARKER_GOALS_FILE", str(goals))
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", HUBSPOT_TOKEN)
    for name, value in channel_environ(receiver).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(SCENARIO, "goal_row", ON_TRACK)
    monkeypatch.setattr(SCENARIO, "keys_unique", True)
    home = tmp_path / "dagster_home"
    home.mkdir()
    with dg.instance_for_test(temp_dir=str(home)) as instance:
        yield instance


def materialize(instance: dg.DagsterInstance, goal_row: PacingRow, keys_unique: bool) -> None:
    SCENARIO.goal_row, SCENARIO.keys_unique = goal_row, keys_unique
    assert dg.materialize([mart_goal_status, raw_deals], instance=instance).success


def tick(sensor: dg.SensorDefinition, instance: dg.DagsterInstance, cursor: str | None) -> str | None:
    """One evaluation of ``sensor`` as the daemon runs it; the new cursor."""
    with dg.build_sensor_context(instance=instance, cursor=cursor) as context:
        return sensor.evaluate_tick(context).cursor


def webhook_titles(receiver: HttpReceiver) -> list[str]:
    return [body["title"] for body in receiver.bodies(WEBHOOK_PATH)]


def everything_received(mailbox: Mailbox, receiver: HttpReceiver) -> str:
    mails = [
        message.as_string() + "".join(part.get_content() for part in message.iter_parts())
        for *_, message in mailbox.messages
    ]
    return "\n".join([*mails, *(json.dumps(request.body) for request in receiver.received)])


def test_goal_changes_and_a_failing_data_check_reach_every_channel(
    instance: dg.DagsterInstance, mailbox: Mailbox, receiver: HttpReceiver
) -> None:
    cursor = tick(alerts_on_run_success, instance, None)  # the first tick starts after the runs so far

    materialize(instance, ON_TRACK, keys_unique=True)
    cursor = tick(alerts_on_run_success, instance, cursor)
    assert receiver.received == [] and mailbox.messages == []  # first seen, all passing

    materialize(instance, AT_RISK, keys_unique=False)
    cursor = tick(alerts_on_run_success, instance, cursor)
    assert webhook_titles(receiver) == [
        "Bookings per month: on track → at risk",
        "Data check failed: primary_key_unique on raw_hubspot/deals",
    ]
    assert len(receiver.bodies(SLACK_PATH)) == len(receiver.bodies(TEAMS_PATH)) == len(mailbox.messages) == 2
    goal = receiver.bodies(WEBHOOK_PATH)[0]
    assert (goal["kind"], goal["severity"], goal["goal"]["unit"], goal["goal"]["target"]) == (
        "goal_status",
        "warning",
        "USD",
        400_000.0,
    )
    assert {"name": "Required run-rate", "value": "USD 116,200 a week"} in goal["facts"]
    assert "you need 16,600 a day for the rest of the month" in goal["text"]
    _, _, email = mailbox.messages[0]
    assert email["Subject"] == "[Milemarker] WARNING: Bookings per month: on track → at risk"

    # two more runs before the next tick: the same failures again, then the goal recovers and the keys pass
    materialize(instance, AT_RISK, keys_unique=False)
    materialize(instance, ON_TRACK, keys_unique=True)
    tick(alerts_on_run_success, instance, cursor)
    assert webhook_titles(receiver)[2:] == ["Bookings per month recovered: at risk → on track"]

    received = everything_received(mailbox, receiver)
    assert HUBSPOT_TOKEN not in received and "0a1b2c3d-4e5f" not in received
    for secret in url_secrets(receiver):
        assert secret not in received


def test_a_failed_run_is_alerted_once_with_its_error_redacted(
    instance: dg.DagsterInstance, mailbox: Mailbox, receiver: HttpReceiver
) -> None:
    result = land_raw.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    context = dg.build_run_status_sensor_context(
        sensor_name=alerts_on_run_failure.name,
        dagster_event=result.get_run_failure_event(),
        dagster_instance=instance,
        dagster_run=result.dagster_run,
    )
    alerts_on_run_failure(context)
    alerts_on_run_failure(context)  # evaluated again (a retried tick): no second alert

    (body,) = receiver.bodies(WEBHOOK_PATH)
    assert (body["kind"], body["title"], body["run_id"], body["job_name"]) == (
        "run_failed",
        "Run of land_raw failed",
        result.run_id,
        "land_raw",
    )
    assert "land_hubspot: RuntimeError: HubSpot answered 401 to token [redacted]" in body["text"]
    assert len(mailbox.messages) == len(receiver.bodies(SLACK_PATH)) == len(receiver.bodies(TEAMS_PATH)) == 1
    received = everything_received(mailbox, receiver)
    assert HUBSPOT_TOKEN not in received
    for secret in url_secrets(receiver):
        assert secret not in received


def test_a_canceled_run_is_alerted_through_the_sensor_tick(
    instance: dg.DagsterInstance, receiver: HttpReceiver
) -> None:
    cursor = tick(alerts_on_run_canceled, instance, None)
    run = instance.create_run_for_job(job_def=land_raw)
    instance.report_run_canceled(run, message="Canceled from the Dagster UI.")
    tick(alerts_on_run_canceled, instance, cursor)
    (body,) = receiver.bodies(WEBHOOK_PATH)
    assert (body["kind"], body["severity"], body["title"]) == (
        "run_canceled",
        "warning",
        "Run of land_raw was canceled",
    )
    assert body["text"].startswith("Canceled from the Dagster UI.")


def test_an_invalid_block_or_a_dead_channel_never_fails_a_tick(
    instance: dg.DagsterInstance, tmp_path: Path, mailbox: Mailbox, receiver: HttpReceiver
) -> None:
    write_goals_file(tmp_path / "goals.yml", mailbox, "channel: []\n")
    cursor = tick(alerts_on_run_success, instance, None)
    materialize(instance, AT_RISK, keys_unique=False)
    cursor = tick(alerts_on_run_success, instance, cursor)
    assert receiver.received == []
    with dg.build_sensor_context(instance=instance) as context:
        skip = alerts_release_held(context)
    assert isinstance(skip, dg.SkipReason)
    assert skip.skip_message == "No usable alerts block in goals.yml (an invalid one is logged)."

    # fixed, but every channel is down: the tick still completes
    write_goals_file(tmp_path / "goals.yml", mailbox)
    receiver.server.shutdown()
    receiver.server.server_close()
    materialize(instance, ON_TRACK, keys_unique=False)
    tick(alerts_on_run_success, instance, cursor)
    ((_, _, email),) = mailbox.messages  # the one channel still up got the alert
    assert (
        email["Subject"] == "[Milemarker] ERROR: Data check failed: primary_key_unique on raw_hubspot/deals"
    )


@dg.op
def build_nothing() -> None:
    """The day's run, reduced to its name and partition: what the digest sensor looks at."""


DAYS = dg.DailyPartitionsDefinition(start_date="2026-01-01", end_offset=1, timezone="America/New_York")


@dg.job(name="materialize_all", partitions_def=DAYS)
def materialize_all() -> None:
    build_nothing()


def test_the_digest_follows_only_todays_run_and_never_fails_a_tick(
    instance: dg.DagsterInstance,
    mailbox: Mailbox,
    receiver: HttpReceiver,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Yesterday's run (a catch-up) and a run of another job send nothing; today's run reads the
    warehouse -- here there is none, which is logged, not raised. The sending itself is tested on
    a built warehouse (tests/dbt/test_digest.py) and through the daemon (tests/e2e)."""
    monkeypatch.setenv("MILEMARKER_DUCKDB", str(tmp_path / "no-warehouse.duckdb"))
    today = datetime.now(ZoneInfo("America/New_York")).date()

    def digest_lines(job: dg.JobDefinition, partition: date | None) -> list[str]:
        """What the sensor logged about the digest after a successful run of ``job``."""
        key = partition.isoformat() if partition else None
        result = job.execute_in_process(instance=instance, partition_key=key)
        context = dg.build_run_status_sensor_context(
            sensor_name=digest_after_daily_run.name,
            dagster_event=result.get_run_success_event(),
            dagster_instance=instance,
            dagster_run=result.dagster_run,
        )
        context.log.addHandler(caplog.handler)  # the tick's own logger: it has no parent to propagate to
        caplog.clear()
        digest_after_daily_run(context)
        return [record.getMessage() for record in caplog.records if "digest:" in record.getMessage()]

    yesterday = digest_lines(materialize_all, today - timedelta(days=1))
    other_job = digest_lines(land_raw_ok, None)
    todays = digest_lines(materialize_all, today)

    assert any("not today" in line for line in yesterday), yesterday
    assert other_job == []
    assert any("not sent" in line and "no-warehouse.duckdb" in line for line in todays), todays
    assert mailbox.messages == [] and receiver.received == []


@dg.job(name="land_raw")
def land_raw_ok() -> None:
    build_nothing()
