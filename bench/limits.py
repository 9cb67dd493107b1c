"""What the calls a run made would cost against the real services' published rate limits.

Locally the sandbox answers as fast as the CPU allows; against HubSpot and Xero the budget decides
the wall time. ``calls / limit`` is the least time those calls need (bursts of the whole window at
once are assumed, so it is a floor). HubSpot's search endpoints have their own 4-a-second limit
instead of the ten-second budget; the server's counts do not separate them, so every HubSpot call
is priced at the burst budget here.

ConnectWise PSA publishes no fixed quota (cloud tenants answer 429 with ``Retry-After`` under load);
60 requests a minute is a figure from third-party write-ups, taken here as a conservative
assumption, not a documented limit.
"""

from __future__ import annotations

from collections.abc import Mapping

PUBLISHED_LIMITS: dict[str, tuple[str, str, float]] = {
    "hubspot_100_per_10s": ("hubspot", "HubSpot Free/Starter: 100 requests per 10 s", 100 / 10),
    "hubspot_190_per_10s": ("hubspot", "HubSpot Professional/Enterprise: 190 requests per 10 s", 190 / 10),
    "xero_60_per_minute": ("xero", "Xero: 60 requests per minute per organisation", 60 / 60),
    "connectwise_60_per_minute": (
        "connectwise",
        "ConnectWise PSA: 60 requests per minute (assumed: no published quota)",
        60 / 60,
    ),
}
"""Name -> (vendor, description, requests per second)."""


def seconds_under_limits(requests: Mapping[str, float]) -> dict[str, float]:
    """Least wall seconds for ``requests`` (per vendor) under each limit of a vendor in ``requests``;
    a vendor the run did not read has no line (it is not a run that costs nothing)."""
    return {
        name: requests[vendor] / per_second
        for name, (vendor, _, per_second) in PUBLISHED_LIMITS.items()
        if vendor in requests
    }
