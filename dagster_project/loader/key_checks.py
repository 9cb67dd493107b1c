"""Set aside rows without a primary key before they reach a raw table.

The merge identifies rows by key, so a record whose id came back null (a vendor bug, a half-written
record) would not merge: every such row would collapse into one row keyed NULL and silently replace
another null-keyed record. There is no right row to keep, so the row is left out and reported as
rejected (naming the stream, the table, the record's position and the key column); the rest of
the stream lands. A child row without its parent's id (``replace_by``: an invoice line whose
invoice came without an id) is set aside alike: it could never be replaced with its parent.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from connectors.base import TableSpec
from connectors.rejects import Reason, RejectedRecord, payload_hash


def split_null_keys(
    stream: str, spec: TableSpec, batch: pa.RecordBatch, received_before: int
) -> tuple[pa.RecordBatch, list[RejectedRecord]]:
    """``batch`` without its rows missing (part of) the key, and a reject for each of them.

    ``received_before`` is how many rows of this table the stream sent before ``batch``, so the
    position in the message counts records in the order the stream sent them. The happy path costs
    one null count per key column (Arrow keeps it), nothing per row.
    """
    keys = list(dict.fromkeys((*spec.primary_key, *(spec.replace_by or ()))))
    if not any(batch.column(column).null_count for column in keys):
        return batch, []
    keyless = pc.is_null(batch.column(keys[0]))
    for column in keys[1:]:
        keyless = pc.or_(keyless, pc.is_null(batch.column(column)))
    rejects = []
    for position in pc.indices_nonzero(keyless).to_pylist():
        row = batch.slice(position, 1).to_pylist()[0]
        missing = [column for column in keys if row[column] is None]
        rejects.append(
            RejectedRecord(
                record_id=None,
                reason=Reason.MISSING_KEY,
                field=", ".join(missing),
                detail=(
                    f"{stream}: {spec.name} record {received_before + position} (0-based, in the order "
                    f"received) has no {', '.join(missing)} (null)"
                ),
                payload_hash=payload_hash(row),
                table=spec.name,
            )
        )
    return batch.filter(pc.invert(keyless)), rejects
