"""``milemarker-dbt``: dbt, on a leash that dies with the run that started it.

dagster-dbt runs ``dbt build`` as a child process. If the run is SIGKILLed (the OOM killer, an
operator's ``kill -9``, a crashed worker), nothing tells the child: it keeps building, holds the
warehouse's write lock for minutes, and its work is recorded nowhere -- the next run then waits on
a build nobody will ever read.

This launcher asks Linux to send the child SIGKILL the moment its parent dies
(``prctl(PR_SET_PDEATHSIG)``, which survives ``exec``), then replaces itself with the dbt installed
next to this interpreter. SIGKILL rather than a polite signal: a DuckDB write cut short is exactly
the crash its write-ahead log recovers from, and dbt has nothing to hand back. If the parent is
already gone when the leash is set (it died between fork and ``prctl``), the child exits at once.
Elsewhere than Linux it simply runs dbt.

``MilemarkerDbtCliResource`` uses it as its ``dbt_executable``; ``dbt`` by hand is unchanged.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from pathlib import Path

PR_SET_PDEATHSIG = 1
"""From ``<linux/prctl.h>``."""


def leash_to_parent() -> bool:
    """Have the kernel SIGKILL this process when its parent dies; False if the parent already has."""
    if not sys.platform.startswith("linux"):
        return True
    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    return os.getppid() == parent and parent != 1


def dbt_path() -> Path:
    """The ``dbt`` installed beside this interpreter (the project's virtualenv)."""
    return Path(sys.executable).with_name("dbt")


def launcher_path() -> Path:
    """This launcher's console script, beside this interpreter."""
    return Path(sys.executable).with_name("milemarker-dbt")


def main() -> None:
    """Leash, then ``exec`` dbt with this process's arguments."""
    if not leash_to_parent():
        raise SystemExit("milemarker-dbt: the process that started dbt is gone; not starting dbt")
    dbt = dbt_path()
    os.execv(dbt, [str(dbt), *sys.argv[1:]])
