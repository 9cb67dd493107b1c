"""Runs whose process was SIGKILLed are found and marked failed; live runs are left alone.

A real run (``held_run.py``) executes in a child process recorded in a real instance with
Milemarker's instance config; the test SIGKILLs it mid-step, as the OOM killer would. Without the
sweep the run stays ``STARTED`` forever.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from dagster_project.cli.instance import INSTANCE_CONFIG
from dagster_project.defs.dead_runs import dead_run_sweeper
from dagster_project.runs.dead_runs import dead_runs, fail_dead_runs, process_outlived_by, run_process

HELD_RUN = Path(__file__).with_name("held_run.py")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(INSTANCE_CONFIG.read_text())
    return home


@pytest.fixture
def instance(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dg.DagsterInstance]:
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with dg.DagsterInstance.get() as instance:
        yield instance


def start_held_run(home: Path) -> subprocess.Popen[str]:
    """A run executing its step in a child process (returned once the step runs)."""
    child = subprocess.Popen(
        [sys.executable, str(HELD_RUN)],
        env={**os.environ, "DAGSTER_HOME": str(home)},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stdout.readline() == "holding\n"
    return child


def only_run(instance: dg.DagsterInstance) -> dg.DagsterRun:
    (run,) = instance.get_runs()
    return run


def test_a_killed_run_is_marked_failed_and_a_live_one_is_not(
    home: Path, instance: dg.DagsterInstance
) -> None:
    child = start_held_run(home)
    try:
        run = only_run(instance)
        assert run_process(instance, run.run_id) is not None
        assert run_process(instance, run.run_id)[0] == child.pid  # type: ignore[index]
        assert dead_runs(instance) == []  # alive: nothing to sweep
        assert fail_dead_runs(instance) == []
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)

    assert instance.get_run_by_id(run.run_id).status == dg.DagsterRunStatus.STARTED  # type: ignore[union-attr]
    (swept,) = fail_dead_runs(instance)
    assert (swept.run_id, swept.pid) == (run.run_id, child.pid)
    after = instance.get_run_by_id(run.run_id)
    assert after is not None and after.status == dg.DagsterRunStatus.FAILURE
    (failure,) = instance.get_records_for_run(run.run_id, of_type=dg.DagsterEventType.RUN_FAILURE).records
    assert f"its process (pid {child.pid}) is gone" in (failure.event_log_entry.message or "")
    assert fail_dead_runs(instance) == []  # a second sweep finds nothing more


def test_the_sensor_sweeps_and_says_so(home: Path, instance: dg.DagsterInstance) -> None:
    child = start_held_run(home)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    run = only_run(instance)

    with dg.build_sensor_context(instance=instance) as context:
        result = dead_run_sweeper(context)
    assert isinstance(result, dg.SkipReason)
    assert result.skip_message == f"Marked 1 run(s) failed: {run.run_id}."
    assert only_run(instance).status == dg.DagsterRunStatus.FAILURE
    with dg.build_sensor_context(instance=instance) as context:
        assert dead_run_sweeper(context).skip_message == "No run in progress has lost its process."  # type: ignore[union-attr]


def test_a_zombie_and_a_reused_pid_count_as_dead() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    stat = Path(f"/proc/{child.pid}/stat")
    while stat.read_text().rsplit(")", 1)[1].split()[0] != "Z":  # exited, never waited for
        time.sleep(0.05)
    try:
        assert process_outlived_by(child.pid, since=time.time())  # exited, not yet reaped
    finally:
        child.wait()
    assert process_outlived_by(child.pid, since=time.time())  # reaped: no such process
    assert not process_outlived_by(os.getpid(), since=time.time())  # alive since before now
    assert process_outlived_by(os.getpid(), since=time.time() - 10 * 365 * 86400)  # "started later": reused
