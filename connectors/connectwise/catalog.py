"""The ConnectWise PSA catalogue: every stream ``connectwise_streams`` returns."""

from __future__ import annotations

from connectors.catalog import CatalogStream, SourceCatalog, Sync
from connectors.connectwise.streams import AgreementAdditionsStream, TimeEntryIdsStream
from connectors.connectwise.tables import AGREEMENT_ADDITIONS, ENDPOINTS, TIME_ENTRY_IDS

CATALOG = SourceCatalog(
    source="connectwise",
    streams=(
        *(CatalogStream.of(endpoint.stream, Sync.INCREMENTAL, (endpoint.spec,)) for endpoint in ENDPOINTS),
        CatalogStream.of(AgreementAdditionsStream.name, Sync.INCREMENTAL, (AGREEMENT_ADDITIONS.spec,)),
        CatalogStream.of(TimeEntryIdsStream.name, Sync.FULL_REFRESH, (TIME_ENTRY_IDS.spec,)),
    ),
)
