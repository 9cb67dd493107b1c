"""The sandbox's control API (``/_sandbox``) over HTTP: what a benchmark child process can reach.

Request counts come from here so that both tools are counted by the server they talk to, not by
their own bookkeeping.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests

API_VENDORS = ("hubspot", "xero", "xero-identity", "connectwise")
"""Vendors whose requests are API calls, named as ``/_sandbox/stats`` counts them (each vendor
API's ``name``); ``sandbox`` (the control API itself) is not one."""


class SandboxControl:
    """``/_sandbox/stats`` and ``/_sandbox/advance`` of the sandbox at ``base_url``."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._session = requests.Session()
        self._session.trust_env = False

    def _call(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> dict[str, Any]:
        response = self._session.request(method, f"{self.base_url}/_sandbox/{path}", json=body, timeout=600)
        response.raise_for_status()
        return response.json()

    def api_requests(self) -> dict[str, int]:
        """API calls served so far, per vendor."""
        counts = self._call("GET", "stats")["requests"]
        return {vendor: int(counts.get(vendor, 0)) for vendor in API_VENDORS}

    def advance(self, days: int) -> dict[str, Any]:
        """Move the business clock and rebuild what the sandbox serves before returning, so that the
        next run's time is serving the new and changed records, not the simulator rebuilding."""
        return self._call("POST", "advance", {"days": days, "warm": True})

    def close(self) -> None:
        self._session.close()


def requests_between(before: Mapping[str, int], after: Mapping[str, int]) -> dict[str, int]:
    """Calls made between two :meth:`SandboxControl.api_requests` readings, per vendor."""
    return {vendor: after.get(vendor, 0) - before.get(vendor, 0) for vendor in API_VENDORS}


def sandbox_base_url(env: Mapping[str, str]) -> str:
    """The sandbox root, from the ``HUBSPOT_BASE_URL`` it printed (``<root>/hubspot``)."""
    return env["HUBSPOT_BASE_URL"].removesuffix("/hubspot")
