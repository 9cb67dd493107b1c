"""Xero OAuth2: access tokens handed out single-flight, from one of Xero's two grants.

**Custom Connections** (``XeroConfig.grant == "client_credentials"``) ask the token endpoint for an
access token with the client id and secret alone, whenever the current one is within
``refresh_margin`` of expiry or the API answers 401. Nothing goes to disk: there is no refresh
token to lose, a new access token costs one call to the identity server, and every process may
hold its own token at once (Xero issues a new one per request), so a store would only add a file
holding a secret for no saving worth having. Refusals name what to fix: ``invalid_client`` (wrong
id or secret), ``unauthorized_client`` (the app is not a Custom Connection).

**Apps on the authorisation-code flow** (``"refresh_token"``) keep a rotating refresh token in a
small store file. Every refresh returns a *new* refresh token and the old one dies after a
30-minute grace, so:

* the new token set is written to the store **before** the new access token is used (temp file,
  fsync, ``os.replace``; mode 0600), so a crash can never leave only a dead token on disk. A
  process killed after the grant but before the rename leaves the previous token in the store,
  still inside its 30-minute grace, so the next run within that window refreshes normally (later,
  Xero answers ``invalid_grant`` and the app must be re-authorised: nothing on disk could help);
* refreshing happens under an exclusive ``fcntl.flock`` on ``<store>.lock``, and the store is
  re-read after taking the lock: a process that waited adopts what the winner wrote instead of
  spending the (now rotated) token a second time — the classic ``invalid_grant`` race. The kernel
  drops the lock of a process that dies, so a crash mid-refresh never blocks the next run;
* access tokens are refreshed ``refresh_margin`` before they expire, and once more on a 401;
* the store records the token URL and client id it was written for; a store from another issuer
  (an old sandbox, another app) is ignored in favour of the configured refresh token.

Nothing here logs or raises with a token in the message: what the token endpoint says goes through
:func:`connectors.redaction.excerpt`, told every secret in play, since an endpoint (or a proxy)
may echo the form it was sent.
"""

from __future__ import annotations

import fcntl
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import orjson
import requests

from connectors.base import AuthenticationError
from connectors.http import HttpClient, RateLimitPolicy, describe
from connectors.redaction import excerpt
from connectors.xero.config import GRANT_VAR, Grant, XeroConfig

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TokenSet:
    """What the store holds for one (token URL, client id)."""

    token_url: str
    client_id: str
    refresh_token: str = field(repr=False)
    access_token: str = field(default="", repr=False)
    expires_at: float = 0.0
    """Epoch seconds (local clock) at which ``access_token`` expires."""


class TokenStore:
    """The JSON file holding the current token set; atomic writes, cross-process lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock_path = path.with_name(path.name + ".lock")

    def load(self, token_url: str, client_id: str) -> TokenSet | None:
        """The stored set if it belongs to this issuer and client, else ``None``."""
        try:
            data = orjson.loads(self.path.read_bytes())
            stored = TokenSet(**data)
        except FileNotFoundError:
            return None
        except (orjson.JSONDecodeError, TypeError):
            log.warning("xero token store %s is unreadable; using the configured refresh token", self.path)
            return None
        if (stored.token_url, stored.client_id) != (token_url, client_id):
            log.info("xero token store %s was written for another issuer or client; ignoring it", self.path)
            return None
        return stored

    def save(self, tokens: TokenSet) -> None:
        """Replace the store atomically: readers see the old file or the new one, never half.

        Callers hold :meth:`locked`, so any temporary file already there was left by a writer that
        died before its rename; it holds a secret and is removed first.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for stale in self.path.parent.glob(f".{self.path.name}.*"):
            stale.unlink(missing_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(orjson.dumps(asdict(tokens)))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, self.path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        dir_fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the exclusive cross-process refresh lock."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


class InvalidGrant(AuthenticationError):
    """The token endpoint refused the refresh token (used past its grace, expired, or unknown)."""


_HINTS: dict[tuple[Grant, str], str] = {
    ("refresh_token", "invalid_client"): "check XERO_CLIENT_ID and XERO_CLIENT_SECRET",
    ("refresh_token", "unauthorized_client"): (
        "this app may not use refresh tokens; if it is a Custom Connection, set "
        f"{GRANT_VAR}=client_credentials and unset XERO_REFRESH_TOKEN"
    ),
    ("client_credentials", "invalid_client"): (
        "check XERO_CLIENT_ID and XERO_CLIENT_SECRET: they must be the Custom Connection's "
        "(developer.xero.com > My Apps > the connection > Configuration; generate a new secret there "
        "if it was lost)"
    ),
    ("client_credentials", "unauthorized_client"): (
        "the app is not a Custom Connection (or its organisation has not authorised it yet): use the "
        'client id and secret of a Custom Connection (docs/connect.md, "Xero Custom Connection"), or '
        f"unset {GRANT_VAR} and run `milemarker connect xero` for an app on the consent flow"
    ),
}
_REQUEST = {"refresh_token": "token refresh", "client_credentials": "client_credentials token request"}


class TokenSource:
    """Hands out a valid access token, getting a new one (single-flight) when needed.

    Subclasses say how a new token is got (:meth:`_renew`); the in-process lock, the refresh
    margin and the once-more-on-401 logic are the same for both grants.
    """

    def __init__(
        self,
        config: XeroConfig,
        rate_limit_policy: RateLimitPolicy,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._config = config
        self._clock = clock
        self._lock = threading.Lock()
        self._current: TokenSet | None = None
        self._http = HttpClient(
            "xero identity",
            config.http,
            rate_limit_policy=rate_limit_policy,
            secrets=(config.client_secret, config.refresh_token),
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(client_id={self._config.client_id!r}, tokens=<redacted>)"

    def close(self) -> None:
        self._http.close()

    def _fresh(self, tokens: TokenSet | None) -> bool:
        margin = self._config.refresh_margin.total_seconds()
        return tokens is not None and bool(tokens.access_token) and tokens.expires_at - margin > self._clock()

    def access_token(self) -> str:
        """A token valid for at least ``refresh_margin``."""
        with self._lock:
            if not self._fresh(self._current):
                self._current = self._renew(rejected=None)
            assert self._current is not None
            return self._current.access_token

    def rejected(self, token: str) -> str:
        """The API answered 401 to ``token``: return a newer token (another process's, or a new one)."""
        with self._lock:
            if (
                self._current is not None
                and self._current.access_token != token
                and self._fresh(self._current)
            ):
                return self._current.access_token
            self._current = self._renew(rejected=token)
            return self._current.access_token

    def _renew(self, rejected: str | None) -> TokenSet:
        raise NotImplementedError

    def _request_token(self, form: dict[str, str], secrets: tuple[str, ...]) -> dict[str, object]:
        """POST ``form`` to the token endpoint (client authenticated by Basic auth); the JSON body.

        A refusal raises :class:`connectors.base.AuthenticationError` saying what to fix; the
        server's words are quoted through :func:`excerpt`, told ``secrets``.
        """
        config = self._config
        response, body = self._http.request(
            "POST",
            config.token_url,
            accept=(200, 400, 401),
            data=form,
            auth=(config.client_id, config.client_secret),
        )
        if response.status_code == 200 and isinstance(body, dict):
            return body
        error = body.get("error", "unknown_error") if isinstance(body, dict) else "unknown_error"
        if error == "invalid_grant" and config.uses_refresh_token:
            raise InvalidGrant(
                "xero: the refresh token was refused (invalid_grant: used up, expired after 60 days "
                "unused, or from another app); re-authorise the app and set XERO_REFRESH_TOKEN to "
                "the new refresh token"
            )
        said = excerpt(str(error), (config.client_secret, config.refresh_token, *secrets))
        hint = _HINTS.get((config.grant, str(error)))
        raise AuthenticationError(
            f"xero: {_REQUEST[config.grant]} failed with HTTP {response.status_code} "
            f"from {describe('POST', config.token_url)}: {said}" + (f"; {hint}" if hint else "")
        )

    def _expires_at(self, body: dict[str, object]) -> float:
        return self._clock() + float(str(body.get("expires_in", 1800)))


class ClientCredentialsTokens(TokenSource):
    """A Custom Connection's tokens: a new one by ``client_credentials`` when needed, kept in memory."""

    def _renew(self, rejected: str | None) -> TokenSet:
        config = self._config
        body = self._request_token({"grant_type": "client_credentials"}, ())
        access_token = body.get("access_token")
        if not isinstance(access_token, str) or not access_token:
            raise AuthenticationError("xero: token response lacks access_token")
        try:
            expires_at = self._expires_at(body)
        except ValueError:
            raise AuthenticationError("xero: token response has no numeric expires_in") from None
        log.info("xero: new access token by client_credentials (custom connection)")
        return TokenSet(config.token_url, config.client_id, "", access_token, expires_at)


class XeroTokens(TokenSource):
    """Rotating refresh tokens, persisted in the token store before use (see the module docstring)."""

    def __init__(
        self,
        config: XeroConfig,
        rate_limit_policy: RateLimitPolicy,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(config, rate_limit_policy, clock)
        self._store = TokenStore(config.token_store_path)

    def __repr__(self) -> str:
        return f"XeroTokens(store={self._store.path}, tokens=<redacted>)"

    def _renew(self, rejected: str | None) -> TokenSet:
        config = self._config
        with self._store.locked():
            stored = self._store.load(config.token_url, config.client_id)
            if stored is not None and stored.access_token != rejected and self._fresh(stored):
                return stored  # another process refreshed while we waited for the lock
            candidates = [stored.refresh_token] if stored is not None else []
            if config.refresh_token not in candidates:
                candidates.append(config.refresh_token)  # e.g. re-authorised: a new token in config
            for refresh_token in candidates[:-1]:
                try:
                    return self._rotate(refresh_token)
                except InvalidGrant:
                    log.warning("xero: stored refresh token refused; trying the configured one")
            return self._rotate(candidates[-1])

    def _rotate(self, refresh_token: str) -> TokenSet:
        """Spend ``refresh_token`` and persist the rotated set before anyone uses it."""
        tokens = self._grant(refresh_token)
        self._store.save(tokens)
        log.info("xero: access token refreshed; rotated refresh token stored in %s", self._store.path)
        return tokens

    def _grant(self, refresh_token: str) -> TokenSet:
        config = self._config
        body = self._request_token(
            {"grant_type": "refresh_token", "refresh_token": refresh_token}, (refresh_token,)
        )
        try:
            return TokenSet(
                token_url=config.token_url,
                client_id=config.client_id,
                refresh_token=str(body["refresh_token"]),
                access_token=str(body["access_token"]),
                expires_at=self._expires_at(body),
            )
        except (KeyError, TypeError, ValueError):
            raise AuthenticationError("xero: token response lacks access_token/refresh_token") from None


def xero_tokens(
    config: XeroConfig, rate_limit_policy: RateLimitPolicy, clock: Callable[[], float] = time.time
) -> TokenSource:
    """The token source ``config.grant`` calls for."""
    source = XeroTokens if config.uses_refresh_token else ClientCredentialsTokens
    return source(config, rate_limit_policy, clock)


class XeroAuth(requests.auth.AuthBase):
    """Bearer auth from a :class:`TokenSource`; on a 401 it refreshes and re-sends once.

    Same mechanism as requests' own digest auth: a response hook that re-sends the prepared request
    on the same connection adapter, so callers never see the first 401.
    """

    def __init__(self, tokens: TokenSource) -> None:
        self._tokens = tokens

    def __repr__(self) -> str:
        return "XeroAuth(tokens=<redacted>)"

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._tokens.access_token()}"
        request.register_hook("response", self._on_response)
        return request

    def _on_response(self, response: requests.Response, **kwargs: object) -> requests.Response:
        if response.status_code != 401 or getattr(response.request, "_milemarker_retried", False):
            return response
        failed = str(response.request.headers.get("Authorization", "")).removeprefix("Bearer ")
        token = self._tokens.rejected(failed)
        response.close()
        retry = response.request.copy()
        retry.headers["Authorization"] = f"Bearer {token}"
        retry._milemarker_retried = True  # type: ignore[attr-defined]
        again = response.connection.send(retry, **kwargs)
        again.history.append(response)
        again.request = retry
        return again
