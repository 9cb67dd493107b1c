"""``milemarker serve`` as a test runs it: a child process in its own session, its UI awaited."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from dagster_project.settings import REPO_ROOT

SERVER_START_SECONDS = 300.0
"""Generous: the code server loads the definitions first, about a minute and a half on a busy 2-core
machine, then the webserver and the daemon connect to it."""


@dataclass
class Served:
    """A running ``milemarker serve`` and the file its three processes log to.

    The log is a file, not a pipe: a pipe nobody reads until the end fills up (64 KiB) and blocks
    every process writing to it, runs included, as a service's would under a stuck log reader.
    """

    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start_serve(env: dict[str, str], log: Path, *args: str) -> Served:
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "dagster_project", "serve", *args],
            env=env, cwd=REPO_ROOT, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    return Served(process, log)


def wait_for_webserver(url: str, served: Served) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        assert served.process.poll() is None, f"milemarker serve exited early:\n{served.output()[-3000:]}"
        try:
            if requests.get(f"{url}/server_info", timeout=5).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(2)
    raise AssertionError(f"the webserver did not answer within {SERVER_START_SECONDS:.0f} s")


def stop(served: Served) -> tuple[int, str]:
    """SIGTERM, as systemd stops the service; its exit status and everything it logged."""
    served.process.send_signal(signal.SIGTERM)
    served.process.wait(timeout=180)
    return served.process.returncode, served.output()
