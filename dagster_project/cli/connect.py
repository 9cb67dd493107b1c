"""``milemarker connect hubspot|xero``: a first connection to a real portal or organisation, unaided.

``connect hubspot`` checks a private-app token: accepted, every scope a run needs, the custom
properties the marts read, and the deal pipelines with their stages (what goals.yml's
``sources.hubspot.deal_stages`` must map). ``connect xero`` runs the OAuth2 consent in the
browser, stores the first refresh token where runs look for it, and names the organisation to
read; ``connect xero --custom-connection`` gets a token by ``client_credentials`` instead (a Xero
Custom Connection: no browser, nothing stored) and names the one organisation the connection
reaches. All end with exit status 0 when a run can use the connection, 1 with what to do otherwise.
"""

from __future__ import annotations

import os
import shlex
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import requests

from connectors.base import ConnectorError
from connectors.hubspot.config import HubspotConfig
from connectors.xero.auth import xero_tokens
from connectors.xero.client import READ_SCOPES as XERO_SCOPES
from connectors.xero.client import rate_limit_wait
from connectors.xero.config import CLIENT_ID_VAR, CLIENT_SECRET_VAR, GRANT_VAR, URL_VARS, XeroConfig
from dagster_project.cli import hubspot_portal as hs
from dagster_project.cli import xero_oauth
from dagster_project.cli.checks import Check, Status, report
from dagster_project.settings import xero_token_store


def connect_hubspot(token: str | None = None, base_url: str | None = None) -> int:
    """Check the token (``--token`` or ``HUBSPOT_ACCESS_TOKEN``) against the portal."""
    token = token or os.environ.get("HUBSPOT_ACCESS_TOKEN")
    if not token:
        return report(
            [
                Check(
                    Status.FAIL,
                    "hubspot token",
                    "HUBSPOT_ACCESS_TOKEN is not set",
                    "create a private app (docs/connect.md), then set HUBSPOT_ACCESS_TOKEN or pass --token",
                )
            ]
        )
    portal = hs.read_portal(
        base_url or HubspotConfig.from_env(os.environ, access_token=token).base_url, token
    )
    checks = [hs.token_check(portal)]
    if checks[0].status is Status.OK:
        checks += [hs.scope_check(portal), hs.property_check(portal)]
    status = report(checks)
    pipelines = hs.pipeline_lines(portal)
    if pipelines:
        print("      deal pipelines and stages (map them in goals.yml, sources.hubspot.deal_stages):")
        print("\n".join(pipelines))
    if status == 0:
        print(
            "Ready: set HUBSPOT_ACCESS_TOKEN in the environment of every run; `milemarker doctor` checks all."
        )
    return status


@dataclass(frozen=True)
class XeroApp:
    """The Xero app (client id and secret) and the endpoints, from the environment."""

    client_id: str
    client_secret: str = field(repr=False)
    authorize_url: str = xero_oauth.AUTHORIZE_URL
    token_url: str = XeroConfig.token_url
    connections_url: str = XeroConfig.connections_url

    @classmethod
    def from_env(cls) -> XeroApp | None:
        client_id, secret = os.environ.get(CLIENT_ID_VAR), os.environ.get(CLIENT_SECRET_VAR)
        if not (client_id and secret):
            return None
        return cls(
            client_id,
            secret,
            os.environ.get("XERO_AUTHORIZE_URL") or xero_oauth.AUTHORIZE_URL,
            os.environ.get(URL_VARS["token_url"]) or XeroConfig.token_url,
            os.environ.get(URL_VARS["connections_url"]) or XeroConfig.connections_url,
        )


def connect_xero(
    *,
    port: int = 8765,
    tenant: str | None = None,
    scopes: str = XERO_SCOPES,
    timeout: float = 300.0,
    browser: Callable[[str], object] = webbrowser.open,
    ask: Callable[[str], str] = input,
    token_store: Path | None = None,
) -> int:
    """Consent in the browser, the first refresh token stored, the organisation chosen."""
    app = XeroApp.from_env()
    if app is None:
        return report(
            [
                Check(
                    Status.FAIL,
                    "xero app",
                    "XERO_CLIENT_ID and XERO_CLIENT_SECRET are not both set",
                    "create a web app at developer.xero.com (docs/connect.md) and set both",
                )
            ]
        )
    store = token_store or xero_token_store()
    try:
        grant = _authorise(app, port, scopes, timeout, browser)
        xero_oauth.store_grant(store, app.token_url, app.client_id, grant)
        found = xero_oauth.organisations(app.connections_url, grant.access_token)
    except (ConnectorError, TimeoutError, OSError, requests.RequestException) as error:
        return report(
            [
                Check(
                    Status.FAIL, "xero authorisation", str(error), 'see docs/connect.md, "When connect fails"'
                )
            ]
        )
    stored = Check(Status.OK, "xero authorisation", f"refresh token stored in {store} (mode 0600)")
    chosen = _choose(found, tenant, ask)
    status = report([stored, chosen[0]])
    if chosen[1] is not None:
        print(
            "Set in the environment of every run (with XERO_CLIENT_ID and XERO_CLIENT_SECRET):\n"
            f"  export XERO_TENANT_ID={chosen[1].tenant_id}\n"
            "  export XERO_REFRESH_TOKEN=\"$(python3 -c 'import json,sys; "
            f'print(json.load(open(sys.argv[1]))["refresh_token"])\' {shlex.quote(str(store))})"\n'
            f"Runs keep the rotated token current in {store}: keep that file."
        )
    return status


def connect_xero_custom(
    *,
    client_id: str | None = None,
    client_secret: str | None = None,
    tenant: str | None = None,
    ask: Callable[[str], str] = input,
) -> int:
    """A Custom Connection (flags, else ``XERO_CLIENT_ID``/``SECRET``): a token, then its organisation."""
    client_id = client_id or os.environ.get(CLIENT_ID_VAR)
    client_secret = client_secret or os.environ.get(CLIENT_SECRET_VAR)
    name = "xero custom connection"
    if not (client_id and client_secret):
        todo = (
            'create one at developer.xero.com (docs/connect.md, "Xero Custom Connection"), then set '
            "XERO_CLIENT_ID and XERO_CLIENT_SECRET or pass --client-id/--client-secret"
        )
        return report([Check(Status.FAIL, name, "no client id and secret (flags or environment)", todo)])
    config = XeroConfig.from_env(
        os.environ,
        xero_token_store(),
        grant="client_credentials",
        client_id=client_id,
        client_secret=client_secret,
    )
    try:
        found = _custom_connection_organisations(config)
    except (ConnectorError, OSError, requests.RequestException) as error:
        return report([Check(Status.FAIL, name, str(error), 'see docs/connect.md, "Xero Custom Connection"')])
    granted = Check(Status.OK, name, "access token granted by client_credentials (nothing stored)")
    if not found:
        todo = "the organisation's admin must authorise the connection (Xero emails them a link)"
        return report([granted, Check(Status.FAIL, "xero organisation", "the connection reaches none", todo)])
    chosen, organisation = _choose(found, tenant, ask)
    status = report([granted, chosen])
    if organisation is not None:
        print(
            "Set in the environment of every run (no XERO_REFRESH_TOKEN: it is ignored in this mode):\n"
            f"  export {GRANT_VAR}=client_credentials\n"
            f"  export XERO_CLIENT_ID={shlex.quote(client_id)}\n"
            "  export XERO_CLIENT_SECRET=...  # the connection's secret, as given here\n"
            f"  export XERO_TENANT_ID={organisation.tenant_id}\n"
            "Each run asks Xero for its own 30-minute access token; `milemarker doctor` checks the scopes."
        )
    return status


def _custom_connection_organisations(config: XeroConfig) -> list[xero_oauth.Organisation]:
    """The organisations a token got by ``client_credentials`` may read, through the runtime's own auth."""
    tokens = xero_tokens(config, rate_limit_wait)
    try:
        return xero_oauth.organisations(config.connections_url, tokens.access_token())
    finally:
        tokens.close()


def _authorise(
    app: XeroApp, port: int, scopes: str, timeout: float, browser: Callable[[str], object]
) -> xero_oauth.Grant:
    state = xero_oauth.new_state()
    with xero_oauth.CallbackServer(port) as callback:
        url = xero_oauth.authorise_url(app.authorize_url, app.client_id, callback.redirect_uri, scopes, state)
        print(
            f"Open this address, sign in to Xero and allow access (waiting {timeout:.0f} s):\n  {url}",
            flush=True,
        )
        browser(url)
        code = xero_oauth.code_from(callback.wait(timeout), state)
        return xero_oauth.exchange_code(
            app.token_url, app.client_id, app.client_secret, code, callback.redirect_uri
        )


def _choose(
    found: list[xero_oauth.Organisation], tenant: str | None, ask: Callable[[str], str]
) -> tuple[Check, xero_oauth.Organisation | None]:
    """The organisation to read: ``--tenant``, the only one, or the user's pick from a numbered list."""
    name = "xero organisation"
    listed = ", ".join(f"{o.name} ({o.tenant_id})" for o in found)
    if not found:
        todo = "run again and tick an organisation on the consent screen"
        return Check(Status.FAIL, name, "the app is connected to no organisation", todo), None
    if tenant is not None:
        match = next((o for o in found if o.tenant_id == tenant), None)
        if match is None:
            return Check(
                Status.FAIL, name, f"{tenant} is not connected; connected: {listed}", "pick one of them"
            ), None
    elif len(found) == 1:
        match = found[0]
    else:
        for number, organisation in enumerate(found, 1):
            print(f"  {number}. {organisation.name} ({organisation.tenant_id})")
        answer = ask("Which organisation should Milemarker read? Number: ").strip()
        match = found[int(answer) - 1] if answer.isdigit() and 0 < int(answer) <= len(found) else None
        if match is None:
            return Check(Status.FAIL, name, f"no organisation numbered {answer!r}", "run again"), None
    return Check(Status.OK, name, f"{match.name} ({match.tenant_id}); connected: {listed}"), match
