"""Xero's identity service as the sandbox serves it under ``/xero``.

``POST /xero/identity/connect/token`` (== ``https://identity.xero.com/connect/token``) refreshes
tokens with rotation and a grace period; ``GET /xero/connections`` (== ``https://api.xero.com/connections``;
also ``/Connections``, the identity spec's spelling, which Xero's spec-generated SDKs call) lists
the one tenant, shaped as ``xero-identity.yaml``'s ``Connection``. OAuth errors are the RFC 6749
``{"error": "..."}`` bodies Xero sends (``invalid_client``, ``unsupported_grant_type``, ``invalid_grant``).
"""

from __future__ import annotations

import base64
import binascii
import uuid
from urllib.parse import parse_qs, unquote

from connectors.sandbox.auth import SandboxCredentials, XeroTokenAuthority
from connectors.sandbox.faults import FaultKind
from connectors.sandbox.model import Business
from connectors.sandbox.routing import ApiRequest, ApiResponse, VendorApi, json_response
from connectors.sandbox.xero_api import check_bearer, problem

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


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
        if not self._tokens.client_matches(client_id, client_secret):
            return json_response(400, {"error": "invalid_client"}, _NO_STORE)
        if form.get("grant_type") != "refresh_token":
            return json_response(400, {"error": "unsupported_grant_type"}, _NO_STORE)
        grant = self._tokens.refresh(form.get("refresh_token", ""))
        if grant is None:
            return json_response(400, {"error": "invalid_grant"}, _NO_STORE)
        return json_response(200, grant.as_json(), _NO_STORE)

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
