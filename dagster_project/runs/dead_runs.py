"""Runs whose process died are found and marked failed, so the run history tells the truth.

A run SIGKILLed by the OOM killer, a reboot or a power cut never writes its end: Dagster keeps it
``STARTED`` forever. With the default run launcher nothing notices (Dagster's run monitoring asks
the launcher whether the worker lives, and the default launcher cannot say), so the UI shows a run
in progress that is not, and anything that counts in-progress runs -- a queue limit, a concurrency
pool's claimed slot, an operator deciding whether it is safe to start one -- is misled for good.

Every run records the process that executes it: the executor's first engine event ("Executing
steps in process (pid: N)", or the run worker's "Started process for run") carries a ``pid``. A
``STARTED`` or ``CANCELING`` run whose process no longer exists, or whose pid now belongs to a
process that started after the run did (the pid was reused), is dead; it is reported failed
through the instance, with a message saying what happened. ``make demo`` sweeps before each run
and a sensor sweeps every minute under ``make dev`` / the daemon.

The check is local: it assumes runs execute on this machine, as they do with Milemarker's
in-process runs and Dagster's default run launcher. A run without a recorded pid (killed in the
instant between starting and its first engine event) is left alone: it holds no lock and no slot.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

SWEPT_STATUSES = [dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]
START_TIME_SLACK_SECONDS = 2.0
"""``/proc`` gives the boot time in whole seconds: a process is "newer" than a run only beyond this."""
_PID_EVENTS = 20
"""Engine events read per run to find its pid (it is among the first few)."""


@dataclass(frozen=True)
class DeadRun:
    """A run left ``STARTED`` (or ``CANCELING``) by a process that no longer exists."""

    run_id: str
    job_name: str
    pid: int

    def message(self) -> str:
        return (
            f"Run {self.run_id} ({self.job_name}) was still marked in progress, but its process (pid "
            f"{self.pid}) is gone: it was killed (out of memory, a reboot, SIGKILL) before it could "
            "finish. Marked failed by Milemarker; whatever it had committed stays, and the next run "
            "picks up from there."
        )


def _boot_time() -> float | None:
    try:
        for line in Path("/proc/stat").read_text().splitlines():
            if line.startswith("btime "):
                return float(line.split()[1])
    except OSError:
        pass
    return None


def _process_start(pid: int) -> tuple[float | None, bool]:
    """(when ``pid`` started, in epoch seconds, if ``/proc`` says; whether it is a zombie)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None, False
    fields = stat[stat.rindex(")") + 2 :].split()  # the command name may hold spaces and parens
    boot = _boot_time()
    started = boot + int(fields[19]) / os.sysconf("SC_CLK_TCK") if boot is not None else None
    return started, fields[0] == "Z"


def process_outlived_by(pid: int, since: float) -> bool:
    """True when no process ``pid`` that was already running at ``since`` (epoch seconds) is alive.

    A zombie counts as dead (it has exited; only its parent has not reaped it yet), and so does a
    live process that started after ``since``: the run's pid, reused.
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # it exists, as another user
    started, zombie = _process_start(pid)
    return zombie or (started is not None and started > since + START_TIME_SLACK_SECONDS)


def run_process(instance: dg.DagsterInstance, run_id: str) -> tuple[int, float] | None:
    """The pid that executes ``run_id`` and when it said so, from the run's first pid engine event."""
    records = instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.ENGINE_EVENT, limit=_PID_EVENTS
    ).records
    for record in records:
        event = record.event_log_entry.dagster_event
        metadata = event.engine_event_data.metadata if event and event.engine_event_data else {}
        pid = metadata.get("pid")
        if pid is not None and str(pid.value).isdigit():
            return int(pid.value), record.event_log_entry.timestamp
    return None


def dead_runs(instance: dg.DagsterInstance) -> list[DeadRun]:
    """Every in-progress run of ``instance`` whose process is gone."""
    dead = []
    for record in instance.get_run_records(filters=dg.RunsFilter(statuses=SWEPT_STATUSES)):
        run = record.dagster_run
        process = run_process(instance, run.run_id)
        if process is not None and process_outlived_by(*process):
            dead.append(DeadRun(run_id=run.run_id, job_name=run.job_name, pid=process[0]))
    return dead


def fail_dead_runs(instance: dg.DagsterInstance) -> list[DeadRun]:
    """Mark every dead run failed (a run that ended meanwhile is left as it ended); returns them."""
    swept = []
    for dead in dead_runs(instance):
        run = instance.get_run_by_id(dead.run_id)
        if run is None or run.status not in SWEPT_STATUSES:
            continue
        instance.report_run_failed(run, dead.message())
        swept.append(dead)
    return swept
