"""HubSpot connector tests: the shared sandbox family (tests/conftest.py) on the wall clock."""

from __future__ import annotations

import pytest

from connectors.base import Stream
from connectors.http import HttpSettings
from connectors.hubspot import HubspotConfig, hubspot_streams
from sandbox.service.server import Sandbox


@pytest.fixture
def config(sb: Sandbox, fast_http: HttpSettings) -> HubspotConfig:
    return HubspotConfig(
        access_token=sb.credentials.hubspot_access_token, base_url=sb.hubspot_base_url, http=fast_http
    )


@pytest.fixture
def streams(config: HubspotConfig) -> dict[str, Stream]:
    return {stream.name: stream for stream in hubspot_streams(config)}
