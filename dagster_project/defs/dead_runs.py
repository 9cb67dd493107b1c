"""``dead_run_sweeper``: a sensor that marks runs whose process died as failed, every minute.

Under ``make dev`` (or a deployed daemon) this is what notices a run that was SIGKILLed, OOM-killed
or cut off by a reboot (:mod:`dagster_project.runs.dead_runs`): Dagster's own run monitoring cannot
with the default run launcher. It launches nothing; each tick's skip reason says what it found.
"""

import dagster as dg

from dagster_project.runs.dead_runs import fail_dead_runs

DEAD_RUN_SWEEPER = "dead_run_sweeper"


@dg.sensor(
    name=DEAD_RUN_SWEEPER,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Marks runs whose process is gone (killed, out of memory, a reboot) as failed.",
)
def dead_run_sweeper(context: dg.SensorEvaluationContext) -> dg.SkipReason:
    swept = fail_dead_runs(context.instance)
    for dead in swept:
        context.log.warning(dead.message())
    if not swept:
        return dg.SkipReason("No run in progress has lost its process.")
    return dg.SkipReason(f"Marked {len(swept)} run(s) failed: {', '.join(d.run_id for d in swept)}.")


@dg.definitions
def sensors() -> dg.Definitions:
    return dg.Definitions(sensors=[dead_run_sweeper])
