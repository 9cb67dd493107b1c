"""The sandbox served from its own process, so its CPU never counts against the client measured.

``python -m sandbox serve --port 0`` prints the URLs and credentials as ``export`` lines;
:class:`SandboxProcess` starts it, reads them, and offers the control API the benchmark needs:
request counts as the *server* saw them (``/_sandbox/stats``), the clock (``/_sandbox/advance``,
which rebuilds every served view before it answers) and the process's own peak memory (the control
calls are in :mod:`bench.control`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import TracebackType

from bench.control import SandboxControl, sandbox_base_url
from bench.memory import peak_rss_bytes
from sandbox.clients import parse_export_line
from sandbox.service.server import ENV_NAMES

REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class SandboxSpec:
    """What to serve: the same seed, scale and day give the same business, byte for byte."""

    scale: float
    seed: int
    as_of: date

    def args(self) -> list[str]:
        return ["--seed", str(self.seed), "--scale", str(self.scale), "--as-of", self.as_of.isoformat()]


class SandboxProcess:
    """``with SandboxProcess(spec) as sandbox:`` -- a served sandbox, stopped (SIGTERM) on exit."""

    def __init__(self, spec: SandboxSpec, *, start_timeout: float = 900.0) -> None:
        self.spec = spec
        started = time.monotonic()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "sandbox", "serve", "--port", "0", *spec.args()],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            text=True,
            env=os.environ | {"PYTHONUNBUFFERED": "1"},
        )
        try:
            self.env = self._read_exports(start_timeout)
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.monotonic() - started
        """Interpreter start, simulation build and bind: what a fresh sandbox costs before serving."""
        self.control = SandboxControl(sandbox_base_url(self.env))

    def _read_exports(self, timeout: float) -> dict[str, str]:
        assert self._process.stdout is not None
        found: dict[str, str] = {}
        deadline = time.monotonic() + timeout
        for line in self._process.stdout:
            if setting := parse_export_line(line):
                found[setting[0]] = setting[1]
            if found.keys() >= ENV_NAMES:
                return found
            if time.monotonic() > deadline:
                break
        raise RuntimeError(f"the sandbox did not print its settings (exit code {self._process.poll()})")

    @property
    def pid(self) -> int:
        return self._process.pid

    def peak_rss_bytes(self) -> int | None:
        return peak_rss_bytes(self.pid)

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()

    def __enter__(self) -> SandboxProcess:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.control.close()
        self.stop()
