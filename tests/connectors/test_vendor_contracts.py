"""Requests as the vendors' specs and the real APIs take them (``docs/vendor-contracts.md``)."""

from __future__ import annotations

from pathlib import Path

import orjson
from scripted_api import hubspot_routes, serve, xero_config, xero_routes

from connectors.http import HttpSettings
from connectors.hubspot import HubspotConfig, hubspot_streams
from connectors.xero import xero_streams

SINCE_MS = 1_700_000_000_000  # 2023-11-14T22:13:20Z


def test_xero_if_modified_since_is_a_full_utc_date_time(
    fast_http: HttpSettings, tmp_path: Path, drain
) -> None:
    """The spec's header is ``format: date-time``: a zoneless value was a 422 from a validating server."""
    with serve(xero_routes()) as api:
        config = xero_config(api, tmp_path / "xero_token.json", fast_http)
        stream = next(s for s in xero_streams(config) if s.name == "invoices")
        drain(stream, {"modified_since_ms": SINCE_MS})
    sent = [r.headers.get("If-Modified-Since") for r in api.received if r.path.endswith("/Invoices")]
    assert sent == ["2023-11-14T22:08:20Z"], "newest UpdatedDateUTC minus the 5-minute lookback, in UTC"


def test_hubspot_search_body_has_every_field_the_spec_requires(fast_http: HttpSettings, drain) -> None:
    with serve(hubspot_routes()) as api:
        config = HubspotConfig(access_token="pat-test", base_url=api.base_url, http=fast_http)
        stream = next(s for s in hubspot_streams(config) if s.name == "deals")
        drain(stream, {"window_end_ms": SINCE_MS})
    [search] = [orjson.loads(r.body) for r in api.received if r.path == "/crm/v3/objects/deals/search"]
    assert {"after", "filterGroups", "limit", "properties", "sorts"} <= set(search)
    assert search["after"] == "0"
