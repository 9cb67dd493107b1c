"""OAuth2 with rotating refresh tokens: persisted atomically, single-flight, keyed by issuer."""

from __future__ import annotations

import json
import stat
import threading

import pytest

from connectors.base import AuthenticationError
from connectors.xero import xero_streams
from connectors.xero.auth import TokenSet, TokenStore, XeroTokens
from connectors.xero.client import XeroClient, rate_limit_wait
from sandbox.service.server import Sandbox


def read_accounts(config) -> int:
    stream = next(s for s in xero_streams(config) if s.name == "accounts")
    return sum(batch.num_rows for _, batch in stream.read(None))


def test_rotated_token_is_stored_privately_before_use(sb: Sandbox, make_config) -> None:
    config = make_config()
    assert read_accounts(config) > 0
    stored = json.loads(config.token_store_path.read_text())
    assert stored["token_url"] == config.token_url and stored["client_id"] == config.client_id
    assert stored["refresh_token"] != config.refresh_token  # rotated
    assert stat.S_IMODE(config.token_store_path.stat().st_mode) == 0o600
    assert not [p for p in config.token_store_path.parent.iterdir() if p.name.startswith(".xero_token")]


def test_invalid_grant_is_an_authentication_error_without_secrets(sb: Sandbox, make_config, tmp_path) -> None:
    secret = "0123456789abcdef-refresh"
    config = make_config(refresh_token=secret, token_store_path=tmp_path / "empty" / "store.json")
    with pytest.raises(AuthenticationError, match="invalid_grant") as raised:
        read_accounts(config)
    assert secret not in str(raised.value)
    assert secret not in repr(config) and config.client_secret not in repr(config)


def test_store_from_another_issuer_is_ignored(sb: Sandbox, make_config) -> None:
    config = make_config()
    foreign = TokenSet(
        "https://identity.example.com/token", config.client_id, "foreign-refresh", "foreign", 9e12
    )
    TokenStore(config.token_store_path).save(foreign)
    assert read_accounts(config) > 0  # used the configured token, not the foreign one
    assert json.loads(config.token_store_path.read_text())["token_url"] == config.token_url


def test_concurrent_refreshes_are_single_flight(sb: Sandbox, make_config) -> None:
    """Two workers sharing one store (two token managers = two processes' view) refresh once."""
    config = make_config()
    managers = [XeroTokens(config, rate_limit_wait) for _ in range(4)]
    tokens: list[str] = []
    start = threading.Barrier(len(managers))

    def worker(manager: XeroTokens) -> None:
        start.wait()
        tokens.append(manager.access_token())

    threads = [threading.Thread(target=worker, args=(m,)) for m in managers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(tokens)) == 1


def test_tokens_refresh_before_expiry(sb: Sandbox, make_config) -> None:
    now = [1_000_000.0]
    tokens = XeroTokens(make_config(), rate_limit_wait, clock=lambda: now[0])
    first = tokens.access_token()
    now[0] += 1800 - 300
    assert tokens.access_token() == first
    now[0] += 200  # inside the two-minute margin before expiry
    assert tokens.access_token() != first


def test_a_401_mid_run_refreshes_once_and_continues(sb: Sandbox, make_config, drain) -> None:
    config = make_config()
    client_stream = next(s for s in xero_streams(config) if s.name == "invoices")
    assert read_accounts(config) > 0
    revoked = json.loads(config.token_store_path.read_text())["access_token"]
    sb.expire_tokens()  # the stored access token still looks fresh locally but is now rejected
    tables, _ = drain(client_stream)
    assert tables["invoices"].num_rows == len(sb.business.xero_collection("Invoices"))
    assert json.loads(config.token_store_path.read_text())["access_token"] != revoked


def test_tenant_comes_from_connections_when_not_configured(sb: Sandbox, make_config) -> None:
    client = XeroClient(make_config(tenant_id=None))
    assert client.tenant_id() == sb.credentials.xero_tenant_id


@pytest.mark.parametrize("path", ["/connections", "/Connections"])
def test_the_tenant_comes_from_either_spelling_of_connections(sb: Sandbox, make_config, path: str) -> None:
    """Xero documents ``/connections``; its identity spec (and spec-generated SDKs) ``/Connections``."""
    url = sb.xero_connections_url.removesuffix("/connections") + path
    client = XeroClient(make_config(connections_url=url, tenant_id=None))
    try:
        assert client.tenant_id()
    finally:
        client.close()
