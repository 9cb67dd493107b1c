"""Credentials the sandbox accepts, and Xero's OAuth2 token life cycle.

Every secret is derived from the seed, so a test, the CLI and a Dagster run started with the same
seed agree on them without a shared file, and no token literal sits in the code. They are throwaway
values that only open this local simulator.

Token time runs on an injectable clock (monotonic seconds), never on the business clock: the
business jumps by days on ``advance`` while a connector run lasts minutes, and tests need to step
through the 30-minute expiry and grace windows without sleeping.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

Clock = Callable[[], float]

ACCESS_TOKEN_SECONDS = 1800
"""Xero access tokens live 30 minutes (``expires_in: 1800``)."""

REFRESH_GRACE_SECONDS = 1800
"""A rotated refresh token keeps working for 30 minutes, then ``invalid_grant``."""

UNUSED_REFRESH_TOKEN_SECONDS = 60 * 86400
"""A refresh token nobody uses expires after 60 days."""

AUTHORISATION_CODE_SECONDS = 300
"""An authorisation code must be exchanged within 5 minutes, and only once."""

XERO_SCOPES = (
    "offline_access accounting.transactions.read accounting.contacts.read "
    "accounting.settings.read accounting.journals.read accounting.reports.read"
)
CUSTOM_CONNECTION_SCOPES = XERO_SCOPES.removeprefix("offline_access ")
"""What the sandbox's Custom Connection was created with: no ``offline_access`` (no refresh token)."""

_REMEMBER_EXPIRED = 86400.0
"""How long an expired access token is still recognised (``TokenExpired`` rather than unknown)."""

_NAMESPACE = uuid.UUID("6f1c1f55-2d1e-4a43-9c43-6b5b1d1f0a11")


def _derive(seed: int, label: str) -> str:
    """A stable 64-hex-digit secret for ``label`` under ``seed``."""
    return hashlib.sha256(f"milemarker-sandbox:{seed}:{label}".encode()).hexdigest()


@dataclass(frozen=True)
class SandboxCredentials:
    """What a connector needs to talk to the sandbox; printed by the CLI as env-var lines.

    ``xero_custom_*`` is a second Xero app, a Custom Connection to the same organisation: it alone
    may use ``client_credentials``, as on Xero, where the web app cannot (empty: the sandbox has none).
    """

    hubspot_access_token: str
    xero_client_id: str
    xero_client_secret: str
    xero_refresh_token: str
    xero_tenant_id: str
    xero_custom_client_id: str = ""
    xero_custom_client_secret: str = ""
    connectwise_company_id: str = ""
    connectwise_public_key: str = ""
    connectwise_private_key: str = ""
    connectwise_client_id: str = ""

    @classmethod
    def for_seed(cls, seed: int) -> SandboxCredentials:
        return cls(
            hubspot_access_token=f"pat-sandbox-{uuid.uuid5(_NAMESPACE, f'hubspot:{seed}')}",
            xero_client_id=_derive(seed, "xero-client-id")[:32].upper(),
            xero_client_secret=_derive(seed, "xero-client-secret")[:48],
            xero_refresh_token=_derive(seed, "xero-refresh-token:0"),
            xero_tenant_id=str(uuid.uuid5(_NAMESPACE, f"xero-tenant:{seed}")),
            xero_custom_client_id=_derive(seed, "xero-custom-client-id")[:32].upper(),
            xero_custom_client_secret=_derive(seed, "xero-custom-client-secret")[:48],
            connectwise_company_id=f"msp{seed}",
            connectwise_public_key=_derive(seed, "connectwise-public-key")[:16],
            connectwise_private_key=_derive(seed, "connectwise-private-key")[:16],
            connectwise_client_id=str(uuid.uuid5(_NAMESPACE, f"connectwise-client:{seed}")),
        )

    def __repr__(self) -> str:  # never let a secret reach a log line through repr()
        return f"SandboxCredentials(xero_tenant_id={self.xero_tenant_id!r}, secrets=<redacted>)"


def secrets_equal(given: str, expected: str) -> bool:
    """Constant-time comparison, as a real token check would do."""
    return hmac.compare_digest(given.encode(), expected.encode())


class XeroClient(Enum):
    """Which of the sandbox's two Xero apps authenticated at the token endpoint."""

    WEB_APP = "web app"
    CUSTOM_CONNECTION = "custom connection"


class AccessCheck(Enum):
    VALID = "valid"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class TokenGrant:
    """The body of a successful ``POST /connect/token``."""

    access_token: str
    refresh_token: str | None
    """``None`` for ``client_credentials``: Xero sends no refresh token then."""
    expires_in: int = ACCESS_TOKEN_SECONDS
    token_type: str = "Bearer"
    scope: str = XERO_SCOPES

    def as_json(self) -> dict[str, object]:
        refresh = {} if self.refresh_token is None else {"refresh_token": self.refresh_token}
        return {
            "access_token": self.access_token,
            "expires_in": self.expires_in,
            "token_type": self.token_type,
            **refresh,
            "scope": self.scope,
        }


class XeroTokenAuthority:
    """Issues, rotates, expires and revokes Xero tokens like identity.xero.com.

    Each refresh returns a new refresh token; the one just used stays valid for the grace period
    (so a worker that crashed before persisting the new token can retry), then fails with
    ``invalid_grant``. Issued tokens are derived from the client secret and a counter: two sandboxes
    with the same seed issue the same sequence, which keeps their responses byte-identical.
    """

    def __init__(self, credentials: SandboxCredentials, clock: Clock) -> None:
        self._credentials = credentials
        self._clock = clock
        self._lock = threading.Lock()
        self._issued = 0
        self._refresh_deadline: dict[str, float] = {
            credentials.xero_refresh_token: clock() + UNUSED_REFRESH_TOKEN_SECONDS
        }
        self._access_expiry: dict[str, float] = {}
        self._codes: dict[str, tuple[str, float]] = {}
        self._codes_issued = 0

    def client(self, client_id: str, client_secret: str) -> XeroClient | None:
        """The app these credentials authenticate, or ``None`` (``invalid_client``)."""
        credentials = self._credentials
        apps = (
            (XeroClient.WEB_APP, credentials.xero_client_id, credentials.xero_client_secret),
            (
                XeroClient.CUSTOM_CONNECTION,
                credentials.xero_custom_client_id,
                credentials.xero_custom_client_secret,
            ),
        )
        for kind, known_id, known_secret in apps:
            if known_id and secrets_equal(client_id, known_id) and secrets_equal(client_secret, known_secret):
                return kind
        return None

    def client_credentials(self) -> TokenGrant:
        """An access token for the Custom Connection: 30 minutes, no refresh token."""
        with self._lock:
            now = self._clock()
            self._prune(now)
            token = self._new_access_token(now)
            return TokenGrant(access_token=token, refresh_token=None, scope=CUSTOM_CONNECTION_SCOPES)

    def refresh(self, refresh_token: str) -> TokenGrant | None:
        """Rotate ``refresh_token``; ``None`` means ``invalid_grant`` (unknown, expired or past grace)."""
        with self._lock:
            now = self._clock()
            self._prune(now)
            deadline = self._refresh_deadline.get(refresh_token)
            if deadline is None or now >= deadline:
                return None
            self._refresh_deadline[refresh_token] = min(deadline, now + REFRESH_GRACE_SECONDS)
            return self._issue(now)

    def authorisation_code(self, redirect_uri: str) -> str:
        """A one-time code for ``redirect_uri``, as the consent screen hands out (valid 5 minutes)."""
        with self._lock:
            self._codes_issued += 1
            code = _derive_token(self._credentials.xero_client_secret, "code", self._codes_issued)
            self._codes[code] = (redirect_uri, self._clock() + AUTHORISATION_CODE_SECONDS)
            return code

    def redeem(self, code: str, redirect_uri: str) -> TokenGrant | None:
        """Spend ``code`` for a first token set; ``None`` (``invalid_grant``) when unknown, used, expired
        or sent with another ``redirect_uri`` than it was issued for."""
        with self._lock:
            issued = self._codes.pop(code, None)
            now = self._clock()
            if issued is None or issued[0] != redirect_uri or now >= issued[1]:
                return None
            return self._issue(now)

    def _issue(self, now: float) -> TokenGrant:
        """A new access and refresh token (caller holds the lock)."""
        access_token = self._new_access_token(now)
        refresh_token = _derive_token(self._credentials.xero_client_secret, "refresh", self._issued)
        self._refresh_deadline[refresh_token] = now + UNUSED_REFRESH_TOKEN_SECONDS
        return TokenGrant(access_token=access_token, refresh_token=refresh_token)

    def _new_access_token(self, now: float) -> str:
        """The next access token in the sequence, valid 30 minutes (caller holds the lock)."""
        self._issued += 1
        token = _derive_token(self._credentials.xero_client_secret, "access", self._issued)
        self._access_expiry[token] = now + ACCESS_TOKEN_SECONDS
        return token

    def check_access(self, token: str) -> AccessCheck:
        with self._lock:
            expiry = self._access_expiry.get(token)
            if expiry is None:
                return AccessCheck.UNKNOWN
            return AccessCheck.VALID if self._clock() < expiry else AccessCheck.EXPIRED

    def revoke_access_tokens(self) -> int:
        """Expire every live access token now (the "token died mid-run" fault); returns how many."""
        with self._lock:
            now = self._clock()
            live = [token for token, expiry in self._access_expiry.items() if expiry > now]
            for token in live:
                self._access_expiry[token] = now
            return len(live)

    def _prune(self, now: float) -> None:
        """Forget tokens long dead so a long-running sandbox does not grow without bound."""
        self._access_expiry = {t: e for t, e in self._access_expiry.items() if e > now - _REMEMBER_EXPIRED}
        self._refresh_deadline = {t: d for t, d in self._refresh_deadline.items() if d > now}
        self._codes = {code: issued for code, issued in self._codes.items() if issued[1] > now}


def _derive_token(secret: str, kind: str, counter: int) -> str:
    return hmac.new(secret.encode(), f"{kind}:{counter}".encode(), hashlib.sha256).hexdigest()
