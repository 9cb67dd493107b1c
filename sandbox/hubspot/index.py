"""HubSpot object types, and the per-clock index the list, search and batch endpoints read.

The simulation answers "every record at ``now``"; paging it per request would cost a scan per
page. The index is built once per clock reading (the API drops it when ``business.now`` moves):
records split into live and archived, sorted by id for bisecting an ``after`` cursor, each with the
property mapping HubSpot would serve (the always-present ``hs_object_id`` / create / modified
properties filled in), and typed columns for search built on first use.
"""

from __future__ import annotations

import base64
import binascii
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sandbox.service.timefmt import date_epoch_ms, iso_ms, parse_iso
from sandbox.simulation.clock import epoch_ms
from sandbox.simulation.model import HubspotRecord

OBJECT_TYPE_IDS = {
    "contacts": "0-1",
    "companies": "0-2",
    "deals": "0-3",
    "tasks": "0-27",
    "meetings": "0-47",
    "calls": "0-48",
    "emails": "0-49",
}
SINGULAR = {
    "contacts": "contact",
    "companies": "company",
    "deals": "deal",
    "tasks": "task",
    "meetings": "meeting",
    "calls": "call",
    "emails": "email",
}
_ALIASES = {
    alias: name for name, type_id in OBJECT_TYPE_IDS.items() for alias in (name, type_id, SINGULAR[name])
}

DEFAULT_PROPERTIES: Mapping[str, tuple[str, ...]] = {
    "contacts": ("firstname", "lastname", "email"),
    "companies": ("name", "domain"),
    "deals": ("dealname", "amount", "closedate", "pipeline", "dealstage"),
}
"""What HubSpot returns when ``properties`` is absent (engagements: only the always-present ones)."""


def canonical_type(name: str) -> str | None:
    """``deals``, ``deal`` and ``0-3`` all name the deals type; ``None`` for anything else."""
    return _ALIASES.get(name.lower())


def created_property(object_type: str) -> str:
    return "createdate" if object_type in ("contacts", "companies", "deals") else "hs_createdate"


def modified_property(object_type: str) -> str:
    """Contacts keep the legacy ``lastmodifieddate``; everything else uses ``hs_lastmodifieddate``."""
    return "lastmodifieddate" if object_type == "contacts" else "hs_lastmodifieddate"


def always_present(object_type: str) -> tuple[str, ...]:
    return ("hs_object_id", created_property(object_type), modified_property(object_type))


def encode_cursor(position: int) -> str:
    """An opaque ``after`` token (clients must not parse it; the sandbox happens to use base64)."""
    return base64.urlsafe_b64encode(str(position).encode()).decode()


def decode_cursor(token: str) -> int | None:
    try:
        return int(base64.urlsafe_b64decode(token.encode()).decode())
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def typed_key(kind: str, value: str | None) -> Any:
    """A comparable key for a served (string) value, by the property's HubSpot type.

    Datetimes and dates compare as epoch ms (search filters send them that way), numbers as
    floats, everything else as case-folded strings. Unparseable values compare as missing.
    """
    if value is None or value == "":
        return None
    try:
        if kind == "number":
            return float(value)
        if kind == "datetime":
            return int(value) if value.isdigit() else epoch_ms(parse_iso(value))
        if kind == "date":
            return int(value) if value.isdigit() else date_epoch_ms(date.fromisoformat(value))
    except ValueError:
        return None
    return value.casefold()


@dataclass
class Partition:
    """Live or archived records of one type, sorted by id, with what HubSpot serves for each."""

    records: list[HubspotRecord]
    props: list[Mapping[str, str | None]]
    ids: list[int] = field(init=False)

    def __post_init__(self) -> None:
        self.ids = [record.id for record in self.records]

    def start_after(self, last_id: int) -> int:
        return bisect_right(self.ids, last_id)


class ObjectIndex:
    """One object type at one clock reading."""

    def __init__(
        self, object_type: str, records: Sequence[HubspotRecord], definitions: Sequence[Mapping[str, Any]]
    ) -> None:
        self.object_type = object_type
        self.property_types: dict[str, str] = {d["name"]: d.get("type", "string") for d in definitions}
        required = always_present(object_type)
        for name in required:
            self.property_types.setdefault(name, "number" if name == "hs_object_id" else "datetime")
        live, archived = [], []
        known: set[str] = set(self.property_types)
        for record in records:
            (archived if record.archived else live).append(record)
            known.update(record.properties)
        self.known = frozenset(known)
        self.live = Partition(live, [self._served(r, required) for r in live])
        self.archived = Partition(archived, [self._served(r, required) for r in archived])
        self.by_id = {
            r.id: (r, p)
            for part in (self.live, self.archived)
            for r, p in zip(part.records, part.props, strict=True)
        }
        self._columns: dict[str, list[Any]] = {}

    def _served(self, record: HubspotRecord, required: tuple[str, ...]) -> Mapping[str, str | None]:
        """The record's properties plus the always-present three, derived when the simulation omits them."""
        props = record.properties
        if all(name in props for name in required):
            return props
        id_name, created, modified = required
        derived = {
            id_name: str(record.id),
            created: iso_ms(record.created_at),
            modified: iso_ms(record.updated_at),
        }
        return {**derived, **props}

    def select(self, requested: Sequence[str] | None) -> tuple[str, ...]:
        """The property names to serve: requested names HubSpot knows (others are silently ignored)."""
        names = set(DEFAULT_PROPERTIES.get(self.object_type, ()) if requested is None else requested)
        return tuple(sorted((names & self.known) | set(always_present(self.object_type))))

    def column(self, name: str) -> list[Any]:
        """Typed keys of ``name`` over the live records, for search filters and sorts."""
        found = self._columns.get(name)
        if found is None:
            kind = self.property_types.get(name, "string")
            found = [typed_key(kind, props.get(name)) for props in self.live.props]
            self._columns[name] = found
        return found
