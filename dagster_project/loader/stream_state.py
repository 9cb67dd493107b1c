"""Stream cursors stored next to the data they describe, in the warehouse itself.

Keeping the cursor in the same DuckDB file as the raw tables is what lets a landing write rows and
cursor in one transaction: either both move forward or neither does, so a crash can never leave a
cursor pointing past rows that were not committed.
"""

from __future__ import annotations

import json
from datetime import datetime

import duckdb

from connectors.base import StreamState

STATE_TABLE = "raw_meta.stream_state"


def ensure_state_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create the cursor table if this warehouse has never landed anything."""
    con.execute("CREATE SCHEMA IF NOT EXISTS raw_meta")
    con.execute(
        f"""CREATE TABLE IF NOT EXISTS {STATE_TABLE} (
            vendor VARCHAR NOT NULL,
            stream VARCHAR NOT NULL,
            state JSON,
            committed_at TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (vendor, stream)
        )"""
    )


def read_state(con: duckdb.DuckDBPyConnection, vendor: str, stream: str) -> StreamState | None:
    """The cursor the stream returned on its last committed run, or ``None`` before the first."""
    rows = con.execute(
        f"SELECT state FROM {STATE_TABLE} WHERE vendor = ? AND stream = ?", [vendor, stream]
    ).fetchall()
    return json.loads(rows[0][0]) if rows and rows[0][0] is not None else None


def write_state(
    con: duckdb.DuckDBPyConnection, vendor: str, stream: str, state: StreamState, committed_at: datetime
) -> None:
    """Record the new cursor; called inside the landing transaction, just before it commits.

    ``json.dumps`` runs strictly (no ``default=``) so a cursor that cannot round-trip fails the
    landing instead of silently storing something the next run cannot use.
    """
    con.execute(
        f"""INSERT INTO {STATE_TABLE} (vendor, stream, state, committed_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (vendor, stream) DO UPDATE
            SET state = excluded.state, committed_at = excluded.committed_at""",
        [vendor, stream, json.dumps(state, sort_keys=True), committed_at],
    )
