"""HubSpot CRM v3 connector: plain ``requests`` clients yielding typed Arrow batches.

Usage::

    from connectors.hubspot import HubspotConfig, hubspot_streams

    config = HubspotConfig(access_token=token)           # base_url defaults to api.hubapi.com
    for stream in hubspot_streams(config):
        specs = stream.tables()                           # TableSpec per raw table (schema, keys)
        output = stream.read(saved_state.get(stream.name))
        try:
            while True:
                table_name, batch = next(output)          # land the batch
        except StopIteration as done:
            new_state = done.value                        # persist only after landing committed

Raw tables and their columns are listed in docs/raw-tables.md. ``RateLimitExhausted`` (daily quota)
and other ``ConnectorError``\\ s end a read early; keep the old state in that case.
"""

from connectors.hubspot.config import HubspotConfig
from connectors.hubspot.streams import hubspot_streams

__all__ = ["HubspotConfig", "hubspot_streams"]
