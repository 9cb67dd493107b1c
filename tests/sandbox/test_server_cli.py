"""``python -m sandbox``: serve (as a real subprocess, stopped by SIGTERM) and truth."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import requests

from sandbox.clients import export_line, parse_export_line
from sandbox.service.server import ENV_NAMES
from sandbox.simulation.business import SimulatedBusiness
from sandbox.simulation.config import SandboxConfig

ROOT = Path(__file__).resolve().parents[2]
CONFIG = SandboxConfig(seed=3, scale=0.05, as_of=date(2025, 3, 31))
ARGS = ["--seed", str(CONFIG.seed), "--scale", str(CONFIG.scale), "--as-of", CONFIG.as_of.isoformat()]


class _Stdout:
    """Reads a child's stdout on a thread, so a child that hangs fails the test instead of blocking it."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._pump, args=(process.stdout,), daemon=True)
        self._thread.start()

    def _pump(self, stream: Iterator[str]) -> None:
        for line in stream:
            self._lines.put(line)
        self._lines.put(None)

    def exports(self, timeout: float = 120.0) -> dict[str, str]:
        """The ``export NAME=value`` lines, once all nine have arrived."""
        found: dict[str, str] = {}
        deadline = time.monotonic() + timeout
        while set(found) != ENV_NAMES:
            try:
                line = self._lines.get(timeout=max(deadline - time.monotonic(), 0.001))
            except queue.Empty:
                raise AssertionError(f"serve printed only {sorted(found)} within {timeout} s") from None
            assert line is not None, "serve exited before printing its settings"
            if setting := parse_export_line(line):
                found[setting[0]] = setting[1]
        return found

    def rest(self) -> str:
        """Everything printed after the exports, up to the child's exit."""
        self._thread.join(timeout=30)
        return "".join(iter(lambda: self._lines.get_nowait() or "", ""))


def test_serve_prints_settings_serves_and_stops_on_sigterm() -> None:
    faults = json.dumps({"scripted": [{"match": "/crm/v3/owners", "fault": "http_503"}]})
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "serve", "--port", "0", *ARGS, "--faults", faults],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
    )
    stdout = _Stdout(process)
    try:
        env = stdout.exports()
        hubspot = {"Authorization": f"Bearer {env['HUBSPOT_ACCESS_TOKEN']}"}
        assert (
            requests.get(f"{env['HUBSPOT_BASE_URL']}/crm/v3/owners", headers=hubspot, timeout=30).status_code
            == 503
        )
        deals = requests.get(f"{env['HUBSPOT_BASE_URL']}/crm/v3/objects/deals", headers=hubspot, timeout=30)
        assert deals.status_code == 200 and deals.json()["results"]
        grant = requests.post(
            env["XERO_TOKEN_URL"],
            auth=(env["XERO_CLIENT_ID"], env["XERO_CLIENT_SECRET"]),
            data={"grant_type": "refresh_token", "refresh_token": env["XERO_REFRESH_TOKEN"]},
            timeout=30,
        ).json()
        organisation = requests.get(
            f"{env['XERO_BASE_URL']}/Organisation",
            timeout=30,
            headers={
                "Authorization": f"Bearer {grant['access_token']}",
                "xero-tenant-id": env["XERO_TENANT_ID"],
                "Accept": "application/json",
            },
        )
        assert organisation.status_code == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert "stopped" in stdout.rest()
    assert process.stderr is not None
    err = process.stderr.read()
    assert env["HUBSPOT_ACCESS_TOKEN"] not in err and env["XERO_CLIENT_SECRET"] not in err


def test_truth_writes_the_business_truth(tmp_path: Path) -> None:
    out = tmp_path / "truth.json"
    completed = subprocess.run(
        [sys.executable, "-m", "sandbox", "truth", *ARGS, "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(out.read_text()) == json.loads(json.dumps(SimulatedBusiness(CONFIG).truth()))


def test_export_lines_round_trip_values_a_shell_would_split() -> None:
    for value in ("http://127.0.0.1:8765/hubspot", "it's a secret", "a b=c", ""):
        assert parse_export_line(export_line("XERO_CLIENT_SECRET", value)) == ("XERO_CLIENT_SECRET", value)
    assert parse_export_line("# Milemarker sandbox on http://127.0.0.1:8765") is None
