"""``milemarker serve``: Dagster the production way, a code server, the webserver and the daemon.

``make dev`` (``dagster dev``) is for development: one command that starts everything and stops
when its terminal closes. In production Dagster runs ``dagster-webserver`` (the UI, runs launched
by hand) and ``dagster-daemon`` (schedules, sensors, the run queue, run monitoring) as separate
long-lived processes on one instance (``DAGSTER_HOME``), both reading the code location from one
code server (``dagster code-server start``): the definitions load once, not in a new server each
time the daemon refreshes its workspace (every minute), and *Reload* in the UI reloads that server.
This command starts the three on the shared instance, bound to 127.0.0.1 (the UI's address can be
changed, the code server's cannot), and stops all when one exits or when it is told to stop
(SIGTERM from systemd, Ctrl-C): a supervisor such as systemd restarts them as one unit
(``docs/deploy.md``), so a daemon that died never leaves a UI that only looks alive.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import FrameType

from dagster_project.cli.instance import POSTGRES_ENV, Storage, ensure_dagster_home
from dagster_project.settings import REPO_ROOT

CODE_LOCATION = "milemarker"
SERVE_WORKSPACE = "serve-workspace.yaml"
"""Written into ``DAGSTER_HOME`` at each start: the code server's address for the other two."""
CODE_SERVER_START_SECONDS = 600.0
"""How long the definitions may take to load before giving up (minutes on a busy small machine)."""
STOP_GRACE_SECONDS = 30.0
"""How long each process has to stop after SIGTERM before it is killed (a run in progress is a
separate process the daemon launched; it is not stopped by this)."""


class ServeError(Exception):
    """A reason not to start, said in one sentence with what to do."""


def missing_postgres_settings(environ: dict[str, str] | os._Environ[str] = os.environ) -> list[str]:
    """The PostgreSQL variables that are unset or empty (names only: values may be secrets)."""
    return [variable for variable in POSTGRES_ENV.values() if not environ.get(variable)]


def check_postgres_reachable(environ: dict[str, str] | os._Environ[str] = os.environ) -> None:
    """Connect once with the configured settings; raise :class:`ServeError` naming what failed.

    Dagster would otherwise fail inside both processes with a long traceback; the password is never
    part of the message (psycopg2 does not echo it, and the message names the variable instead).
    """
    missing = missing_postgres_settings(environ)
    if missing:
        raise ServeError(
            "run storage on PostgreSQL needs " + ", ".join(missing) + " set (see docs/deploy.md)"
        )
    import psycopg2  # dagster-postgres's own driver; imported only for this storage

    try:
        connection = psycopg2.connect(
            host=environ[POSTGRES_ENV["hostname"]],
            port=int(environ[POSTGRES_ENV["port"]]),
            user=environ[POSTGRES_ENV["username"]],
            password=environ[POSTGRES_ENV["password"]],
            dbname=environ[POSTGRES_ENV["db_name"]],
            connect_timeout=10,
        )
    except (psycopg2.Error, ValueError) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ServeError(
            f"cannot reach PostgreSQL database {environ[POSTGRES_ENV['db_name']]!r} at "
            f"{environ[POSTGRES_ENV['hostname']]}:{environ[POSTGRES_ENV['port']]} as "
            f"{environ[POSTGRES_ENV['username']]!r} ({reason}); check the MILEMARKER_PG_* variables"
        ) from None
    connection.close()


def code_server_command(port: int) -> list[str]:
    """The code server: loads ``dagster_project.definitions`` once, serves it on 127.0.0.1:``port``."""
    dagster = str(Path(sys.executable).parent / "dagster")
    return [
        dagster, "code-server", "start", "-m", "dagster_project.definitions", "-d", str(REPO_ROOT),
        "--location-name", CODE_LOCATION, "-h", "127.0.0.1", "-p", str(port),
    ]  # fmt: skip


def write_workspace(home: Path, code_port: int) -> Path:
    """The workspace the webserver and the daemon read: the one code location, at the code server."""
    workspace = home / SERVE_WORKSPACE
    workspace.write_text(
        "# Written by milemarker serve at each start: the code server it started.\n"
        f"load_from:\n  - grpc_server:\n      host: 127.0.0.1\n      port: {code_port}\n"
        f"      location_name: {CODE_LOCATION}\n"
    )
    return workspace


def server_commands(host: str, port: int, workspace: Path) -> dict[str, list[str]]:
    """The webserver and the daemon, by name, each reading ``workspace``."""
    bin_dir = Path(sys.executable).parent
    return {
        "dagster-daemon": [str(bin_dir / "dagster-daemon"), "run", "-w", str(workspace)],
        "dagster-webserver": [
            str(bin_dir / "dagster-webserver"),
            "-h",
            host,
            "-p",
            str(port),
            "-w",
            str(workspace),
        ],
    }


def code_server_ready(port: int) -> bool:
    """Whether the code server on ``port`` answers its health check (definitions loaded)."""
    check = [str(Path(sys.executable).parent / "dagster"), "api", "grpc-health-check", "-p", str(port)]
    return subprocess.run(check, capture_output=True, cwd=REPO_ROOT).returncode == 0


def run_serve(*, host: str, port: int, storage: Storage | None) -> int:
    """Start the code server, then the daemon and the webserver; return when one exits or a stop
    signal arrives."""
    home = ensure_dagster_home(storage=storage)
    config = (home / "dagster.yaml").read_text()
    on_postgres = "postgres_db:" in config
    if storage is not None and on_postgres != (storage is Storage.POSTGRES):
        print(
            f"milemarker serve: {home / 'dagster.yaml'} is your own config, so --storage {storage} is "
            "not applied; edit that file or point DAGSTER_HOME at a new directory",
            file=sys.stderr,
        )
        return 2
    try:
        if on_postgres:
            check_postgres_reachable()
    except ServeError as error:
        print(f"milemarker serve: {error}", file=sys.stderr)
        return 2
    where = "PostgreSQL" if on_postgres else f"SQLite under {home}"
    print(f"Dagster instance {home} (run history in {where})")
    code_port = free_port()
    return _supervise(
        code_server_command(code_port),
        lambda: code_server_ready(code_port),
        server_commands(host, port, write_workspace(home, code_port)),
        url=f"http://{host}:{port}",
    )


def free_port() -> int:
    """A port on 127.0.0.1 nothing listens on now (the kernel's pick), for the code server."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _supervise(
    code_server: list[str],
    code_server_up: Callable[[], bool],
    servers: dict[str, list[str]],
    *,
    url: str,
) -> int:
    """Start the code server, wait until it serves, start the others; run until one exits or
    SIGTERM/SIGINT, then stop the rest."""
    stopping: list[int] = []

    def _stop(signum: int, _frame: FrameType | None) -> None:
        stopping.append(signum)

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    processes: dict[str, subprocess.Popen[bytes]] = {}
    try:
        processes["code server"] = subprocess.Popen(code_server, cwd=REPO_ROOT)
        print(
            f"started the code server (pid {processes['code server'].pid}); loading the definitions",
            flush=True,
        )
        exited = _wait_until(code_server_up, processes, stopping, CODE_SERVER_START_SECONDS)
        if exited is None and not stopping:
            for name, command in servers.items():
                processes[name] = subprocess.Popen(command, cwd=REPO_ROOT)
                print(f"started {name} (pid {processes[name].pid})", flush=True)
            print(f"Dagster UI on {url}; schedules and sensors run while this command runs", flush=True)
            exited = _wait_until(lambda: False, processes, stopping, None)
        if exited is None:
            return _stop_all(processes.values())
        name, code = exited
        print(f"{name} exited with code {code}; stopping the others", file=sys.stderr, flush=True)
        _stop_all(processes.values())
        return code or 1
    finally:
        _stop_all(processes.values())
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _wait_until(
    done: Callable[[], bool],
    processes: dict[str, subprocess.Popen[bytes]],
    stopping: Sequence[int],
    timeout_seconds: float | None,
) -> tuple[str, int] | None:
    """Wait for ``done()``, a stop signal (both: None) or a process exiting (its name and code);
    past ``timeout_seconds`` the wait fails as if the first process had exited with code 1."""
    deadline = None if timeout_seconds is None else time.monotonic() + timeout_seconds
    while not stopping:
        for name, process in processes.items():
            code = process.poll()
            if code is not None:
                return name, code
        if done():
            return None
        if deadline is not None and time.monotonic() > deadline:
            first = next(iter(processes))
            print(f"the {first} did not start within {timeout_seconds:.0f} s", file=sys.stderr)
            return first, 1
        time.sleep(1.0)
    return None


def _stop_all(processes: Iterable[subprocess.Popen[bytes]]) -> int:
    """SIGTERM every live process, wait up to the grace period each, then SIGKILL; 0 when all
    stopped by themselves."""
    live = [process for process in processes if process.poll() is None]
    for process in live:
        process.send_signal(signal.SIGTERM)
    code = 0
    for process in live:
        try:
            process.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            code = 1
    return code
