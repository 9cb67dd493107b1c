"""The HubSpot stream list the Dagster side materialises, one asset per stream."""

from __future__ import annotations

from connectors.base import Stream
from connectors.hubspot.associations import AssociationsStream
from connectors.hubspot.client import HubspotClient
from connectors.hubspot.config import HubspotConfig
from connectors.hubspot.metadata import DealPipelinesStream, ExchangeRatesStream, OwnersStream
from connectors.hubspot.objects import OBJECT_KINDS, ObjectStream


def hubspot_streams(config: HubspotConfig) -> list[Stream]:
    """Every HubSpot stream, sharing one client (one connection pool, one rate budget).

    Names are stable (stored cursors and op names are keyed by them); the list, with each stream's
    tables, is :data:`connectors.hubspot.catalog.CATALOG`, held to this function by a sandbox test.
    """
    client = HubspotClient(config)
    return [
        OwnersStream(client),
        DealPipelinesStream(client),
        ExchangeRatesStream(client),
        *(ObjectStream(client, kind) for kind in OBJECT_KINDS),
        AssociationsStream(client),
    ]
