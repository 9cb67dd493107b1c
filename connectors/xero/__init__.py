"""Xero Accounting connector: plain ``requests`` clients yielding typed Arrow batches.

Usage::

    from connectors.xero import XeroConfig, xero_streams

    config = XeroConfig(client_id=..., client_secret=..., refresh_token=...,
                        token_store_path=Path("data/xero_token.json"))
    for stream in xero_streams(config):
        specs = stream.tables()                          # TableSpec per raw table (schema, keys)
        output = stream.read(saved_state.get(stream.name))
        ...                                              # land each (table_name, batch)
        # StopIteration.value is the new state: persist it only after landing committed

The rotated refresh token lives in ``token_store_path`` (0600); keep that file between runs. A
Custom Connection passes ``grant="client_credentials"`` and no refresh token; nothing is stored.
Raw tables and their columns are listed in docs/raw-tables.md. ``RateLimitExhausted`` (day limit)
and other ``ConnectorError``\\ s end a read early; keep the old state in that case.
"""

from connectors.xero.config import XeroConfig
from connectors.xero.streams import xero_streams

__all__ = ["XeroConfig", "xero_streams"]
