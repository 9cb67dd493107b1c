"""ConnectWise PSA connection settings: one frozen object, built from the environment in one place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from connectors.http import HttpSettings

COMPANY_VAR = "CONNECTWISE_COMPANY_ID"
PUBLIC_KEY_VAR = "CONNECTWISE_PUBLIC_KEY"
PRIVATE_KEY_VAR = "CONNECTWISE_PRIVATE_KEY"
CLIENT_ID_VAR = "CONNECTWISE_CLIENT_ID"
CREDENTIAL_VARS = (COMPANY_VAR, PUBLIC_KEY_VAR, PRIVATE_KEY_VAR, CLIENT_ID_VAR)
"""All four set select the real PSA; none set reads the sandbox's (or no PSA, see the docs)."""
URL_VARS = {"base_url": "CONNECTWISE_BASE_URL"}
"""The site and codebase: ``https://api-eu.myconnectwise.net/v4_6_release/apis/3.0`` (unset: NA cloud)."""

ACCEPT = "application/vnd.connectwise.com+json; version=2025.8"
"""Pins the response version the connector was written against (the spec's own media type)."""


@dataclass(frozen=True, kw_only=True)
class ConnectWiseConfig:
    """Where the PSA lives, the API member's keys, and the knobs of incremental reading.

    The keys belong to an API member: ``company_id`` is the login company, ``client_id`` the
    integrator's id from the ConnectWise developer portal (sent as the ``clientId`` header).
    ``overlap`` is subtracted from the newest ``lastUpdated`` landed to form the next run's
    ``lastUpdated >= [...]`` condition: the API stamps whole seconds and a record saved in the same
    second as the previous run's last page would otherwise be missed; rows read twice merge by id.
    ``deletion_window`` is how far back time entries are re-listed (ids only) to find hard deletes,
    which the API reports nowhere else. ``additions_full_refresh``: how often agreement additions
    are re-read for every active agreement (one call each) rather than only for the agreements
    changed since the last run, in case an addition's edit does not touch its agreement's
    ``lastUpdated`` (the API does not say). ``requests_per_minute`` paces the client (ConnectWise
    documents no quota; cloud tenants answer 429 with ``Retry-After`` under load).
    Secrets never appear in ``repr``.
    """

    company_id: str
    public_key: str
    private_key: str = field(repr=False)
    client_id: str
    base_url: str = "https://api-na.myconnectwise.net/v4_6_release/apis/3.0"
    overlap: timedelta = timedelta(minutes=5)
    deletion_window: timedelta = timedelta(days=120)
    additions_full_refresh: timedelta = timedelta(days=7)
    page_size: int = 1000
    requests_per_minute: int = 240
    http: HttpSettings = field(default_factory=HttpSettings)

    def __post_init__(self) -> None:
        for name in ("company_id", "public_key", "private_key", "client_id"):
            if not getattr(self, name):
                raise ValueError(f"ConnectWiseConfig.{name} is empty")
        if not 1 <= self.page_size <= 1000:
            raise ValueError("ConnectWiseConfig.page_size must be 1..1000 (the API's maximum)")

    @property
    def username(self) -> str:
        """The Basic-auth user: ``company+publicKey``."""
        return f"{self.company_id}+{self.public_key}"

    @classmethod
    def from_env(cls, env: Mapping[str, str], **overrides: Any) -> ConnectWiseConfig:
        """The settings a run reads from the environment; ``overrides`` (a pacing) win."""
        settings: dict[str, Any] = {
            "company_id": env.get(COMPANY_VAR, ""),
            "public_key": env.get(PUBLIC_KEY_VAR, ""),
            "private_key": env.get(PRIVATE_KEY_VAR, ""),
            "client_id": env.get(CLIENT_ID_VAR, ""),
            **{field_name: env[name] for field_name, name in URL_VARS.items() if env.get(name)},
        }
        return cls(**(settings | overrides))
