"""Xero's identity service as the sandbox serves it under ``/xero``.

``GET /xero/identity/connect/authorize`` (== ``https://login.xero.com/identity/connect/authorize``)
is the consent screen with the user's "Allow access" already clicked: it redirects to the
``redirect_uri`` with a one-time ``code`` and the ``state``, so the authorisation-code flow runs end to
end without a browser. Having no app registry, the sandbox accepts any loopback ``http`` redirect URI
(``127.0.0.1`` or ``localhost``) for its web app. ``POST /xero/identity/connect/token``
(== ``https://identity.xero.com/connect/token``) exchanges that code (``authorization_code``) and
refreshes tokens with rotation and a grace period (``refresh_token``) for the web app, and gives the
sandbox's Custom Connection (a second client) 30-minute access tokens without a refresh token
(``client_credentials``); either app asking for the other's grant gets ``unauthorized_client``,
and a wrong ``client_credentials`` secret a 401 ``invalid_client``. ``GET /xero/connections``
(== ``https://api.xero.com/connections``; also ``/Connections``, the identity spec's spelling, which
Xero's spec-generated SDKs call) lists the one tenant to either app's tokens, shaped as
``xero-identity.yaml``'s ``Connection``. OAuth errors are the RFC 6749 ``{"error": "..."}`` bodies
Xero sends (``invalid_client``, ``unauthorized_client``, ``unsupported_grant_type``,
``invalid_grant``).
"""

from __future__ import annotations

import base64
import binascii
import uuid
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from sandbox.service.auth import (
    XERO_SCOPES,
    SandboxCredentials,
    TokenGrant,
    XeroClient,
    XeroTokenAuthority,
    secrets_equal,
)
from sandbox.service.faults import FaultKind
from sandbox.service.routing import ApiRequest, ApiResponse, VendorApi, json_response
from sandbox.simulation.model import Business
from sandbox.xero.api import check_bearer, problem

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_GRANTS = {
    "client_credentials": XeroClient.CUSTOM_CONNECTION,
    "refresh_token": XeroClient.WEB_APP,
    "authorization_code": XeroClient.WEB_APP,
}
"""The one app that may use each grant."""


class XeroIdentityApi(VendorApi):
    name = "xero-identity"
    prefix = "/xero"

    def __init__(
        self, business: Business, credentials: SandboxCredentials, tokens: XeroTokenAuthority
    ) -> None:
        super().__init__()
        self.business = business
        self._credentials = credentials
        self._tokens = tokens
        self.router.add("GET", "/identity/connect/authorize", self.authorize)
        self.router.add("POST", "/identity/connect/token", self.token)
        self.router.add("GET", "/connections", self.connections)
        self.router.add("GET", "/Connections", self.connections)  # the identity spec's spelling

    def not_found(self, request: ApiRequest) -> ApiResponse:
        return ApiResponse(404, b"Not Found", "text/plain; charset=utf-8")

    def fault_response(self, kind: FaultKind, request: ApiRequest) -> ApiResponse:
        if kind in (FaultKind.RATE_LIMIT, FaultKind.RATE_LIMIT_NO_RETRY_AFTER, FaultKind.DAILY_LIMIT):
            return problem(request, 429, "Too Many Requests", "Rate limit exceeded")
        if kind == FaultKind.TOKEN_EXPIRED:
            self._tokens.revoke_access_tokens()
        return json_response(500, {"error": "server_error"})

    def token(self, request: ApiRequest) -> ApiResponse:
        form = {k: v[-1] for k, v in parse_qs(request.body.decode("utf-8", "replace")).items()}
        client_id, client_secret = _basic_credentials(request) or (
            form.get("client_id", ""),
            form.get("client_secret", ""),
        )
        grant_type = form.get("grant_type")
        client = self._tokens.client(client_id, client_secret)
        if client is None:
            status = 401 if grant_type == "client_credentials" else 400
            return json_response(status, {"error": "invalid_client"}, _NO_STORE)
        if _GRANTS.get(grant_type or "", client) is not client:
            return json_response(400, {"error": "unauthorized_client"}, _NO_STORE)
        grant: TokenGrant | None
        if grant_type == "client_credentials":
            grant = self._tokens.client_credentials()
        elif grant_type == "refresh_token":
            grant = self._tokens.refresh(form.get("refresh_token", ""))
        elif grant_type == "authorization_code":
            grant = self._tokens.redeem(form.get("code", ""), form.get("redirect_uri", ""))
        else:
            return json_response(400, {"error": "unsupported_grant_type"}, _NO_STORE)
        if grant is None:
            return json_response(400, {"error": "invalid_grant"}, _NO_STORE)
        return json_response(200, grant.as_json(), _NO_STORE)

    def authorize(self, request: ApiRequest) -> ApiResponse:
        """Consent granted at once: ``302`` to ``redirect_uri`` with ``code`` and ``state``.

        An unknown client or a redirect URI that is not loopback gets an error page (as Xero shows
        one rather than redirect to an unregistered URI); a bad ``response_type`` or a scope the
        sandbox does not grant goes back to the app as ``error=...`` (RFC 6749 4.1.2.1).
        """
        redirect_uri = request.arg("redirect_uri") or ""
        target = urlsplit(redirect_uri)
        if not (
            secrets_equal(request.arg("client_id") or "", self._credentials.xero_client_id)
            and target.scheme == "http"
            and target.hostname in ("127.0.0.1", "localhost")
        ):
            return ApiResponse(
                400, b"<html><body><h1>Error: unauthorized_client</h1></body></html>", "text/html"
            )
        state = {"state": request.arg("state")} if request.arg("state") is not None else {}
        if request.arg("response_type") != "code":
            return _redirect(redirect_uri, {"error": "unsupported_response_type", **state})
        if not set((request.arg("scope") or "").split()) <= set(XERO_SCOPES.split()):
            return _redirect(redirect_uri, {"error": "invalid_scope", **state})
        return _redirect(redirect_uri, {"code": self._tokens.authorisation_code(redirect_uri), **state})

    def connections(self, request: ApiRequest) -> ApiResponse:
        denied = check_bearer(request, self._tokens)
        if denied is not None:
            return denied
        tenant_id = self._credentials.xero_tenant_id
        stamp = self.business.now.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0"
        connection = {
            "id": str(uuid.uuid5(uuid.UUID(tenant_id), "connection")),
            "authEventId": str(uuid.uuid5(uuid.UUID(tenant_id), "auth-event")),
            "tenantId": tenant_id,
            "tenantType": "ORGANISATION",
            "tenantName": self.business.xero_organisation().get("Name", "Sandbox Organisation"),
            "createdDateUtc": stamp,
            "updatedDateUtc": stamp,
        }
        return json_response(200, [connection])


def _redirect(redirect_uri: str, params: dict[str, str]) -> ApiResponse:
    separator = "&" if "?" in redirect_uri else "?"
    location = f"{redirect_uri}{separator}{urlencode(params)}"
    return ApiResponse(302, b"", "text/html", {"Location": location, **_NO_STORE})


def _basic_credentials(request: ApiRequest) -> tuple[str, str] | None:
    scheme, _, encoded = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, _, secret = decoded.partition(":")
    return unquote(client_id), unquote(secret)
