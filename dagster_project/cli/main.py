"""Milemarker's commands: ``demo`` (one full run, summarised), ``dev`` (the Dagster UI) and
``status`` (the goals and their checks, from the existing warehouse)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path
from typing import NoReturn

from dagster_project.cli.instance import ensure_dagster_home
from dagster_project.lib.settings import REPO_ROOT


def run_dev() -> NoReturn:
    """Replace this process with ``dagster dev`` on the shared instance (signals go straight to it).

    SIGINT is reset first: a shell that starts us in the background ignores it, the ignore would
    survive ``exec``, and ``dagster dev`` would then only stop with SIGKILL.
    """
    ensure_dagster_home()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    dagster = Path(sys.executable).with_name("dagster")
    os.chdir(REPO_ROOT)
    os.execv(dagster, [str(dagster), "dev", "-w", str(REPO_ROOT / "workspace.yaml")])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="milemarker", description=__doc__)
    parser.add_argument("command", choices=("demo", "dev", "status"))
    args = parser.parse_args(argv)
    if args.command == "dev":
        return run_dev()
    if args.command == "status":
        from dagster_project.cli.status import run_status

        return run_status()
    from dagster_project.cli.demo import run_demo  # imports Dagster: only when needed

    return run_demo()
