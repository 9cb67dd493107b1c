"""What a Xero organisation offers Milemarker: the connection, scopes, budget, tracking, currency.

Read through the connector's own client (:class:`connectors.xero.client.XeroClient`), so the check
refreshes and stores the rotating token exactly as a run does. Each accounting endpoint a run reads
is read once (one record where it pages); a 403 there is a scope the app was not authorised with.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import requests

from connectors.base import ConnectorError
from connectors.http import HttpSettings
from connectors.xero.client import DATA_SCOPES, READ_SCOPES, XeroClient
from connectors.xero.config import XeroConfig
from connectors.xero.reports import PATH as REPORT_PATH
from connectors.xero.tables import ENDPOINTS
from dagster_project.cli.checks import Check, Status
from dagster_project.config.source_settings import load_source_settings
from dagster_project.settings import goals_file_path

SETTINGS = frozenset({"Organisation", "Accounts", "Items", "TrackingCategories", "Currencies"})
PROBES: tuple[tuple[str, Mapping[str, str]], ...] = (
    ("Organisation", {}),
    *((e.path, {"page": "1", "pageSize": "1"} if e.paged else {}) for e in ENDPOINTS),
    (REPORT_PATH, {}),
)
"""``(endpoint, query)``: the organisation and every endpoint a run reads (one record where it pages)."""


def scope_of(endpoint: str) -> str:
    """The broad read scope an endpoint needs (an app on Xero's granular scopes needs the endpoint's)."""
    if endpoint in SETTINGS:
        return "accounting.settings.read"
    if endpoint == "Journals":
        return "accounting.journals.read"
    if endpoint.startswith("Reports/"):
        return "accounting.reports.read"
    return "accounting.contacts.read" if endpoint == "Contacts" else "accounting.transactions.read"


QUICK = HttpSettings(read_timeout=20.0, retries=1, read_retries=0, rate_limit_retries=1, body_retries=1)
"""Someone waits at the prompt: one retry, not a run's patience."""


def tracking_category_names() -> tuple[str, ...]:
    """The tracking categories the marts read, as goals.yml's ``sources.xero`` names them."""
    categories = load_source_settings(goals_file_path()).xero.tracking_categories
    return (categories.service_line, categories.client)


def xero_checks(config: XeroConfig, home_currency: str) -> list[Check]:
    """Connection, scopes, rate budget, tracking categories and base currency, one check each."""
    client = XeroClient(dataclasses.replace(config, http=QUICK))
    try:
        tenant = client.tenant_id()
        answers: dict[str, tuple[requests.Response, Any]] = {}
        for endpoint, params in PROBES:
            answers[endpoint] = client.http.request(
                "GET",
                f"{config.api_url.rstrip('/')}/{endpoint}",
                params=params,
                headers={"xero-tenant-id": tenant, "Accept": "application/json"},
                accept=(200, 403),
            )
    except ConnectorError as error:
        return [Check(Status.FAIL, "xero connection", str(error), f"run `{connect_command(config)}`")]
    finally:
        client.close()
    organisation = _first(answers["Organisation"][1], "Organisations")
    name = organisation.get("Name", "(no access to its name)")
    return [
        Check(Status.OK, "xero connection", f"{name} ({tenant})"),
        _scope_check(answers, config),
        _rate_limit_check(answers["Invoices"][0]),
        _tracking_check(answers["TrackingCategories"][1]),
        _currency_check(organisation, home_currency),
    ]


def _first(body: Any, collection: str) -> dict[str, Any]:
    items = body.get(collection) if isinstance(body, dict) else None
    return items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else {}


def connect_command(config: XeroConfig) -> str:
    """The ``milemarker connect`` invocation that sets up ``config``'s kind of connection."""
    return "milemarker connect xero" + ("" if config.uses_refresh_token else " --custom-connection")


def _scope_check(answers: Mapping[str, tuple[requests.Response, Any]], config: XeroConfig) -> Check:
    denied = [endpoint for endpoint, _ in PROBES if answers[endpoint][0].status_code == 403]
    if denied:
        todo = (
            f"run `milemarker connect xero` again (it asks for {READ_SCOPES})"
            if config.uses_refresh_token
            else f"give the Custom Connection the scopes {DATA_SCOPES} at developer.xero.com"
        )
        return Check(
            Status.FAIL,
            "xero scopes",
            "403 from " + ", ".join(f"{endpoint} ({scope_of(endpoint)})" for endpoint in denied),
            todo,
        )
    return Check(Status.OK, "xero scopes", f"all {len(PROBES)} endpoints answer")


def _rate_limit_check(response: requests.Response) -> Check:
    day, minute = response.headers.get("X-DayLimit-Remaining"), response.headers.get("X-MinLimit-Remaining")
    name = "xero rate limit"
    if not (day and day.isdigit()):
        return Check(Status.WARN, name, "no X-DayLimit-Remaining header", "headroom unknown")
    found = f"{int(day):,} of 5,000 daily calls left" + (f", {minute} this minute" if minute else "")
    if int(day) < 500:
        return Check(Status.WARN, name, found, "a full first load may stop on the daily limit; run tomorrow")
    return Check(Status.OK, name, found)


def _tracking_check(body: Any) -> Check:
    categories = body.get("TrackingCategories") if isinstance(body, dict) else None
    present = {
        c.get("Name") for c in categories or () if isinstance(c, dict) and c.get("Status") != "ARCHIVED"
    }
    missing = [f'"{n}"' for n in tracking_category_names() if n not in present]
    name = "xero tracking categories"
    if missing:
        return Check(
            Status.WARN,
            name,
            f"no {', '.join(missing)} category (has: {', '.join(sorted(map(str, present))) or 'none'})",
            "create it in Xero (Accounting > Advanced > Tracking categories) or name yours in goals.yml "
            "(sources.xero.tracking_categories: service_line, client); "
            "until then the marts leave service line and client tracking empty (null)",
        )
    return Check(Status.OK, name, ", ".join(f'"{n}"' for n in tracking_category_names()) + " present")


def _currency_check(organisation: Mapping[str, Any], home: str) -> Check:
    base = organisation.get("BaseCurrency")
    name = "xero base currency"
    if base != home:
        return Check(
            Status.WARN,
            name,
            f"{base or 'unknown'}, but goals.yml says {home}",
            f"set organisation.currency in goals.yml to {base}" if base else "check the settings scope",
        )
    return Check(Status.OK, name, f"{base}, as goals.yml")
