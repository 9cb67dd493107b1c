"""Dagster's SQLite event log without an fsync per event.

A run records one event per step, asset, dbt model and dbt test (about 2,000 for ``make demo``).
Dagster's ``SqliteEventLogStorage`` opens a fresh connection for every event, commits with
``synchronous=FULL`` and closes it; closing the last connection to a WAL database checkpoints it, so
each event costs two to four fsyncs (10-20 ms on a VM disk). That alone was a third of the demo's
wall time.

This storage keeps the same files and schema, and changes two things: every connection commits
with ``synchronous=NORMAL`` (in WAL mode: durable against a crash of the process, consistent after
a power loss, which may forget the newest events), and one idle connection per recently used
database stays open so that closing a working connection is not the last close and does not
checkpoint. SQLite still checkpoints by itself once the WAL passes its default 1,000 pages. The
idle connections never hold a transaction, so they block no writer in another process (``dagster
dev``'s webserver and a run share these files).

It is an opt-in of ``make demo`` alone, because it subclasses Dagster's private
``SqliteEventLogStorage`` (private until Dagster offers a public way to set the SQLite event log's
``synchronous`` mode, or to keep its connections open). Before each demo,
:func:`dagster_project.cli.instance.ensure_demo_home` imports this module and runs
:func:`require_private_api`; only if both succeed does the demo's ``dagster.yaml`` select this
storage, and only until the demo's instance has read it. If an upgrade moved, renamed or reshaped
what it stands on, the demo says so once and runs on Dagster's stock event log: slower, never
unable to start. ``make dev``, its daemon and the schedules always use the stock storage; run and
schedule storage stay Dagster's defaults.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import dagster as dg

# Private (see the module docstring): import only behind ensure_demo_home's fallback.
from dagster._core.storage.event_log import SqliteEventLogStorage
from sqlalchemy.engine import Connection

from dagster_project.runs.private_api import require_method

if TYPE_CHECKING:
    from dagster._serdes import ConfigurableClassData

HELD_DATABASES = 4
"""Idle connections kept open: the index database and the few runs being written or read now."""


def require_private_api() -> None:
    """Raise ``PrivateApiChanged`` unless ``SqliteEventLogStorage`` still has the shape that
    :class:`BufferedSqliteEventLogStorage` overrides and calls."""
    require_method(SqliteEventLogStorage, "_connect", ("self", "shard"))
    require_method(SqliteEventLogStorage, "__init__", ("self", "base_dir", "inst_data"))
    require_method(SqliteEventLogStorage, "path_for_shard", ("self", "run_id"))
    require_method(SqliteEventLogStorage, "dispose", ("self",))


def default_base_dir() -> str:
    """Where Dagster's default storage keeps event logs: ``$DAGSTER_HOME/history/runs``."""
    return os.path.join(os.environ["DAGSTER_HOME"], "history", "runs")


class BufferedSqliteEventLogStorage(SqliteEventLogStorage):
    """``SqliteEventLogStorage`` with ``synchronous=NORMAL`` and no checkpoint per event."""

    def __init__(self, base_dir: str | None = None, inst_data: ConfigurableClassData | None = None) -> None:
        self._held: OrderedDict[str, sqlite3.Connection] = OrderedDict()
        self._held_lock = threading.Lock()
        super().__init__(base_dir or default_base_dir(), inst_data)

    @classmethod
    def config_type(cls) -> dict[str, dg.Field]:
        return {"base_dir": dg.Field(dg.StringSource, is_required=False)}

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]
    ) -> BufferedSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with super()._connect(shard) as conn:
            conn.exec_driver_sql("PRAGMA synchronous=NORMAL")
            yield conn
        self._hold(shard)

    def _hold(self, shard: str) -> None:
        """Keep an idle connection to ``shard`` open (the database exists and is in WAL mode now)."""
        with self._held_lock:
            if shard in self._held:
                self._held.move_to_end(shard)
                return
            holder = sqlite3.connect(self.path_for_shard(shard), check_same_thread=False)
            # A first read maps the WAL index: from then on this connection counts as open.
            holder.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
            self._held[shard] = holder
            while len(self._held) > HELD_DATABASES:
                self._held.popitem(last=False)[1].close()

    def dispose(self) -> None:
        super().dispose()
        with self._held_lock:
            while self._held:
                self._held.popitem()[1].close()
