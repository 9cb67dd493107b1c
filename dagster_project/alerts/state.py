"""What the alerts remember between sensor ticks: one small SQLite file under DAGSTER_HOME.

Three things, each bounded:

* ``seen``: the last state of each subject (a goal check's status, a data check's pass/fail, a run
  already alerted), so an alert repeats only when something changed. A subject not seen for
  :data:`FORGET_AFTER` is forgotten, and at most :data:`MAX_SUBJECTS` are kept.
* ``daily``: per channel and day (organisation time zone), how many alerts were given to the
  channel, how many were suppressed over the cap, and whether the one "N more suppressed" note was
  sent. Days older than :data:`KEEP_DAYS` are dropped.
* ``held``: alerts raised during quiet hours, each with the time it may be sent; at most
  :data:`MAX_HELD` wait (more could never pass the daily cap anyway).

Several processes use the file (each sensor runs in the daemon, tests and the CLI in their own), so
every read-modify-write is one ``BEGIN IMMEDIATE`` transaction: two ticks cannot both see a goal's
old status and both alert, nor both take the last alert of a day's cap. The file and its folder are
created on first use.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from dagster_project.alerts.events import Alert

STATE_FILE = Path("alerts") / "state.sqlite"
"""Relative to DAGSTER_HOME (the instance's root directory)."""
FORGET_AFTER = timedelta(days=180)
MAX_SUBJECTS = 20_000
KEEP_DAYS = 14
MAX_HELD = 1_000
BUSY_TIMEOUT_SECONDS = 30

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS seen (subject TEXT PRIMARY KEY, state TEXT NOT NULL, seen_at REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS daily (channel TEXT NOT NULL, day TEXT NOT NULL, "
    "sent INTEGER NOT NULL DEFAULT 0, suppressed INTEGER NOT NULL DEFAULT 0, "
    "noted INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (channel, day))",
    "CREATE TABLE IF NOT EXISTS held (id INTEGER PRIMARY KEY AUTOINCREMENT, due_at REAL NOT NULL, "
    "alert TEXT NOT NULL)",
)


@dataclass(frozen=True)
class Allowance:
    """What a channel may send now: ``allowed`` of the alerts asked for; the rest were suppressed."""

    allowed: int
    note_due: bool
    """True exactly once per channel and day: when alerts are first suppressed."""
    suppressed_today: int


class AlertState:
    """The state file at ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def under(cls, dagster_home: Path) -> AlertState:
        """The state file of the Dagster instance rooted at ``dagster_home``."""
        return cls(dagster_home / STATE_FILE)

    def observe(self, observations: Sequence[tuple[str, str]], now: datetime) -> dict[str, str | None]:
        """Record each ``(subject, state)``; return the previous state of every subject whose state
        changed (None for a subject seen for the first time). Subjects must be distinct."""
        changed: dict[str, str | None] = {}
        with self._transaction() as con:
            for subject, state in observations:
                row = con.execute("SELECT state FROM seen WHERE subject = ?", (subject,)).fetchone()
                if row is None or row[0] != state:
                    changed[subject] = row[0] if row else None
                con.execute(
                    "INSERT INTO seen (subject, state, seen_at) VALUES (?, ?, ?) ON CONFLICT (subject) "
                    "DO UPDATE SET state = excluded.state, seen_at = excluded.seen_at",
                    (subject, state, now.timestamp()),
                )
            con.execute("DELETE FROM seen WHERE seen_at < ?", ((now - FORGET_AFTER).timestamp(),))
            con.execute(
                "DELETE FROM seen WHERE subject IN "
                "(SELECT subject FROM seen ORDER BY seen_at DESC LIMIT -1 OFFSET ?)",
                (MAX_SUBJECTS,),
            )
        return changed

    def take(self, channel: str, day: date, wanted: int, cap: int) -> Allowance:
        """Reserve up to ``wanted`` of ``channel``'s ``cap`` alerts for ``day``; count the rest suppressed."""
        with self._transaction() as con:
            con.execute(
                "INSERT OR IGNORE INTO daily (channel, day) VALUES (?, ?)", (channel, day.isoformat())
            )
            sent, suppressed, noted = con.execute(
                "SELECT sent, suppressed, noted FROM daily WHERE channel = ? AND day = ?",
                (channel, day.isoformat()),
            ).fetchone()
            allowed = max(0, min(wanted, cap - sent))
            newly_suppressed = wanted - allowed
            note_due = newly_suppressed > 0 and not noted
            con.execute(
                "UPDATE daily SET sent = ?, suppressed = ?, noted = ? WHERE channel = ? AND day = ?",
                (
                    sent + allowed,
                    suppressed + newly_suppressed,
                    int(noted or note_due),
                    channel,
                    day.isoformat(),
                ),
            )
            con.execute("DELETE FROM daily WHERE day < ?", ((day - timedelta(days=KEEP_DAYS)).isoformat(),))
        return Allowance(allowed, note_due, suppressed + newly_suppressed)

    def hold(self, alerts: Sequence[Alert], due: datetime) -> int:
        """Keep ``alerts`` until ``due``; return how many did not fit under :data:`MAX_HELD` (dropped)."""
        with self._transaction() as con:
            (waiting,) = con.execute("SELECT COUNT(*) FROM held").fetchone()
            kept = alerts[: max(0, MAX_HELD - waiting)]
            con.executemany(
                "INSERT INTO held (due_at, alert) VALUES (?, ?)",
                [(due.timestamp(), json.dumps(alert.to_dict())) for alert in kept],
            )
        return len(alerts) - len(kept)

    def release(self, now: datetime) -> list[Alert]:
        """Remove and return the held alerts due by ``now``, oldest first."""
        with self._transaction() as con:
            rows = con.execute(
                "SELECT id, alert FROM held WHERE due_at <= ? ORDER BY id", (now.timestamp(),)
            ).fetchall()
            con.executemany("DELETE FROM held WHERE id = ?", [(row_id,) for row_id, _ in rows])
        return [Alert.from_dict(json.loads(alert)) for _, alert in rows]

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One immediate (write-locked) transaction, committed on success, rolled back on error."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        try:
            con.execute("BEGIN IMMEDIATE")
            for statement in _SCHEMA:
                con.execute(statement)
            yield con
            con.execute("COMMIT")
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise
        finally:
            con.close()
