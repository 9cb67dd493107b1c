"""``milemarker-dbt``: dbt runs as itself, and dies with the process that started it.

The leash is checked with a stand-in child (a Python process that leashes itself as the launcher
does, then sleeps), since a real dbt command long enough to be killed needs a warehouse; the
SIGKILLed ``make demo`` test (``tests/e2e/test_killed_runs.py``) kills a real ``dbt build``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from dagster_project.defs.dbt.cli import MilemarkerDbtCliResource
from dagster_project.defs.resources import resources
from dagster_project.warehouse.dbt_leash import launcher_path

PARENT = """
import subprocess, sys
child = subprocess.Popen([sys.executable, "-c", sys.argv[1]], stdout=subprocess.PIPE, text=True)
assert child.stdout.readline() == "leashed\\n"
print(child.pid, flush=True)
sys.stdin.read()
"""
LEASHED_CHILD = """
import time
from dagster_project.warehouse.dbt_leash import leash_to_parent
assert leash_to_parent()
print("leashed", flush=True)
time.sleep(600)
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_leashed_child_dies_when_its_parent_is_killed() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, LEASHED_CHILD],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    assert alive(child)
    parent.send_signal(signal.SIGKILL)
    parent.wait(timeout=30)
    deadline = time.monotonic() + 30
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(child), f"the leashed child {child} outlived its killed parent"


def test_the_dbt_resource_runs_dbt_through_the_launcher() -> None:
    resource = resources().resources["dbt"]
    assert isinstance(resource, MilemarkerDbtCliResource)
    assert resource.dbt_executable == str(launcher_path())
    done = subprocess.run([resource.dbt_executable, "--version"], capture_output=True, text=True, check=True)
    assert "Core:" in done.stdout
