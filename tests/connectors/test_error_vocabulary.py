"""Every failure a user sees says what to do: which variable, which scope, when a quota resets.

The vendors' error bodies are served as documented by a real server on 127.0.0.1; the message
must name the fix, quote the server briefly (through the redactor) and never a credential.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scripted_api import Answer, ScriptedApi, body, hubspot_routes, serve, xero_config, xero_routes

from connectors.base import AuthenticationError, ConnectorError, RateLimitExhausted, Stream
from connectors.http import HttpSettings
from connectors.hubspot import HubspotConfig, hubspot_streams
from connectors.xero import xero_streams

OWNERS = ("GET", "/crm/v3/owners")
RATES = ("GET", "/settings/v3/currencies/exchange-rates")
INVOICES = ("GET", "/api.xro/2.0/Invoices")
TOKEN = "pat-na1-11111111-2222-3333-4444-555555555555"

MISSING_SCOPES = {
    "status": "error",
    "message": "This app hasn't been granted all required scopes to make this call.",
    "correlationId": "4f4a3c2e-0000-4000-8000-000000000000",
    "errors": [
        {
            "message": "One or more of the following scopes are required.",
            "context": {"requiredGranularScopes": ["crm.objects.owners.read"]},
        }
    ],
    "category": "MISSING_SCOPES",
}
DAILY = {
    "status": "error",
    "message": "You have reached your daily limit.",
    "errorType": "RATE_LIMIT",
    "policyName": "DAILY",
}


def hubspot_owners_error(answer: Answer, settings: HttpSettings) -> ConnectorError:
    """Read the owners stream against ``answer``; return what it raised."""
    routes = hubspot_routes()
    routes[OWNERS] = answer
    with serve(routes) as api:
        config = HubspotConfig(access_token=TOKEN, base_url=api.base_url, http=settings)
        stream = next(s for s in hubspot_streams(config) if s.name == "owners")
        with pytest.raises(ConnectorError) as raised:
            list(stream.read(None))
    return raised.value


def test_hubspot_exchange_rates_403_lands_nothing_and_says_why(
    fast_http: HttpSettings, caplog: pytest.LogCaptureFixture
) -> None:
    """Exchange rates are optional: a portal that refuses them must not fail the HubSpot run."""
    scopes = {"requiredGranularScopes": ["settings.currencies.read"]}
    denied = dict(MISSING_SCOPES, errors=[{"context": scopes}])
    routes = hubspot_routes()
    routes[RATES] = body(denied, 403)
    with serve(routes) as api:
        config = HubspotConfig(access_token=TOKEN, base_url=api.base_url, http=fast_http)
        stream = next(s for s in hubspot_streams(config) if s.name == "exchange_rates")
        reading = stream.read(None)
        with pytest.raises(StopIteration) as finished:
            next(reading)
    reason = finished.value.value["unavailable"]
    assert reason.startswith("HTTP 403") and "settings.currencies.read" in reason and "Xero" in reason
    assert reason in caplog.text


def test_hubspot_401_names_the_variable_and_the_scopes(fast_http: HttpSettings) -> None:
    answer = body(
        {
            "status": "error",
            "message": "Authentication credentials not found.",
            "category": "INVALID_AUTHENTICATION",
        },
        401,
    )
    error = hubspot_owners_error(answer, fast_http)
    assert isinstance(error, AuthenticationError)
    text = str(error)
    said = "Authentication credentials not found. (INVALID_AUTHENTICATION)"
    assert text.startswith(f"hubspot GET /crm/v3/owners: HTTP 401: {said}. ")
    assert "Set HUBSPOT_ACCESS_TOKEN" in text and "crm.objects.{contacts,companies,deals,owners}.read" in text
    assert TOKEN not in text


def test_hubspot_403_names_the_missing_scope(fast_http: HttpSettings) -> None:
    error = hubspot_owners_error(body(MISSING_SCOPES, 403), fast_http)
    assert isinstance(error, AuthenticationError)
    assert str(error).endswith(
        "The private app lacks the scope(s) crm.objects.owners.read: add them to the app in HubSpot, "
        "then run again"
    )


def test_hubspot_daily_429_says_when_the_quota_resets(fast_http: HttpSettings, virtual_time) -> None:
    error = hubspot_owners_error(body(DAILY, 429), fast_http)
    assert isinstance(error, RateLimitExhausted)
    assert "resets at midnight in the portal's time zone" in str(error)
    assert "You have reached your daily limit." in str(error)
    assert not virtual_time.sleeps


def xero_invoices(api: ScriptedApi, settings: HttpSettings, tmp_path: Path) -> Stream:
    secrets = {"client_secret": "secret-value", "refresh_token": "refresh-value"}
    config = xero_config(api, tmp_path / "xero_token.json", settings, **secrets)
    return next(s for s in xero_streams(config) if s.name == "invoices")


def xero_error(answer: Answer, settings: HttpSettings, tmp_path: Path) -> ConnectorError:
    routes = xero_routes()
    routes[INVOICES] = answer
    with serve(routes) as api, pytest.raises(ConnectorError) as raised:
        list(xero_invoices(api, settings, tmp_path).read(None))
    return raised.value


XERO_401 = {"Type": None, "Title": "Unauthorized", "Status": 401, "Detail": "AuthenticationUnsuccessful"}
XERO_403 = {"Type": None, "Title": "Forbidden", "Status": 403, "Detail": "AuthorizationUnsuccessful"}


@pytest.mark.parametrize(
    ("status", "payload", "says"),
    [
        (401, XERO_401, "check XERO_CLIENT_ID, XERO_CLIENT_SECRET and XERO_REFRESH_TOKEN"),
        (403, XERO_403, "re-authorise it with the scopes offline_access accounting.transactions.read"),
    ],
)
def test_xero_rejections_name_the_variables_and_scopes(
    fast_http: HttpSettings, tmp_path: Path, status: int, payload: Any, says: str
) -> None:
    error = xero_error(body(payload, status), fast_http, tmp_path)
    assert isinstance(error, AuthenticationError)
    text = str(error)
    assert text.startswith(f"xero GET /api.xro/2.0/Invoices: HTTP {status}: {payload['Detail']}")
    assert says in text
    assert "secret-value" not in text and "refresh-value" not in text


def test_xero_day_limit_says_when_it_resets(fast_http: HttpSettings, tmp_path: Path, virtual_time) -> None:
    day = {"Retry-After": "7200", "X-Rate-Limit-Problem": "day"}
    error = xero_error(lambda r: (429, {"Title": "Too Many Requests"}, day), fast_http, tmp_path)
    assert isinstance(error, RateLimitExhausted)
    assert "it resets in about 2.0 h (Retry-After)" in str(error)
    assert not virtual_time.sleeps
