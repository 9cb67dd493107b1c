"""``milemarker serve``: Dagster the production way, the webserver and the daemon as two processes.

``make dev`` (``dagster dev``) is for development: one command that starts both and stops when its
terminal closes. In production Dagster runs ``dagster-webserver`` (the UI, runs launched by hand)
and ``dagster-daemon`` (schedules, sensors, the run queue, run monitoring) as separate long-lived
processes on one instance (``DAGSTER_HOME``). This command starts both on the shared instance,
bound to 127.0.0.1 unless told otherwise, and stops both when either exits or when it is told to
stop (SIGTERM from systemd, Ctrl-C): a supervisor such as systemd restarts the pair as one unit
(``docs/deploy.md``), so a daemon that died never leaves a UI that only looks alive.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import FrameType

from dagster_project.cli.instance import POSTGRES_ENV, Storage, ensure_dagster_home
from dagster_project.settings import REPO_ROOT

WORKSPACE = REPO_ROOT / "workspace.yaml"
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


def server_commands(host: str, port: int) -> dict[str, list[str]]:
    """The two processes, by name, each loading the same workspace (one code location)."""
    bin_dir = Path(sys.executable).parent
    workspace = ["-w", str(WORKSPACE)]
    return {
        "dagster-daemon": [str(bin_dir / "dagster-daemon"), "run", *workspace],
        "dagster-webserver": [str(bin_dir / "dagster-webserver"), "-h", host, "-p", str(port), *workspace],
    }


def run_serve(*, host: str, port: int, storage: Storage | None) -> int:
    """Start the daemon and the webserver; return when one exits or a stop signal arrives."""
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
    return _supervise(server_commands(host, port), url=f"http://{host}:{port}")


def _supervise(commands: dict[str, list[str]], *, url: str) -> int:
    """Run the processes side by side until one exits or SIGTERM/SIGINT; stop the rest in order."""
    stopping: list[int] = []

    def _stop(signum: int, _frame: FrameType | None) -> None:
        stopping.append(signum)

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    processes: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for name, command in commands.items():
            processes[name] = subprocess.Popen(command, cwd=REPO_ROOT)
            print(f"started {name} (pid {processes[name].pid})", flush=True)
        print(f"Dagster UI on {url}; schedules and sensors run while this command runs", flush=True)
        exited = _wait_for_first_exit(processes, stopping)
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


def _wait_for_first_exit(
    processes: dict[str, subprocess.Popen[bytes]], stopping: Sequence[int]
) -> tuple[str, int] | None:
    """The first process to exit and its code, or None once a stop signal arrived."""
    while not stopping:
        for name, process in processes.items():
            code = process.poll()
            if code is not None:
                return name, code
        time.sleep(0.5)
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
