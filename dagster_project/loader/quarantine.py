"""``raw_meta.rejected_records``: the records a landing set aside, kept until the vendor fixes them.

One row per rejected record and reason, keyed ``(vendor, stream, record id -- or the payload hash
when the record has no id --, reason)``, so a rerun that meets the same bad record again only moves
its ``last_seen_at``: rows are never duplicated. Written by the landing in the transaction that
lands the rest of the stream and moves its cursor, so rejects and data always agree.

A reject is **resolved, not deleted**, when a later landing of its stream lands a record with the
same id in the same table (the vendor fixed it and it was read again): ``resolved_at`` is set and
the row stays as history. The same record rejected again reopens it (``resolved_at`` back to NULL).
A record without an id cannot be matched to its fixed version; its reject stays open until someone
resolves it by hand (``UPDATE raw_meta.rejected_records SET resolved_at = now() WHERE ...``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime

import duckdb
import pyarrow as pa

from connectors.rejects import RejectedRecord

REJECTS_TABLE = "raw_meta.rejected_records"
ERROR_SHARE = 0.01
"""Open rejects above this share of a table's records (landed + rejected) are an ERROR, not a WARN."""
ERROR_COUNT = 100
"""...and so are more than this many, however big the table: past either, something is broken at
scale (a vendor release, a property retyped), not a stray record."""
_RELATION = "_rejected_batch"
_COLUMNS = ("table_name", "record_id", "reason", "field", "detail", "payload_hash")
_KEY = "vendor = ? AND stream = ?"


def ensure_rejects_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create the rejects table if this warehouse has never set a record aside."""
    con.execute("CREATE SCHEMA IF NOT EXISTS raw_meta")
    con.execute(
        f"""CREATE TABLE IF NOT EXISTS {REJECTS_TABLE} (
            vendor VARCHAR NOT NULL,
            stream VARCHAR NOT NULL,
            table_name VARCHAR NOT NULL,
            record_id VARCHAR,
            reason VARCHAR NOT NULL,
            field VARCHAR NOT NULL,
            detail VARCHAR NOT NULL,
            payload_hash VARCHAR NOT NULL,
            first_seen_at TIMESTAMPTZ NOT NULL,
            last_seen_at TIMESTAMPTZ NOT NULL,
            resolved_at TIMESTAMPTZ
        )"""
    )


def open_record_ids(con: duckdb.DuckDBPyConnection, vendor: str, stream: str) -> dict[str, set[str]]:
    """Table -> ids of the stream's unresolved rejects (what a landing watches for, to resolve)."""
    rows = con.execute(
        f"""SELECT table_name, record_id FROM {REJECTS_TABLE}
            WHERE {_KEY} AND resolved_at IS NULL AND record_id IS NOT NULL""",
        [vendor, stream],
    ).fetchall()
    ids: dict[str, set[str]] = defaultdict(set)
    for table, record_id in rows:
        ids[table].add(record_id)
    return dict(ids)


def record_rejects(
    con: duckdb.DuckDBPyConnection,
    vendor: str,
    stream: str,
    rejects: Iterable[RejectedRecord],
    seen_at: datetime,
) -> None:
    """Insert new rejects, and refresh (and reopen) those seen before, in one statement.

    ``rejects`` must name their table. A record met twice in one landing (HubSpot search may
    repeat it) is one row: the last report wins.
    """
    unique = {(r.record_id or r.payload_hash, r.reason): r for r in rejects}
    if not unique:
        return
    batch = pa.Table.from_pylist(
        [
            {
                "table_name": r.table,
                "record_id": r.record_id,
                "reason": r.reason,
                "field": r.field,
                "detail": r.detail,
                "payload_hash": r.payload_hash,
            }
            for r in unique.values()
        ],
        schema=pa.schema([(column, pa.string()) for column in _COLUMNS]),
    )
    same_record = "coalesce(t.record_id, t.payload_hash) = coalesce(s.record_id, s.payload_hash)"
    con.register(_RELATION, batch)
    try:
        con.execute(
            f"""MERGE INTO {REJECTS_TABLE} AS t
                USING (SELECT ? AS vendor, ? AS stream, ?::TIMESTAMPTZ AS seen_at, * FROM {_RELATION}) AS s
                ON t.vendor = s.vendor AND t.stream = s.stream AND t.reason = s.reason AND {same_record}
                WHEN MATCHED THEN UPDATE SET table_name = s.table_name, field = s.field, detail = s.detail,
                    payload_hash = s.payload_hash, last_seen_at = s.seen_at, resolved_at = NULL
                WHEN NOT MATCHED THEN INSERT (vendor, stream, table_name, record_id, reason, field, detail,
                    payload_hash, first_seen_at, last_seen_at)
                    VALUES (s.vendor, s.stream, s.table_name, s.record_id, s.reason, s.field, s.detail,
                    s.payload_hash, s.seen_at, s.seen_at)""",
            [vendor, stream, seen_at],
        ).fetchall()
    finally:
        con.unregister(_RELATION)


def resolve(
    con: duckdb.DuckDBPyConnection,
    vendor: str,
    stream: str,
    landed: Mapping[str, Collection[str]],
    resolved_at: datetime,
) -> int:
    """Mark resolved the open rejects whose record (table -> ids) has now landed; returns how many."""
    resolved = 0
    for table, ids in landed.items():
        if ids:
            rows = con.execute(
                f"""UPDATE {REJECTS_TABLE} SET resolved_at = ?
                    WHERE {_KEY} AND table_name = ? AND resolved_at IS NULL
                      AND list_contains(?, record_id)""",
                [resolved_at, vendor, stream, table, sorted(ids)],
            ).fetchall()
            resolved += int(rows[0][0])
    return resolved


def open_rejects(con: duckdb.DuckDBPyConnection, vendor: str) -> dict[str, int]:
    """Table -> how many of its records are rejected and not resolved, for one vendor (the checks)."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?",
        REJECTS_TABLE.split("."),
    ).fetchall()[0][0]
    if not exists:
        return {}
    rows = con.execute(
        f"""SELECT table_name, count(*) FROM {REJECTS_TABLE}
            WHERE vendor = ? AND resolved_at IS NULL GROUP BY ALL""",
        [vendor],
    ).fetchall()
    return {table: int(count) for table, count in rows}


def past_threshold(open_count: int, rows_in_table: int) -> bool:
    """Whether ``open_count`` unresolved rejects are too many for a table of ``rows_in_table`` rows."""
    return open_count > ERROR_COUNT or open_count > ERROR_SHARE * (rows_in_table + open_count)
