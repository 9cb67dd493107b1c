"""``milemarker connect hubspot|xero`` end to end against the sandbox, which plays both vendors.

For Xero the test plays the browser: it follows the authorise URL, whose redirect lands on the
command's own callback server, exactly as a browser would after "Allow access".
"""

from __future__ import annotations

import stat
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import orjson
import pytest
import requests
from cli_sandbox import CONFIG, LIMITS, as_custom_connection, point_at

from connectors.xero.client import XeroClient
from connectors.xero.config import XeroConfig
from dagster_project.cli.checks import Status
from dagster_project.cli.connect import _choose, connect_hubspot, connect_xero
from dagster_project.cli.main import main
from dagster_project.cli.xero_oauth import Organisation
from sandbox.service.server import Sandbox, run_sandbox


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with run_sandbox(CONFIG, faults=LIMITS) as running:
        yield running


@pytest.fixture
def env(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Sandbox:
    point_at(sandbox, monkeypatch, tmp_path)
    return sandbox


def test_hubspot_token_with_every_scope_is_ready(env: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    assert connect_hubspot() == 0

    out = capsys.readouterr().out
    assert "OK    hubspot token" in out and "OK    hubspot scopes" in out
    assert "OK    hubspot custom properties" in out
    assert "appointmentscheduled" in out and "closedwon" in out  # the stages, for the stage map
    assert env.credentials.hubspot_access_token not in out


def test_a_bad_hubspot_token_fails_saying_what_to_do(
    env: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = "pat-na1-00000000-0000-0000-0000-000000000000"
    assert main(["connect", "hubspot", "--token", bad]) == 1

    out = capsys.readouterr().out
    assert "FAIL  hubspot token" in out and "HUBSPOT_ACCESS_TOKEN" in out and "crm.objects" in out
    assert bad not in out


class _NoEmailScope(BaseHTTPRequestHandler):
    """The sandbox behind a proxy that answers emails with HubSpot's 403 for a missing scope."""

    upstream = ""

    def do_GET(self) -> None:
        if "/objects/emails" in self.path:
            status, body = (
                403,
                orjson.dumps(
                    {
                        "status": "error",
                        "message": "This app hasn't been granted all required scopes to make this call.",
                        "category": "MISSING_SCOPES",
                        "errors": [{"context": {"requiredGranularScopes": ["sales-email-read"]}}],
                    }
                ),
            )
        else:
            answer = requests.get(
                self.upstream + self.path,
                headers={"Authorization": self.headers["Authorization"]},
                timeout=10,
            )
            status, body = answer.status_code, answer.content
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_a_missing_scope_is_named(env: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    _NoEmailScope.upstream = env.base_url
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), _NoEmailScope)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        assert connect_hubspot(base_url=f"http://127.0.0.1:{proxy.server_address[1]}/hubspot") == 1
    finally:
        proxy.shutdown()
        proxy.server_close()
    assert (
        "FAIL  hubspot scopes: missing sales-email-read -> add them to the private app"
        in capsys.readouterr().out
    )


def test_xero_consent_stores_the_refresh_token_and_names_the_tenant(
    env: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "data" / "xero_token.json"

    assert connect_xero(port=0, browser=lambda url: requests.get(url, timeout=10), token_store=store) == 0

    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    tokens = orjson.loads(store.read_bytes())
    assert (tokens["token_url"], tokens["client_id"]) == (env.xero_token_url, env.credentials.xero_client_id)
    out = capsys.readouterr().out
    assert "response_type=code" in out and "redirect_uri=http%3A%2F%2F127.0.0.1%3A" in out
    assert f"export XERO_TENANT_ID={env.credentials.xero_tenant_id}" in out
    assert tokens["refresh_token"] not in out and tokens["access_token"] not in out

    # the connector picks the stored token up as a run would
    config = XeroConfig(
        client_id=env.credentials.xero_client_id,
        client_secret=env.credentials.xero_client_secret,
        refresh_token=tokens["refresh_token"],
        token_store_path=store,
        token_url=env.xero_token_url,
        connections_url=env.xero_connections_url,
    )
    client = XeroClient(config)
    try:
        assert client.tenant_id() == env.credentials.xero_tenant_id
    finally:
        client.close()


def test_xero_custom_connection_names_the_organisation_and_what_to_set(
    env: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    as_custom_connection(env, monkeypatch)
    monkeypatch.delenv("XERO_TENANT_ID")

    assert main(["connect", "xero", "--custom-connection"]) == 0

    out = capsys.readouterr().out
    assert "OK    xero custom connection: access token granted by client_credentials" in out
    organisation = f"{env.business.xero_organisation()['Name']} ({env.credentials.xero_tenant_id})"
    assert f"OK    xero organisation: {organisation}" in out
    assert "export XERO_GRANT_TYPE=client_credentials" in out
    assert f"export XERO_CLIENT_ID={env.credentials.xero_custom_client_id}" in out
    assert f"export XERO_TENANT_ID={env.credentials.xero_tenant_id}" in out
    assert env.credentials.xero_custom_client_secret not in out
    assert not (tmp_path / "data").exists()  # nothing stored


def test_xero_custom_connection_with_a_wrong_secret_fails_without_showing_it(
    env: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("XERO_CLIENT_ID", "XERO_CLIENT_SECRET"):
        monkeypatch.delenv(name)
    wrong = "not-the-connection-secret-0b6c1d2e3f4a5b6c7d8e"
    argv = ["--client-id", env.credentials.xero_custom_client_id, "--client-secret", wrong]

    assert main(["connect", "xero", "--custom-connection", *argv]) == 1

    out = capsys.readouterr().out
    assert "FAIL  xero custom connection: xero: client_credentials token request failed with HTTP 401" in out
    assert "invalid_client; check XERO_CLIENT_ID and XERO_CLIENT_SECRET" in out
    assert wrong not in out


def test_xero_custom_connection_with_the_web_app_says_it_is_not_one(
    env: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["connect", "xero", "--custom-connection"]) == 1  # the web app's XERO_CLIENT_ID/SECRET
    out = capsys.readouterr().out
    assert "unauthorized_client; the app is not a Custom Connection" in out
    assert env.credentials.xero_client_secret not in out


def test_xero_custom_connection_without_credentials_says_where_to_get_them(
    env: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("XERO_CLIENT_SECRET")
    assert main(["connect", "xero", "--custom-connection"]) == 1
    assert "FAIL  xero custom connection: no client id and secret" in capsys.readouterr().out


def test_a_redirect_with_another_state_is_refused(
    env: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def forged(url: str) -> None:
        callback = parse_qs(urlsplit(url).query)["redirect_uri"][0]
        requests.get(callback, params={"code": "stolen", "state": "not-ours"}, timeout=10)

    store = tmp_path / "xero_token.json"
    assert connect_xero(port=0, browser=forged, token_store=store) == 1
    assert "FAIL  xero authorisation" in capsys.readouterr().out
    assert not store.exists()


def test_with_several_organisations_the_user_picks_one(capsys: pytest.CaptureFixture[str]) -> None:
    found = [Organisation("t-1", "Acme Ltd"), Organisation("t-2", "Acme Holdings")]

    check, chosen = _choose(found, None, ask=lambda prompt: "2")
    assert (check.status, chosen) == (Status.OK, found[1])
    assert "1. Acme Ltd (t-1)" in capsys.readouterr().out

    assert _choose(found, "t-1", ask=lambda prompt: pytest.fail("--tenant given: no question"))[1] == found[0]
    assert _choose(found, "t-9", ask=input)[0].status is Status.FAIL
    assert _choose(found, None, ask=lambda prompt: "3")[0].status is Status.FAIL
