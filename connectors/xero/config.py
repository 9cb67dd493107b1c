"""Xero connection settings: one frozen object the Dagster resource builds from its fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from connectors.http import HttpSettings


@dataclass(frozen=True)
class XeroConfig:
    """Where Xero lives, the OAuth2 app credentials, and the knobs of incremental reading.

    ``refresh_token`` seeds the token store at ``token_store_path``; afterwards the store holds the
    current (rotated) token and wins, unless it was written for another token URL or client id.
    ``tenant_id`` ``None`` means the first ORGANISATION the connections endpoint lists.
    ``lookback`` is subtracted from the newest ``UpdatedDateUTC`` seen to form ``If-Modified-Since``.
    Secrets never appear in ``repr``.
    """

    client_id: str
    client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)
    token_store_path: Path
    api_url: str = "https://api.xero.com/api.xro/2.0"
    token_url: str = "https://identity.xero.com/connect/token"
    connections_url: str = "https://api.xero.com/Connections"
    tenant_id: str | None = None
    lookback: timedelta = timedelta(minutes=5)
    page_size: int = 1000
    requests_per_minute: int = 55
    max_in_flight: int = 5
    refresh_margin: timedelta = timedelta(minutes=2)
    http: HttpSettings = field(default_factory=HttpSettings)

    def __post_init__(self) -> None:
        for name in ("client_id", "client_secret", "refresh_token"):
            if not getattr(self, name):
                raise ValueError(f"XeroConfig.{name} is empty")
        object.__setattr__(self, "token_store_path", Path(self.token_store_path))
