"""The sandbox's Xero consent screen and the ``authorization_code`` grant (RFC 6749 4.1).

``GET /identity/connect/authorize`` redirects at once, as if the user had clicked "Allow access";
the code it hands out buys one token set, once, within 5 minutes, for the same redirect URI.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests
from fake_clock import FakeClock

from sandbox.service.auth import XERO_SCOPES
from sandbox.service.server import Sandbox

REDIRECT = "http://127.0.0.1:8765/callback"


def _authorize(sb: Sandbox, **overrides: str) -> requests.Response:
    query = {
        "response_type": "code",
        "client_id": sb.credentials.xero_client_id,
        "redirect_uri": REDIRECT,
        "scope": XERO_SCOPES,
        "state": "s-1",
        **overrides,
    }
    return requests.get(sb.xero_authorize_url, params=query, allow_redirects=False, timeout=10)


def _redirected(response: requests.Response) -> dict[str, str]:
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    return {k: v[-1] for k, v in parse_qs(location.query).items()}


def _exchange(sb: Sandbox, code: str, redirect_uri: str = REDIRECT) -> requests.Response:
    credentials = sb.credentials
    return requests.post(
        sb.xero_token_url,
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri},
        auth=(credentials.xero_client_id, credentials.xero_client_secret),
        timeout=10,
    )


def test_a_code_buys_one_token_set_once(sb: Sandbox) -> None:
    params = _redirected(_authorize(sb))
    assert params["state"] == "s-1"

    grant = _exchange(sb, params["code"])
    assert grant.status_code == 200
    body = grant.json()
    assert body["refresh_token"] and body["access_token"] and body["expires_in"] == 1800
    connections = requests.get(
        sb.xero_connections_url, headers={"Authorization": f"Bearer {body['access_token']}"}, timeout=10
    )
    assert connections.json()[0]["tenantId"] == sb.credentials.xero_tenant_id

    assert _exchange(sb, params["code"]).json() == {"error": "invalid_grant"}  # used already

    credentials = sb.credentials
    rotated = requests.post(
        sb.xero_token_url,
        data={"grant_type": "refresh_token", "refresh_token": body["refresh_token"]},
        auth=(credentials.xero_client_id, credentials.xero_client_secret),
        timeout=10,
    ).json()
    assert rotated["refresh_token"] not in ("", body["refresh_token"])  # the first refresh token rotates


def test_a_code_is_bound_to_its_redirect_uri_and_expires(sb: Sandbox, token_clock: FakeClock) -> None:
    assert (
        _exchange(sb, _redirected(_authorize(sb))["code"], "http://127.0.0.1:9/callback").status_code == 400
    )
    code = _redirected(_authorize(sb))["code"]
    token_clock.advance(301)
    assert _exchange(sb, code).json() == {"error": "invalid_grant"}


def test_bad_requests_are_refused_or_sent_back_with_an_error(sb: Sandbox) -> None:
    assert _authorize(sb, client_id="someone-else").status_code == 400
    assert _authorize(sb, redirect_uri="https://evil.example/callback").status_code == 400
    assert _redirected(_authorize(sb, response_type="token"))["error"] == "unsupported_response_type"
    assert _redirected(_authorize(sb, scope="accounting.transactions"))["error"] == "invalid_scope"
