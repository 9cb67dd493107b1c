"""HubSpot connection settings: one frozen object, built from the environment in one place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from connectors.http import HttpSettings

TOKEN_VAR = "HUBSPOT_ACCESS_TOKEN"
"""A private app's access token; set, it selects the real portal over the sandbox."""
URL_VARS = {"base_url": "HUBSPOT_BASE_URL"}
"""Endpoint overrides (a proxy, a test server); unset ones keep HubSpot's own."""


@dataclass(frozen=True)
class HubspotConfig:
    """Where HubSpot lives, the private-app token, and the knobs of incremental reading.

    ``lookback`` widens every search window backwards: HubSpot indexes search asynchronously, so a
    record modified just before the previous run's end may only become searchable later.
    ``search_result_cap`` is HubSpot's 10,000-results-per-query ceiling; the reader restarts the
    query on ``hs_object_id`` before reaching it. ``max_url_length`` bounds GET URLs (long
    ``properties`` lists get 414) by splitting the property list into chunks merged by id.
    ``associations_full_refresh`` re-reads every association after this long, because association
    changes do not reliably bump a record's modified date.
    """

    access_token: str = field(repr=False)
    base_url: str = "https://api.hubapi.com"
    lookback: timedelta = timedelta(hours=1)
    page_size: int = 100
    history_page_size: int = 50
    search_page_size: int = 200
    search_result_cap: int = 10_000
    search_requests_per_second: int = 4
    requests_per_ten_seconds: int = 100
    max_url_length: int = 8_000
    batch_rows: int = 10_000
    associations_full_refresh: timedelta = timedelta(days=7)
    http: HttpSettings = field(default_factory=HttpSettings)

    def __post_init__(self) -> None:
        if not self.access_token:
            raise ValueError("HubspotConfig.access_token is empty")
        if self.search_page_size > self.search_result_cap:
            raise ValueError("search_page_size cannot exceed search_result_cap")

    @classmethod
    def from_env(cls, env: Mapping[str, str], **overrides: Any) -> HubspotConfig:
        """The settings a run reads from the environment; ``overrides`` (a flag, a pacing) win."""
        settings: dict[str, Any] = {
            "access_token": env.get(TOKEN_VAR, ""),
            **{field_name: env[name] for field_name, name in URL_VARS.items() if env.get(name)},
        }
        return cls(**(settings | overrides))
