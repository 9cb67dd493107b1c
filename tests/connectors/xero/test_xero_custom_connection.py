"""Xero Custom Connections: ``client_credentials`` against the sandbox's identity server over HTTP.

The sandbox knows two apps, as a Xero developer account would: the web app (consent flow, rotating
refresh tokens) and a Custom Connection to the same organisation, which alone may use
``client_credentials``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from connectors.base import AuthenticationError
from connectors.xero import XeroConfig, xero_streams
from connectors.xero.auth import ClientCredentialsTokens, xero_tokens
from connectors.xero.client import rate_limit_wait
from connectors.xero.config import env_grant
from sandbox.service.server import Sandbox

WRONG_SECRET = "wrong-custom-connection-secret-5f2b9e7c41d0a8"


@pytest.fixture
def custom(sb: Sandbox, make_config: Callable[..., XeroConfig], tmp_path: Path) -> Callable[..., XeroConfig]:
    """``custom(**overrides)``: the sandbox's Custom Connection; its would-be store under ``tmp_path/cc``."""

    def make(**overrides: Any) -> XeroConfig:
        settings = {
            "grant": "client_credentials",
            "client_id": sb.credentials.xero_custom_client_id,
            "client_secret": sb.credentials.xero_custom_client_secret,
            "refresh_token": "",
            "token_store_path": tmp_path / "cc" / "xero_token.json",
        }
        return make_config(**(settings | overrides))

    return make


def _token_request(sb: Sandbox, client: tuple[str, str], grant_type: str) -> requests.Response:
    return requests.post(sb.xero_token_url, auth=client, data={"grant_type": grant_type}, timeout=10)


def test_the_sandbox_grants_the_custom_connection_an_access_token_only(sb: Sandbox) -> None:
    credentials = sb.credentials
    answer = _token_request(
        sb, (credentials.xero_custom_client_id, credentials.xero_custom_client_secret), "client_credentials"
    )
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    body = answer.json()
    assert set(body) == {"access_token", "expires_in", "token_type", "scope"}  # no refresh_token
    assert (body["expires_in"], body["token_type"]) == (1800, "Bearer")
    assert "offline_access" not in body["scope"].split()
    assert "accounting.transactions.read" in body["scope"].split()


def test_the_sandbox_refuses_a_wrong_secret_and_the_other_apps_grant(sb: Sandbox) -> None:
    credentials = sb.credentials
    custom = (credentials.xero_custom_client_id, credentials.xero_custom_client_secret)
    wrong = _token_request(sb, (credentials.xero_custom_client_id, WRONG_SECRET), "client_credentials")
    assert wrong.status_code == 401 and wrong.json() == {"error": "invalid_client"}
    web_app = (credentials.xero_client_id, credentials.xero_client_secret)
    not_custom = _token_request(sb, web_app, "client_credentials")
    assert not_custom.status_code == 400 and not_custom.json() == {"error": "unauthorized_client"}
    refresh = requests.post(
        sb.xero_token_url,
        auth=custom,
        data={"grant_type": "refresh_token", "refresh_token": credentials.xero_refresh_token},
        timeout=10,
    )
    assert refresh.status_code == 400 and refresh.json() == {"error": "unauthorized_client"}


def test_a_full_read_by_client_credentials_lands_what_the_web_app_lands_and_stores_nothing(
    sb: Sandbox,
    custom: Callable[..., XeroConfig],
    make_config: Callable[..., XeroConfig],
    drain_all,
    tmp_path: Path,
) -> None:
    config = custom(tenant_id=None)  # the tenant comes from /Connections, as for the web app
    tables, states = drain_all(xero_streams(config))

    assert tables["invoices"].num_rows == len(sb.business.xero_collection("Invoices")) > 0
    assert tables["contacts"].num_rows == len(sb.business.xero_collection("Contacts")) > 0
    assert states["invoices"]["modified_since_ms"] is not None
    assert not (tmp_path / "cc").exists()  # no token store: nothing on disk
    web_tables, web_states = drain_all(xero_streams(make_config()))
    assert {name: t.num_rows for name, t in tables.items()} == {n: t.num_rows for n, t in web_tables.items()}
    assert states == web_states


def test_the_token_is_renewed_before_expiry(sb: Sandbox, custom: Callable[..., XeroConfig]) -> None:
    now = [1_000_000.0]
    tokens = ClientCredentialsTokens(custom(), rate_limit_wait, clock=lambda: now[0])
    first = tokens.access_token()
    now[0] += 1800 - 300
    assert tokens.access_token() == first
    now[0] += 200  # inside the two-minute margin before expiry
    assert tokens.access_token() != first
    tokens.close()


def test_a_401_mid_run_gets_a_new_token_once_and_continues(
    sb: Sandbox, custom: Callable[..., XeroConfig], drain
) -> None:
    streams = {s.name: s for s in xero_streams(custom())}
    tables, _ = drain(streams["accounts"])
    assert tables["accounts"].num_rows > 0
    assert sb.expire_tokens() >= 1  # the token still looks fresh locally but is now rejected
    tables, _ = drain(streams["invoices"])
    assert tables["invoices"].num_rows == len(sb.business.xero_collection("Invoices"))


def test_concurrent_callers_share_one_token(sb: Sandbox, custom: Callable[..., XeroConfig]) -> None:
    """The sandbox issues a new token per request: one token for all means one request."""
    tokens = xero_tokens(custom(), rate_limit_wait)
    got: list[str] = []
    start = threading.Barrier(4)

    def worker() -> None:
        start.wait()
        got.append(tokens.access_token())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(got) == 4 and len(set(got)) == 1
    tokens.close()


def test_a_wrong_secret_says_what_to_check_and_never_shows_the_secret(
    sb: Sandbox, custom: Callable[..., XeroConfig], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    config = custom(client_secret=WRONG_SECRET)
    stream = next(s for s in xero_streams(config) if s.name == "accounts")
    with pytest.raises(AuthenticationError) as raised:
        list(stream.read(None))
    message = str(raised.value)
    assert "client_credentials token request failed with HTTP 401" in message
    assert "invalid_client" in message and "XERO_CLIENT_SECRET" in message
    for shown in (message, repr(raised.value), caplog.text, repr(config)):
        assert WRONG_SECRET not in shown


def test_the_secret_never_reaches_the_logs_of_a_good_run(
    sb: Sandbox, custom: Callable[..., XeroConfig], drain, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    config = custom()
    tokens = xero_tokens(config, rate_limit_wait)
    access_token = tokens.access_token()
    drain(next(s for s in xero_streams(config) if s.name == "accounts"))
    assert "client_credentials" in caplog.text  # the log does say what happened
    for secret in (config.client_secret, access_token):
        assert secret not in caplog.text and secret not in repr(tokens)
    tokens.close()


def test_an_app_that_is_not_a_custom_connection_is_told_so(
    sb: Sandbox, custom: Callable[..., XeroConfig]
) -> None:
    web_app = custom(client_id=sb.credentials.xero_client_id, client_secret=sb.credentials.xero_client_secret)
    with pytest.raises(AuthenticationError, match="unauthorized_client; the app is not a Custom Connection"):
        xero_tokens(web_app, rate_limit_wait).access_token()


def test_a_custom_connection_on_the_refresh_flow_is_told_to_switch(
    sb: Sandbox, make_config: Callable[..., XeroConfig]
) -> None:
    config = make_config(
        client_id=sb.credentials.xero_custom_client_id, client_secret=sb.credentials.xero_custom_client_secret
    )
    with pytest.raises(AuthenticationError, match="XERO_GRANT_TYPE=client_credentials"):
        xero_tokens(config, rate_limit_wait).access_token()


def test_the_grant_is_explicit_and_checked(tmp_path: Path) -> None:
    assert env_grant({}) == "refresh_token"
    assert env_grant({"XERO_GRANT_TYPE": "client_credentials"}) == "client_credentials"
    with pytest.raises(ValueError, match="XERO_GRANT_TYPE='password' is not one of"):
        env_grant({"XERO_GRANT_TYPE": "password"})
    app = {"client_id": "app", "client_secret": "secret", "token_store_path": tmp_path / "t.json"}
    with pytest.raises(ValueError, match="refresh_token is empty"):
        XeroConfig(**app)
    with pytest.raises(ValueError, match="client_credentials grant uses none"):
        XeroConfig(**app, grant="client_credentials", refresh_token="left-over")
    assert XeroConfig(**app, grant="client_credentials").refresh_token == ""
