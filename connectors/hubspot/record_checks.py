"""Per-record rules of HubSpot record pages that the JSON reader cannot check: ids and history keys.

The page decoder (:func:`connectors.arrow_json.page_decoder`) types each value by its JSON kind; it
cannot tell a stage-history ``timestamp`` that is no timestamp, or an id that is no number. Such a
record breaks the contract for itself only, so it is reported as a :class:`BadRecord`: the decoder
sets it aside (:mod:`connectors.rejects`) and reads the page again with the record reduced to a
stub, and the rest of the page lands. Found here, before typing, because only here is the record
still whole: its JSON path, its position and its payload hash all name it exactly.

A history entry's ``value`` and ``timestamp`` are the stage-history key (with the deal id): an
entry missing one would be set aside alone by the landing's key check, and the deal's history
replaced by the rest of it; the record is set aside whole instead, so the deal keeps its previous
history until HubSpot sends a readable one.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc

from connectors.arrow_json import RecordCheck, field_path, records
from connectors.hubspot.values import TIMESTAMP, unparseable
from connectors.payload_checks import BadRecord
from connectors.rejects import Reason

RESULTS = "results"
_DIGITS = r"^[0-9]+$"
_SHOWN_CHARS = 40


def batch_read_check(history: Sequence[str]) -> RecordCheck:
    """The rules of a batch-read answer: every record has a numeric id and readable history."""

    def check(page: pa.Table) -> list[BadRecord]:
        return first_per_record([*bad_ids(page), *bad_history(page, history)])

    return check


def history_check(history: Sequence[str]) -> RecordCheck:
    """The rules of a list page read with history (its ids are checked for paging, as fatal)."""

    def check(page: pa.Table) -> list[BadRecord]:
        return first_per_record(bad_history(page, history))

    return check


def first_per_record(found: list[BadRecord]) -> list[BadRecord]:
    """One report per record (the first rule it broke), in page order: a record is set aside once."""
    by_position: dict[int, BadRecord] = {}
    for bad in found:
        by_position.setdefault(bad.position, bad)
    return sorted(by_position.values(), key=lambda bad: bad.position)


def bad_ids(page: pa.Table) -> list[BadRecord]:
    """Records whose ``id`` is missing, ``null`` or not a string of digits.

    Their id names no record the landing could leave out or resolve later, so the report carries
    none (the reject is kept by payload hash) and the stub keeps none. That stub, an empty record,
    is not reported again when the decoder reads the page back: nothing in it lands.
    """
    results = records(page, RESULTS)
    ids = pc.struct_field(results, "id")
    not_digits = pc.fill_null(pc.invert(pc.match_substring_regex(ids, _DIGITS)), True)
    bad = pc.and_(not_digits, pc.invert(_empty(results)))
    found = []
    for position in _indices(bad):
        value = ids[position].as_py()
        if value is None:
            reason, problem = Reason.MISSING_KEY, "has no id (missing or null)"
        else:
            reason, problem = Reason.UNPARSEABLE_VALUE, f"has an id that is not digits: {_shown(value)}"
        found.append(
            BadRecord(RESULTS, position, None, "id", reason, f"record {position} of the page {problem}")
        )
    return found


def _empty(results: pa.StructArray) -> pa.Array:
    """Whether each record holds nothing at all (every field missing or ``null``)."""
    return functools.reduce(pc.and_, (pc.is_null(results.field(i)) for i in range(results.type.num_fields)))


def bad_history(page: pa.Table, history: Sequence[str]) -> list[BadRecord]:
    """Records with a history entry lacking its ``value`` or ``timestamp``, or whose timestamp does
    not parse (ISO-8601 or epoch milliseconds, as for datetime properties)."""
    results = records(page, RESULTS)
    ids = pc.struct_field(results, "id")
    found = []
    for name in history:
        lists = field_path(results, f"propertiesWithHistory.{name}")
        entries = pc.list_flatten(lists)
        owners = pc.list_parent_indices(lists)
        for index, field, reason, problem in _bad_entries(entries):
            record = owners[index].as_py()
            position = index - pc.index(owners, record).as_py()
            path = f"propertiesWithHistory.{name}[{position}]{field}"
            message = f"record {record} of the page (id {ids[record].as_py()!r}): {path} {problem}"
            found.append(BadRecord(RESULTS, record, ids[record].as_py(), path, reason, message))
    return found


def _bad_entries(entries: pa.Array) -> list[tuple[int, str, str, str]]:
    """``(index, field, reason, problem)`` of each bad entry of a flattened history list."""
    if not len(entries):
        return []
    stamps = pc.struct_field(entries, "timestamp")
    no_value = pc.is_null(pc.struct_field(entries, "value"))
    no_stamp = pc.fill_null(pc.equal(stamps, ""), True)
    return [
        *((i, ".value", Reason.MISSING_KEY, "is missing (null)") for i in _indices(no_value)),
        *((i, ".timestamp", Reason.MISSING_KEY, "is missing (null or empty)") for i in _indices(no_stamp)),
        *(
            (i, ".timestamp", Reason.BAD_DATE, f"is not a timestamp: {_shown(stamps[i].as_py())}")
            for i in unparseable(stamps, TIMESTAMP)
        ),
    ]


def _indices(mask: pa.Array) -> list[int]:
    return pc.indices_nonzero(mask).to_pylist() if pc.any(mask).as_py() else []


def _shown(value: object) -> str:
    """A bad value as a message quotes it: short, so a huge string cannot flood a log."""
    return repr(str(value)[:_SHOWN_CHARS])
