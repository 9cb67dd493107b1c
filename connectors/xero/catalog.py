"""The Xero catalogue: every stream ``xero_streams`` returns, read from the endpoint declarations."""

from __future__ import annotations

from connectors.catalog import CatalogStream, SourceCatalog, Sync
from connectors.xero.tables import ENDPOINTS, Endpoint


def _stream(endpoint: Endpoint) -> CatalogStream:
    """Collections that take ``If-Modified-Since`` are incremental; the others are re-read whole."""
    sync = Sync.INCREMENTAL if endpoint.modified_since else Sync.FULL_REFRESH
    return CatalogStream.of(endpoint.stream, sync, endpoint.specs)


CATALOG = SourceCatalog(source="xero", streams=tuple(map(_stream, ENDPOINTS)))
