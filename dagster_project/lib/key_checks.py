"""Refuse rows without a primary key before they reach a raw table.

The merge identifies rows by key, so a record whose id came back null (a vendor bug, a half-written
record) would not merge: every such row would collapse into one row keyed NULL and silently replace
another null-keyed record. There is no right row to keep, so the landing stops instead, naming the
stream, the table and the record's position, and its transaction rolls back: nothing from the
stream lands and its cursor stays where it was.
"""

from __future__ import annotations

import pyarrow as pa

from connectors.base import ConnectorError, TableSpec


class MissingKeyError(ConnectorError):
    """A record arrived without (part of) its primary key."""


def reject_null_keys(stream: str, spec: TableSpec, batch: pa.RecordBatch, received_before: int) -> None:
    """Raise :class:`MissingKeyError` if any key column of ``batch`` holds a null.

    ``received_before`` is how many rows of this table the stream sent before ``batch``, so the
    position in the message counts records in the order the stream sent them. Costs one null count
    per key column (Arrow keeps it), nothing per row on the happy path.
    """
    for column in spec.primary_key:
        values = batch.column(column)
        if values.null_count:
            position = received_before + values.is_null().index(True).as_py()
            raise MissingKeyError(
                f"{stream}: {spec.name} record {position} (0-based, in the order received) has no "
                f"{column} (null); nothing from this stream was landed and its cursor is unchanged"
            )
