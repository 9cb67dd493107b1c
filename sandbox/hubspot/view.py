"""HubSpot as of one instant: records cut from the timeline, ids, associations.

Ids are assigned the way HubSpot's look: increasing with creation time. A record's id is
``local_day_number * 100_000 + rank`` where the rank orders the records created that day by
(creation instant, serial). Every record created on a day up to ``as_of`` is already in the timeline
when that day is viewed (its origin cannot be later than its creation), so ids never change as the
clock advances.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sandbox.simulation.clock import hs_datetime, utc_datetime
from sandbox.simulation.entities import CrmRecord, Ref
from sandbox.simulation.model import Association, HubspotRecord, PropertyChange
from sandbox.simulation.params import BATCH_UPDATE_MONTHS
from sandbox.simulation.timeline import Timeline

_ID_EPOCH = date(2000, 1, 1)
_IDS_PER_DAY = 100_000

ASSOCIATION_TYPES: dict[tuple[str, str], tuple[int, str | None]] = {
    ("contacts", "companies"): (1, "Primary"),
    ("companies", "contacts"): (2, "Primary"),
    ("deals", "contacts"): (3, None),
    ("contacts", "deals"): (4, None),
    ("deals", "companies"): (5, "Primary"),
    ("companies", "deals"): (6, "Primary"),
    ("calls", "contacts"): (194, None),
    ("contacts", "calls"): (193, None),
    ("emails", "contacts"): (198, None),
    ("contacts", "emails"): (197, None),
    ("meetings", "contacts"): (200, None),
    ("contacts", "meetings"): (199, None),
    ("tasks", "contacts"): (204, None),
    ("contacts", "tasks"): (203, None),
}
"""HubSpot-defined association type ids (v4 ``HUBSPOT_DEFINED`` category) for each direction."""

REFERENCE_PROPERTIES = {"contacts": ("associatedcompanyid",)}
"""Properties whose stored value may be a ``Ref`` at creation (changes are rendered one by one)."""
HISTORY_PROPERTIES = {"deals": ("dealstage",), "contacts": ("lifecyclestage",)}
MODIFIED_PROPERTY = {"contacts": "lastmodifieddate"}


def batch_update_instants(timeline: Timeline, now_ms: int) -> list[int]:
    """HubSpot's quarterly recalculations before ``now_ms``: 07:00:00.000 UTC on the 1st."""
    instants = []
    for year in range(timeline.start.year, timeline.generated_through.year + 2):
        for month in BATCH_UPDATE_MONTHS:
            ms = int((date(year, month, 1) - date(1970, 1, 1)).days * 86_400_000 + 7 * 3_600_000)
            if timeline.calendar.day_start_ms(timeline.start) < ms < now_ms:
                instants.append(ms)
    return instants


def _score(seed: int, serial: int, batch_ms: int) -> str:
    """The HubSpot score a recalculation assigns: a cheap deterministic hash (one per contact per batch)."""
    return str((serial * 2_654_435_761 + batch_ms // 1000 + seed * 40_503) % 101)


class HubspotView:
    """The HubSpot side of the business at ``now_ms``; records are materialised per type on demand."""

    def __init__(self, timeline: Timeline, now_ms: int) -> None:
        self._timeline = timeline
        self._now = now_ms
        self._ids = {t: self._assign_ids(records) for t, records in timeline.records.items()}
        self._batches = batch_update_instants(timeline, now_ms)
        self._records: dict[str, list[HubspotRecord]] = {}

    def _assign_ids(self, records: list[CrmRecord]) -> dict[int, int]:
        visible = sorted((r.created_ms, r.serial) for r in records if r.created_ms < self._now)
        ids: dict[int, int] = {}
        local_day = self._timeline.calendar.local_day
        current_day, rank = None, 0
        for created, serial in visible:
            day = (local_day(created) - _ID_EPOCH).days
            rank = rank + 1 if day == current_day else 1
            current_day = day
            ids[serial] = day * _IDS_PER_DAY + rank
        return ids

    def id_of(self, object_type: str, serial: int) -> int:
        """The served id of a visible record."""
        return self._ids[object_type][serial]

    def is_live(self, record: CrmRecord) -> bool:
        """Exists at ``now`` and is not archived."""
        return record.created_ms < self._now and (
            record.archived_ms is None or record.archived_ms >= self._now
        )

    def _render(self, value: Any) -> str | None:
        if value is None or value.__class__ is str:
            return value
        if isinstance(value, Ref):
            return str(self._ids[value.object_type][value.serial])
        return ";".join(str(self._ids[r.object_type][r.serial]) for r in value.refs)

    def records(self, object_type: str) -> list[HubspotRecord]:
        """Every record existing at ``now`` (live and archived), sorted by id."""
        if object_type not in self._records:
            ids = self._ids[object_type]
            source = self._timeline.records[object_type]
            built = [
                self._materialise(object_type, source[serial], record_id) for serial, record_id in ids.items()
            ]
            self._records[object_type] = built  # ids were assigned in creation order: already sorted
        return self._records[object_type]

    def _materialise(self, object_type: str, record: CrmRecord, record_id: int) -> HubspotRecord:
        archived = record.archived_ms is not None and record.archived_ms < self._now
        cutoff = record.archived_ms if archived and record.archived_ms is not None else self._now
        props = dict(zip(record.fields, record.values, strict=False))
        for name in REFERENCE_PROPERTIES.get(object_type, ()):
            props[name] = self._render(props[name])
        created_at = utc_datetime(record.created_ms)
        modified = record.created_ms
        history: dict[str, list[PropertyChange]] = {
            name: [PropertyChange(props[name], created_at)]
            for name in HISTORY_PROPERTIES.get(object_type, ())
        }
        for ms, name, value in record.changes:
            if ms >= cutoff:
                break
            props[name] = value = self._render(value)
            modified = ms
            if name in history:
                history[name].append(PropertyChange(value, utc_datetime(ms)))
        if object_type == "contacts":
            batch = next((b for b in reversed(self._batches) if record.created_ms < b < cutoff), None)
            if batch is not None:
                modified = max(modified, batch)
                props["hubspotscore"] = _score(self._timeline.seed, record.serial, batch)
        props["hs_object_id"] = str(record_id)
        props[MODIFIED_PROPERTY.get(object_type, "hs_lastmodifieddate")] = hs_datetime(modified)
        return HubspotRecord(
            id=record_id,
            created_at=created_at,
            updated_at=created_at if modified == record.created_ms else utc_datetime(modified),
            properties=props,
            archived=archived,
            archived_at=utc_datetime(cutoff) if archived else None,
            history=history,
        )

    def associations(self, from_type: str, to_type: str) -> Mapping[int, Sequence[Association]]:
        """Edges from each live ``from_type`` record to live ``to_type`` records, keyed by from-id."""
        type_id, label = ASSOCIATION_TYPES[(from_type, to_type)]
        if (from_type, to_type) in self._timeline.associations:
            pairs = self._timeline.associations[(from_type, to_type)]
        else:
            pairs = [(b, a) for a, b in self._timeline.associations[(to_type, from_type)]]
        sources, targets = self._timeline.records[from_type], self._timeline.records[to_type]
        from_ids, to_ids = self._ids[from_type], self._ids[to_type]
        edges: dict[int, list[Association]] = {}
        for a, b in pairs:
            if self.is_live(sources[a]) and self.is_live(targets[b]):
                edges.setdefault(from_ids[a], []).append(Association(to_ids[b], type_id, label))
        return {key: sorted(edges[key], key=lambda e: e.to_id) for key in sorted(edges)}
