"""The one place each source's settings are read from the environment (run, ``doctor``, ``connect``,
the benchmark's subprocess loader)."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.hubspot import HubspotConfig
from connectors.xero import XeroConfig

XERO_ENV = {
    "XERO_CLIENT_ID": "app",
    "XERO_CLIENT_SECRET": "s3cret",
    "XERO_REFRESH_TOKEN": "rt-1",
    "XERO_TENANT_ID": "tenant-9",
    "XERO_BASE_URL": "http://127.0.0.1:9/xero/api.xro/2.0",
}


def test_hubspot_reads_token_and_url_and_keeps_defaults_for_the_rest() -> None:
    config = HubspotConfig.from_env({"HUBSPOT_ACCESS_TOKEN": "pat-1", "HUBSPOT_BASE_URL": ""})
    assert (config.access_token, config.base_url) == ("pat-1", HubspotConfig.base_url)
    moved = HubspotConfig.from_env(
        {"HUBSPOT_ACCESS_TOKEN": "pat-1", "HUBSPOT_BASE_URL": "http://127.0.0.1:9/hubspot"},
        requests_per_ten_seconds=7,
    )
    assert (moved.base_url, moved.requests_per_ten_seconds) == ("http://127.0.0.1:9/hubspot", 7)


def test_xero_refresh_token_grant_reads_every_variable(tmp_path: Path) -> None:
    config = XeroConfig.from_env(XERO_ENV, tmp_path / "token.json")
    assert (config.grant, config.client_id, config.refresh_token, config.tenant_id) == (
        "refresh_token",
        "app",
        "rt-1",
        "tenant-9",
    )
    assert config.api_url == XERO_ENV["XERO_BASE_URL"]
    assert config.token_url == XeroConfig.token_url


def test_xero_custom_connection_ignores_a_left_over_refresh_token(tmp_path: Path) -> None:
    env = XERO_ENV | {"XERO_GRANT_TYPE": "client_credentials"}
    config = XeroConfig.from_env(env, tmp_path / "token.json")
    assert (config.grant, config.refresh_token) == ("client_credentials", "")


def test_overrides_win_and_a_bad_grant_names_the_choices(tmp_path: Path) -> None:
    config = XeroConfig.from_env(XERO_ENV, tmp_path / "t.json", grant="client_credentials", client_id="flag")
    assert (config.grant, config.client_id, config.refresh_token) == ("client_credentials", "flag", "")
    with pytest.raises(ValueError, match="XERO_GRANT_TYPE='oauth1' is not one of"):
        XeroConfig.from_env(XERO_ENV | {"XERO_GRANT_TYPE": "oauth1"}, tmp_path / "t.json")
    with pytest.raises(ValueError, match=r"XeroConfig\.client_secret is empty"):
        XeroConfig.from_env({"XERO_CLIENT_ID": "app", "XERO_REFRESH_TOKEN": "rt"}, tmp_path / "t.json")
