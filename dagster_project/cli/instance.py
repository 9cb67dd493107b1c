"""The persistent Dagster instance (``DAGSTER_HOME``) that ``make demo`` and ``make dev`` share.

A demo run recorded in a throwaway instance could not be inspected afterwards; recording it in
``.dagster/`` means ``make dev`` opens the UI on exactly that run history.

Both write the instance config before they start, from ``dagster_project/dagster.yaml``. The demo's
adds the buffered event log (:mod:`dagster_project.cli.event_log`) when this Dagster still has the
private API it stands on, and only until its own instance has read it
(:func:`dagster_project.cli.demo.open_demo_instance`): at rest, and for ``make dev`` -- the UI, the
daemon, the schedules -- the config is the stock one.
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path

from dagster_project.settings import REPO_ROOT

INSTANCE_CONFIG = Path(__file__).resolve().parents[1] / "dagster.yaml"

BUFFERED_EVENT_LOG = """\
# Dagster's SQLite event log, minus an fsync per event (see dagster_project/cli/event_log.py).
event_log_storage:
  module: dagster_project.cli.event_log
  class: BufferedSqliteEventLogStorage
  config: {}
"""
"""What ``make demo`` appends to the instance config (``INSTANCE_CONFIG`` plus this is, byte for
byte, the config earlier versions wrote everywhere, so those homes are recognised as ours)."""


POSTGRES_ENV = {
    "hostname": "MILEMARKER_PG_HOST",
    "port": "MILEMARKER_PG_PORT",
    "username": "MILEMARKER_PG_USER",
    "password": "MILEMARKER_PG_PASSWORD",
    "db_name": "MILEMARKER_PG_DB",
}
"""The PostgreSQL run storage's settings: each read by Dagster from this environment variable when
the instance loads, so the password is never written into ``dagster.yaml``."""

POSTGRES_STORAGE = (
    "# Run history, event logs and schedule ticks in PostgreSQL (milemarker serve --storage postgres).\n"
)
POSTGRES_STORAGE += "storage:\n  postgres:\n    postgres_db:\n" + "".join(
    f"      {key}:\n        env: {variable}\n" for key, variable in POSTGRES_ENV.items()
)
# dagster-postgres installs psycopg2; SQLAlchemy 2.1 maps a bare postgresql:// to psycopg 3: name the driver.
POSTGRES_STORAGE += "      scheme: postgresql+psycopg2\n"


class Storage(StrEnum):
    """Where the instance keeps its run history: SQLite files under the home, or PostgreSQL."""

    SQLITE = "sqlite"
    POSTGRES = "postgres"


def instance_config(*, buffered_event_log: bool, storage: Storage = Storage.SQLITE) -> str:
    """Our instance config: SQLite with or without the demo's buffered event log, or PostgreSQL."""
    stock = INSTANCE_CONFIG.read_text()
    if storage is Storage.POSTGRES:
        return stock + POSTGRES_STORAGE
    return stock + BUFFERED_EVENT_LOG if buffered_event_log else stock


def _our_storage(config: Path) -> Storage | None:
    """The storage of a config file we wrote (this version's or an earlier one's: they all open with
    the same first line), or None: absent, or the user's own."""
    if not config.exists():
        return None
    text = config.read_text()
    if not text.startswith(INSTANCE_CONFIG.read_text().splitlines()[0]):
        return None
    return Storage.POSTGRES if "postgres_db:" in text else Storage.SQLITE


def ensure_dagster_home(*, buffered_event_log: bool = False, storage: Storage | None = None) -> Path:
    """Point ``DAGSTER_HOME`` at ``.dagster/`` unless the caller chose one, with our instance config.

    A home the user chose is theirs: it is created if needed, but its ``dagster.yaml`` is only
    written when absent or exactly as we wrote it (so a config naming the buffered event log never
    outlives the Dagster that could load it). Our own ``.dagster/`` always gets the current config.
    The storage is the home's: ``storage`` switches it (``milemarker serve --storage``); otherwise a
    home on PostgreSQL stays there (the demo's buffered event log applies to SQLite only).
    """
    chosen = os.environ.get("DAGSTER_HOME")
    home = Path(chosen).expanduser().resolve() if chosen else REPO_ROOT / ".dagster"
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    current = _our_storage(config)
    if not chosen or not config.exists() or current is not None:
        storage = storage or current or Storage.SQLITE
        buffered = buffered_event_log and storage is Storage.SQLITE
        config.write_text(instance_config(buffered_event_log=buffered, storage=storage))
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def buffered_event_log_problem() -> str | None:
    """Why this Dagster cannot load the buffered event log storage, or None when it can.

    The storage stands on Dagster's private ``SqliteEventLogStorage``. Whatever an upgrade did to
    it -- moved, renamed, reshaped -- must cost the demo its speed-up, never its start: hence any
    exception, not only ``ImportError`` or ``PrivateApiChanged``.
    """
    try:
        from dagster_project.cli.event_log import require_private_api

        require_private_api()
    except Exception as error:  # any failure at all: see the docstring
        return f"{type(error).__name__}: {error}"
    return None


def ensure_demo_home() -> Path:
    """:func:`ensure_dagster_home` as ``make demo`` needs it: with the buffered event log if this
    Dagster allows it, else with the stock one and one line saying so."""
    problem = buffered_event_log_problem()
    if problem:
        print(
            f"Dagster's private event log API has changed ({problem}); this run uses Dagster's stock "
            "event log storage instead (an fsync per event: slower, otherwise the same)."
        )
    return ensure_dagster_home(buffered_event_log=problem is None)
