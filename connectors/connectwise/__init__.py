"""ConnectWise PSA (formerly Manage) connector: plain ``requests`` clients yielding typed Arrow batches.

Usage::

    from connectors.connectwise import ConnectWiseConfig, connectwise_streams

    config = ConnectWiseConfig(company_id=..., public_key=..., private_key=..., client_id=...,
                               base_url="https://api-na.myconnectwise.net/v4_6_release/apis/3.0")
    for stream in connectwise_streams(config):
        output = stream.read(saved_state.get(stream.name))
        ...                                   # land each (table_name, batch)
        # StopIteration.value is the new state: persist it only after landing committed

Raw tables and their columns are listed in docs/raw-tables.md; how deletions are found is in
``connectors.connectwise.streams``.
"""

from connectors.connectwise.config import ConnectWiseConfig
from connectors.connectwise.streams import connectwise_streams

__all__ = ["ConnectWiseConfig", "connectwise_streams"]
