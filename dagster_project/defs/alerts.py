"""The alert sensors: Dagster's run status sensors hand finished runs to :mod:`dagster_project.alerts`.

* ``alerts_on_run_failure`` and ``alerts_on_run_canceled``: the run's end (job, run id, the failure
  text, redacted), plus whatever its checks said before it stopped -- a failed blocking check or
  dbt test is often why a run failed;
* ``alerts_on_run_success``: the run's asset check evaluations: goal status changes and data checks
  that stopped passing;
* ``alerts_release_held``: every five minutes, the alerts held during quiet hours that are now due;
* ``digest_after_daily_run``: the morning digest and the weekly report (:mod:`dagster_project.digest`)
  after the run of today's as-of day succeeds.

They start RUNNING, launch nothing, and never raise: whatever goes wrong (a channel down, the alerts
block invalid, a bug) is logged on the tick, and the run the sensor looked at is not affected. The
settings are read from goals.yml at each evaluation, so editing the file needs no reload.

The run sensors watch every run the instance records (``monitor_all_code_locations``), not only
runs launched through this code location: ``make demo`` executes its run in its own process, with
no code location origin, and its failures matter as much. The check evaluations are read from the
instance's event log, so any run counts: scheduled, launched from the UI, or executed in process.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg

from connectors.redaction import excerpt
from dagster_project.alerts.outcomes import CheckOutcome
from dagster_project.alerts.run_alerts import EndedRun, RunEnd
from dagster_project.alerts.service import alert_on_run, release_held
from dagster_project.config.organisation import load_organisation
from dagster_project.defs.checks.goals import GOAL_STATUS_ASSET
from dagster_project.defs.jobs import MATERIALIZE_ALL
from dagster_project.digest.service import send_digests
from dagster_project.runs.partitions import PARTITION_TAG
from dagster_project.settings import goals_file_path, warehouse_path

RELEASE_INTERVAL_SECONDS = 300
FAILED_STEPS_QUOTED = 5
"""Failed steps whose errors an alert quotes; the rest are in the run's logs."""


@dg.run_failure_sensor(
    name="alerts_on_run_failure",
    monitor_all_code_locations=True,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Alerts the goals.yml channels that a run failed, and on changes in its checks.",
)
def alerts_on_run_failure(context: dg.RunFailureSensorContext) -> None:
    _alert(context, RunEnd.FAILED)


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.CANCELED,
    name="alerts_on_run_canceled",
    monitor_all_code_locations=True,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Alerts the goals.yml channels that a run was canceled, and on changes in its checks.",
)
def alerts_on_run_canceled(context: dg.RunStatusSensorContext) -> None:
    _alert(context, RunEnd.CANCELED)


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    name="alerts_on_run_success",
    monitor_all_code_locations=True,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Alerts the goals.yml channels when a goal's status changes or a data check stops passing.",
)
def alerts_on_run_success(context: dg.RunStatusSensorContext) -> None:
    _alert(context, None)


@dg.sensor(
    name="alerts_release_held",
    minimum_interval_seconds=RELEASE_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Sends the alerts held during quiet hours once they end.",
)
def alerts_release_held(context: dg.SensorEvaluationContext) -> dg.SkipReason:
    try:
        delivery = release_held(
            goals_file=goals_file_path(),
            dagster_home=Path(context.instance.root_directory),
            now=datetime.now(UTC),
            environ=os.environ,
            log=context.log,
        )
    except Exception as error:  # a sensor tick must not fail over an alert
        context.log.error("alerts: held alerts not released: %s", excerpt(repr(error)))
        return dg.SkipReason("Held alerts not released; the tick's log says why.")
    if delivery is None:
        return dg.SkipReason("No usable alerts block in goals.yml (an invalid one is logged).")
    return dg.SkipReason(f"Held alerts: {delivery.summary()}.")


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    name="digest_after_daily_run",
    monitor_all_code_locations=True,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Sends the morning digest (and on its weekday the weekly pipeline report) to the goals.yml "
    "channels once the run of today's as-of day succeeds; once a day.",
)
def digest_after_daily_run(context: dg.RunStatusSensorContext) -> None:
    run = context.dagster_run
    day = run.tags.get(PARTITION_TAG)
    if run.job_name != MATERIALIZE_ALL or day is None:
        return  # the demo's and ad-hoc runs are not the day's run
    goals_file = goals_file_path()
    try:
        today = datetime.now(ZoneInfo(load_organisation(goals_file).timezone)).date()
        if date.fromisoformat(day) != today:
            context.log.info("digest: run %s is of %s, not today (%s): nothing sent", run.run_id, day, today)
            return
        results = send_digests(
            as_of=today,
            warehouse=warehouse_path(),
            goals_file=goals_file,
            dagster_home=Path(context.instance.root_directory),
            environ=os.environ,
            now=datetime.now(UTC),
            log=context.log,
        )
    except Exception as error:  # a sensor tick must not fail over a digest
        context.log.error("digest: run %s: not sent: %s", run.run_id, excerpt(repr(error)))
        return
    for name, channels in (results or {}).items():
        context.log.info(
            "digest: %s for %s: %s", name, day, "; ".join(f"{k} {v}" for k, v in channels.items())
        )


def _alert(context: dg.RunStatusSensorContext, end: RunEnd | None) -> None:
    """Alert on ``context``'s run; returns None so that one tick goes on to the next finished run."""
    run = context.dagster_run
    try:
        ended = None if end is None else EndedRun(run.run_id, run.job_name, end, _failure_text(context))
        delivery = alert_on_run(
            ended,
            check_outcomes(context.instance, run),
            goals_file=goals_file_path(),
            dagster_home=Path(context.instance.root_directory),
            now=datetime.now(UTC),
            environ=os.environ,
            log=context.log,
        )
    except Exception as error:  # a sensor tick must not fail over an alert
        context.log.error("alerts: run %s not alerted on: %s", run.run_id, excerpt(repr(error)))
        return
    if delivery is not None:
        context.log.info("alerts: run %s: %s", run.run_id, delivery.summary())


def check_outcomes(instance: dg.DagsterInstance, run: dg.DagsterRun) -> list[CheckOutcome]:
    """The asset check evaluations ``run`` recorded, in order, as plain values."""
    outcomes = []
    for entry in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION):
        evaluation = entry.asset_check_evaluation
        if evaluation is None:
            continue
        metadata = {key: value.value for key, value in evaluation.metadata.items()}
        outcomes.append(
            CheckOutcome(
                asset=evaluation.asset_key.to_user_string(),
                check_name=evaluation.check_name,
                passed=evaluation.passed,
                severity=None if evaluation.passed else evaluation.severity.value,
                description=evaluation.description,
                metadata=metadata,
                is_goal=evaluation.asset_key == GOAL_STATUS_ASSET and "reason" in metadata,
                run_id=run.run_id,
                job_name=run.job_name,
            )
        )
    return outcomes


def _failure_text(context: dg.RunStatusSensorContext) -> str:
    """The run's end message and the innermost error of its first failed steps (unredacted)."""
    lines = [context.dagster_event.message or ""]
    failures = context.instance.all_logs(context.dagster_run.run_id, of_type=dg.DagsterEventType.STEP_FAILURE)
    for entry in failures[:FAILED_STEPS_QUOTED]:
        event = entry.dagster_event
        error = event.step_failure_data.error if event is not None else None
        while error is not None and error.cause is not None:
            error = error.cause
        if event is not None and error is not None:
            lines.append(f"{event.step_key}: {error.message.strip()}")
    return "\n".join(line for line in lines if line)


@dg.definitions
def alert_sensors() -> dg.Definitions:
    return dg.Definitions(
        sensors=[
            alerts_on_run_failure,
            alerts_on_run_canceled,
            alerts_on_run_success,
            alerts_release_held,
            digest_after_daily_run,
        ]
    )
