"""The Xero catalogue: every stream ``xero_streams`` returns, read from the endpoint declarations."""

from __future__ import annotations

from connectors.catalog import CatalogStream, SourceCatalog, Sync
from connectors.xero.reports import PROFIT_AND_LOSS, XeroProfitAndLossStream
from connectors.xero.tables import ENDPOINTS, Endpoint


def _stream(endpoint: Endpoint) -> CatalogStream:
    """Collections read by ``If-Modified-Since`` or by offset are incremental; others are re-read whole."""
    sync = Sync.INCREMENTAL if endpoint.incremental else Sync.FULL_REFRESH
    return CatalogStream.of(endpoint.stream, sync, endpoint.specs)


CATALOG = SourceCatalog(
    source="xero",
    streams=(
        *map(_stream, ENDPOINTS),
        CatalogStream.of(XeroProfitAndLossStream.name, Sync.FULL_REFRESH, (PROFIT_AND_LOSS.spec,)),
    ),
)
