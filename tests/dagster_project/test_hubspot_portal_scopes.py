"""``hubspot scopes``: a missing optional scope (exchange rates) warns, a missing required one fails."""

from __future__ import annotations

import json

import requests

from dagster_project.cli.checks import Status
from dagster_project.cli.hubspot_portal import PROBES, Portal, scope_check

RATES = "/settings/v3/currencies/exchange-rates"


def answer(status: int, scopes: list[str] | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    body = {"status": "error", "errors": [{"context": {"requiredGranularScopes": scopes}}]} if scopes else {}
    response._content = json.dumps(body).encode()
    return response


def portal(denied: dict[str, list[str]]) -> Portal:
    """Every probe answers 200 except the paths given, which answer 403 naming their scopes."""
    answers = {path: answer(200) for path, _, _ in PROBES}
    for path, scopes in denied.items():
        answers[path] = answer(403, scopes)
    return Portal("http://hubspot.test", "token", answers)


def test_without_the_exchange_rates_scope_a_run_still_works() -> None:
    check = scope_check(portal({RATES: ["settings.currencies.read"]}))
    assert check.status is Status.WARN
    assert "optional settings.currencies.read missing" in check.found and "Xero" in check.found


def test_a_missing_required_scope_still_fails_and_names_only_it() -> None:
    denied = {RATES: ["settings.currencies.read"], "/crm/v3/owners": ["crm.objects.owners.read"]}
    check = scope_check(portal(denied))
    assert check.status is Status.FAIL
    assert check.found == "missing crm.objects.owners.read"
