"""The HubSpot catalogue: every stream ``hubspot_streams`` returns, in order, without calling HubSpot.

Built from the streams' own table specs. Object tables get their columns from the properties API
at run time, but their name (the object type) and key are fixed, which is all a catalogue holds.
"""

from __future__ import annotations

from connectors.base import FixedTablesStream
from connectors.catalog import CatalogStream, CatalogTable, SourceCatalog, Sync
from connectors.hubspot.associations import AssociationsStream
from connectors.hubspot.metadata import DealPipelinesStream, ExchangeRatesStream, OwnersStream
from connectors.hubspot.objects import OBJECT_KINDS, PRIMARY_KEY, ObjectKind


def _fixed(stream: type[FixedTablesStream], sync: Sync) -> CatalogStream:
    return CatalogStream.of(stream.name, sync, stream.specs)


def _objects(kind: ObjectKind) -> CatalogStream:
    tables = (CatalogTable(kind.object_type, PRIMARY_KEY), *map(CatalogTable.of, kind.history_tables))
    return CatalogStream(kind.object_type, Sync.INCREMENTAL, tables)


CATALOG = SourceCatalog(
    source="hubspot",
    streams=(
        _fixed(OwnersStream, Sync.FULL_REFRESH),
        _fixed(DealPipelinesStream, Sync.FULL_REFRESH),
        _fixed(ExchangeRatesStream, Sync.FULL_REFRESH),
        *map(_objects, OBJECT_KINDS),
        _fixed(AssociationsStream, Sync.INCREMENTAL),
    ),
)
"""Reference streams are re-read whole; objects and associations search a modified-date window."""
