"""Start and stop Stoplight Prism (pinned in tests/contract/mock/package.json) for one spec.

Prism is started from ``node_modules/.bin/prism`` directly, never through ``npx`` (which would
resolve or download a version of its own), in a new session so that stopping it kills the whole
process group: the CLI forks a worker, and a surviving worker would keep the port and a core.
Request validation is Prism's default and stays on: a request that breaks the spec is answered
422/400 with the violations in the ``sl-violations`` header, which the stream runner records.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

MOCK_DIR = Path(__file__).resolve().parent / "mock"
PRISM = MOCK_DIR / "node_modules" / ".bin" / "prism"
START_TIMEOUT_SECONDS = 120.0
"""Generous: the machine is shared and a cold node start of Prism parses the whole document."""


def free_port() -> int:
    """A TCP port nobody listens on right now (the kernel picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Prism:
    """One Prism mock process serving ``spec`` on 127.0.0.1, static or dynamic (seeded)."""

    spec: Path
    log_path: Path
    dynamic: bool = False
    seed: int = 1
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        command = [str(PRISM), "mock", str(self.spec), "-p", str(self.port), "-h", "127.0.0.1"]
        if self.dynamic:
            command += ["-d", "--seed", str(self.seed), "--json-schema-faker-fillProperties=false"]
        return command

    def start(self) -> None:
        """Launch without waiting; :meth:`wait_ready` blocks (start several, then wait for all)."""
        if not PRISM.exists():
            raise RuntimeError(f"{PRISM} is missing: run `make contract-deps` (npm install in {MOCK_DIR})")
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.command(),
                cwd=MOCK_DIR,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = START_TIMEOUT_SECONDS) -> None:
        """Block until Prism logs that it listens; raise with its log tail if it dies or stalls."""
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if b"Prism is listening" in self.log_path.read_bytes():
                return
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"prism exited ({self.process.returncode}) for {self.spec}:\n{self.tail()}"
                )
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"prism did not listen within {timeout:.0f}s for {self.spec}:\n{self.tail()}")

    def tail(self, lines: int = 20) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM the process group, SIGKILL it if it lingers; idempotent."""
        if self.process is None or self.process.poll() is not None:
            return
        pgid = self.process.pid  # start_new_session: the group id is the leader's pid
        for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(pgid, sig)
            except ProcessLookupError:
                return
            try:
                self.process.wait(wait)
                return
            except subprocess.TimeoutExpired:
                continue
