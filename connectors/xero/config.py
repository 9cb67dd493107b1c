"""Xero connection settings: one frozen object, built from the environment in one place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal, get_args

from connectors.http import HttpSettings

Grant = Literal["refresh_token", "client_credentials"]
"""How the connector gets access tokens: an app's rotating refresh token (the authorisation-code
flow), or a Custom Connection's client id and secret alone (Xero's ``client_credentials`` grant)."""

GRANT_VAR = "XERO_GRANT_TYPE"
"""Selects the grant; unset means ``refresh_token``. Explicit rather than inferred from a missing
``XERO_REFRESH_TOKEN``: a forgotten token must read "XERO_REFRESH_TOKEN not set", not turn into a
client_credentials attempt that Xero refuses with ``unauthorized_client``."""
CLIENT_ID_VAR = "XERO_CLIENT_ID"
CLIENT_SECRET_VAR = "XERO_CLIENT_SECRET"
REFRESH_TOKEN_VAR = "XERO_REFRESH_TOKEN"
URL_VARS = {
    "api_url": "XERO_BASE_URL",
    "token_url": "XERO_TOKEN_URL",
    "connections_url": "XERO_CONNECTIONS_URL",
}
"""Endpoint overrides (a proxy, a test server); unset ones keep Xero's own."""
TENANT_VAR = "XERO_TENANT_ID"
"""The organisation to read when the connection reaches several (unset: the only one)."""


def grant_named(value: str) -> Grant:
    """``value`` as a :data:`Grant`; ``ValueError`` naming the choices for anything else."""
    choices: tuple[Grant, ...] = get_args(Grant)
    for grant in choices:
        if value == grant:
            return grant
    raise ValueError(f"{GRANT_VAR}={value!r} is not one of {', '.join(choices)}")


def env_grant(env: Mapping[str, str]) -> Grant:
    """The grant ``XERO_GRANT_TYPE`` names (unset: ``refresh_token``)."""
    return grant_named(env.get(GRANT_VAR) or "refresh_token")


def credential_vars(grant: Grant) -> tuple[str, ...]:
    """The variables that, all set, select the real Xero API under ``grant``.

    A Custom Connection has no refresh token: ``XERO_REFRESH_TOKEN`` is ignored in that mode.
    """
    app = (CLIENT_ID_VAR, CLIENT_SECRET_VAR)
    return app if grant == "client_credentials" else (*app, REFRESH_TOKEN_VAR)


@dataclass(frozen=True, kw_only=True)
class XeroConfig:
    """Where Xero lives, the OAuth2 app credentials, and the knobs of incremental reading.

    ``grant`` ``"refresh_token"``: ``refresh_token`` seeds the token store at ``token_store_path``;
    afterwards the store holds the current (rotated) token and wins, unless it was written for
    another token URL or client id. ``grant`` ``"client_credentials"`` (a Custom Connection): no
    refresh token, and nothing is stored; ``token_store_path`` is unused.
    ``tenant_id`` ``None`` means the first ORGANISATION the connections endpoint lists.
    ``lookback`` is subtracted from the newest ``UpdatedDateUTC`` seen to form ``If-Modified-Since``.
    ``report_months`` is how many months of Xero's own P&L report are landed, the current one
    included (four years by default: four calls a run, twelve months each).
    Secrets never appear in ``repr``.
    """

    client_id: str
    client_secret: str = field(repr=False)
    refresh_token: str = field(default="", repr=False)
    token_store_path: Path
    grant: Grant = "refresh_token"
    api_url: str = "https://api.xero.com/api.xro/2.0"
    token_url: str = "https://identity.xero.com/connect/token"
    connections_url: str = "https://api.xero.com/Connections"
    tenant_id: str | None = None
    lookback: timedelta = timedelta(minutes=5)
    page_size: int = 1000
    report_months: int = 48
    requests_per_minute: int = 55
    max_in_flight: int = 5
    refresh_margin: timedelta = timedelta(minutes=2)
    http: HttpSettings = field(default_factory=HttpSettings)

    def __post_init__(self) -> None:
        grant_named(self.grant)
        if self.report_months < 1:
            raise ValueError("XeroConfig.report_months must be at least 1")
        required = ("client_id", "client_secret", *(("refresh_token",) if self.uses_refresh_token else ()))
        for name in required:
            if not getattr(self, name):
                raise ValueError(f"XeroConfig.{name} is empty")
        if self.refresh_token and not self.uses_refresh_token:
            raise ValueError("XeroConfig.refresh_token is set, but a client_credentials grant uses none")
        object.__setattr__(self, "token_store_path", Path(self.token_store_path))

    @property
    def uses_refresh_token(self) -> bool:
        return self.grant == "refresh_token"

    @classmethod
    def from_env(cls, env: Mapping[str, str], token_store_path: Path, **overrides: Any) -> XeroConfig:
        """The settings a run reads from the environment; ``overrides`` (a ``connect`` flag, a
        pacing) win. A Custom Connection ignores ``XERO_REFRESH_TOKEN``."""
        grant = overrides.pop("grant", None) or env_grant(env)
        settings: dict[str, Any] = {
            "client_id": env.get(CLIENT_ID_VAR, ""),
            "client_secret": env.get(CLIENT_SECRET_VAR, ""),
            "refresh_token": env.get(REFRESH_TOKEN_VAR, "") if grant == "refresh_token" else "",
            "tenant_id": env.get(TENANT_VAR) or None,
            **{field_name: env[name] for field_name, name in URL_VARS.items() if env.get(name)},
        }
        return cls(grant=grant, token_store_path=token_store_path, **(settings | overrides))
