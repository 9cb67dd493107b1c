"""A throwaway PostgreSQL server for tests: Debian's own binaries, a fresh cluster, a free port.

``make test`` installs the ``postgresql`` package when its binaries are missing (``postgres-deps``);
the server itself is started here, on 127.0.0.1 with password authentication (so the storage is
tested the way a deployment connects), and removed afterwards. PostgreSQL refuses to run as root:
under root the cluster belongs to the ``postgres`` user the package creates.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.contract.contract_prism import free_port

USER = "milemarker"
PASSWORD = "pg-secret-for-tests-1f9c"
DATABASE = "dagster"


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str
    password: str
    database: str

    def environ(self) -> dict[str, str]:
        """The ``MILEMARKER_PG_*`` variables that point an instance at this server."""
        return {
            "MILEMARKER_PG_HOST": self.host,
            "MILEMARKER_PG_PORT": str(self.port),
            "MILEMARKER_PG_USER": self.user,
            "MILEMARKER_PG_PASSWORD": self.password,
            "MILEMARKER_PG_DB": self.database,
        }


def postgres_bin_dir() -> Path:
    """The newest installed PostgreSQL's binaries (``/usr/lib/postgresql/<major>/bin``)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: `make postgres-deps` installs Debian's package")
    return Path(found[-1]).parent


@contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    """Start a new cluster with one password-protected database; stop and delete it on exit."""
    bin_dir = postgres_bin_dir()
    as_root = os.geteuid() == 0
    owner = pwd.getpwnam("postgres") if as_root else None
    run_as = ["runuser", "-u", "postgres", "--"] if as_root else []
    root = Path(tempfile.mkdtemp(prefix="milemarker-pg-"))
    data, password_file = root / "data", root / "password"
    password_file.write_text(PASSWORD)
    if owner is not None:
        for path in (root, password_file):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    port = free_port()
    subprocess.run(
        [*run_as, str(bin_dir / "initdb"), "-D", str(data), "-U", USER, f"--pwfile={password_file}",
         "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8"],
        check=True, capture_output=True,
    )  # fmt: skip
    options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={root} -c fsync=off"
    subprocess.run(
        [*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"), "-w",
         "start"],
        check=True, capture_output=True,
    )  # fmt: skip
    try:
        subprocess.run(
            [*run_as, str(bin_dir / "createdb"), "-h", str(root), "-p", str(port), "-U", USER, DATABASE],
            check=True,
            capture_output=True,
        )
        yield PostgresServer("127.0.0.1", port, USER, PASSWORD, DATABASE)
    finally:
        subprocess.run(
            [*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)
