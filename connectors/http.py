"""One way to talk HTTP to a vendor: a tuned ``requests.Session`` plus a small request loop.

Three layers of failure handling, each where it is cheapest:

* transport faults (connection errors, timeouts, 500/502/503/504) are retried inside urllib3 by a
  ``Retry`` with exponential backoff that honours ``Retry-After``. ``POST`` is retried too: the vendor
  POSTs we send (search, batch read, token refresh) are reads or idempotent within the grace period;
* a 200 whose body is cut short, is not JSON, or is an HTML error page (proxies do this) is retried a
  bounded number of times by :meth:`HttpClient.request`, because urllib3 never sees the body;
* 429 is vendor business: each vendor passes a policy that returns how long to wait or raises
  :class:`~connectors.base.RateLimitExhausted` when waiting cannot help (a daily quota).

Two budgets bound what a misbehaving server can cost: every stream has a wall-clock deadline
(``stream_deadline``, counted from its first request; request timeouts are clipped to what is
left of it) and every run a number of requests (``run_request_budget``). A stalled server
(accepts, never answers) thus costs at most ``(1 + read_retries) * read_timeout`` per request and
ends the stream by its deadline. A 500 is retried ``server_error_retries`` times only: unlike
502/503/504 it is usually the server failing on this very request (HubSpot search does), and
five back-offs spent on it were 18 seconds for the same answer.

A thread-safe :class:`RateLimiter` paces requests proactively (sliding window, optional cap on
requests in flight) so that 429s stay the exception. Nothing here logs or echoes credentials: error
messages name the method, the path and the status, never headers or query strings, and whatever
they quote of a server (a body, a transport error) passes :func:`connectors.redaction.excerpt`
first, told the client's secrets and the credentials the request carried.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

import orjson
import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError
from urllib3.util.retry import Retry

from connectors.base import (
    ApiError,
    AuthenticationError,
    BudgetExhausted,
    ConnectorError,
    ReadStats,
    ResponseShapeError,
    collecting_read_stats,
)
from connectors.redaction import excerpt, is_secret_key

log = logging.getLogger(__name__)

T = TypeVar("T")

RETRYABLE_STATUSES = frozenset({500, 502, 503, 504})


class BodyDecodeError(ValueError):
    """A 2xx body that could not be decoded (truncated, HTML, garbage): worth fetching again."""


class RequestBudget:
    """Requests sent so far by one run, across every client and thread that shares these settings."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.sent = 0

    def check(self, limit: int, what: str) -> None:
        """Raise :class:`BudgetExhausted` once ``limit`` requests have gone out."""
        with self._lock:
            spent = self.sent >= limit
        if spent:
            raise BudgetExhausted(
                f"{what}: this run has sent its budget of {limit} requests (http resource setting "
                "run_request_budget); a stream that needs more is looping or far larger than expected. "
                "Streams not yet committed keep their cursors: raise the budget and run again"
            )

    def spend(self, requests: int) -> None:
        with self._lock:
            self.sent += requests


@dataclass(frozen=True)
class HttpSettings:
    """Timeouts and retry budget shared by every vendor client.

    ``clock``/``sleep`` are the time source the request loop and the rate limiters wait on (429
    back-off, bad-body back-off, pacing, the stream deadline); tests inject a virtual pair to check
    waits without spending them (urllib3's own transport back-off uses ``backoff_factor``).
    ``trust_env=False`` skips the per-request proxy/netrc lookup, worth ~35% of client CPU on a
    fast local link.

    ``stream_deadline`` (2 hours) is far above any stream's honest need -- a 1M-record HubSpot
    portal's full load at 100 requests per 10 s takes under an hour -- and ``run_request_budget``
    (100,000) is ten times the largest benchmark run and stops a runaway loop well before it
    spends a HubSpot Free portal's 250,000 daily calls. ``budget`` is the counter the run shares
    (the ``http`` Dagster resource hands one per run to both vendors).
    """

    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    retries: int = 5
    read_retries: int = 2
    server_error_retries: int = 1
    backoff_factor: float = 0.5
    backoff_max: float = 60.0
    body_retries: int = 3
    rate_limit_retries: int = 8
    stream_deadline: float = 7200.0
    run_request_budget: int = 100_000
    budget: RequestBudget = field(default_factory=RequestBudget, repr=False, compare=False)
    trust_env: bool = False
    user_agent: str = "milemarker/0.1"
    clock: Callable[[], float] = field(default=time.monotonic, repr=False, compare=False)
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)

    def limiter(self, max_calls: int, period: float, *, max_in_flight: int | None = None) -> RateLimiter:
        """A rate limiter running on these settings' clock."""
        return RateLimiter(max_calls, period, max_in_flight=max_in_flight, clock=self.clock, sleep=self.sleep)


class _TimeoutAdapter(HTTPAdapter):
    """An adapter that applies default (connect, read) timeouts: requests has no session-wide one."""

    def __init__(self, timeout: tuple[float, float], **kwargs: Any) -> None:
        self._timeout = timeout
        super().__init__(**kwargs)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self._timeout
        return super().send(request, **kwargs)


class _TransportRetry(Retry):
    """urllib3's retry minus its own 429 handling: a 429 goes to the vendor policy, because a
    day-limit ``Retry-After`` can be hours (sleep-and-retry is wrong) and HubSpot's 429s often
    carry no ``Retry-After`` at all. A 500 gets ``server_error_retries`` retries only."""

    RETRY_AFTER_STATUS_CODES = frozenset({503})

    def __init__(self, *args: Any, server_error_retries: int = 1, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.server_error_retries = server_error_retries

    def new(self, **kwargs: Any) -> _TransportRetry:
        kwargs.setdefault("server_error_retries", self.server_error_retries)
        return super().new(**kwargs)  # type: ignore[return-value]

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if status_code == 500 and sum(h.status == 500 for h in self.history) >= self.server_error_retries:
            return False
        return super().is_retry(method, status_code, has_retry_after)


def make_session(settings: HttpSettings) -> requests.Session:
    """A session with default timeouts and urllib3 retries for transport faults and 5xx."""
    retry = _TransportRetry(
        total=settings.retries,
        connect=settings.retries,
        read=settings.read_retries,
        status=settings.retries,
        other=0,
        status_forcelist=RETRYABLE_STATUSES,
        allowed_methods=frozenset({"GET", "HEAD", "POST"}),
        backoff_factor=settings.backoff_factor,
        backoff_max=settings.backoff_max,
        respect_retry_after_header=True,
        raise_on_status=False,
        server_error_retries=settings.server_error_retries,
    )
    adapter = _TimeoutAdapter(
        (settings.connect_timeout, settings.read_timeout), max_retries=retry, pool_maxsize=8
    )
    session = requests.Session()
    session.trust_env = settings.trust_env
    session.headers["User-Agent"] = settings.user_agent
    session.headers["Accept"] = "application/json"
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class RateLimiter:
    """Sliding-window limiter (``max_calls`` per ``period`` seconds), optionally capping concurrency.

    Shared by every stream of one vendor account so that parallel readers respect one budget.
    ``pause`` pushes the next permitted call out (after a 429 or when the vendor's own counters say
    the window is spent); ``reconfigure`` adopts the budget the vendor advertises in headers.
    """

    def __init__(
        self,
        max_calls: int,
        period: float,
        *,
        max_in_flight: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_calls < 1 or period <= 0:
            raise ValueError("a rate limit needs max_calls >= 1 and period > 0")
        self._max_calls = max_calls
        self._period = period
        self._calls: deque[float] = deque()
        self._paused_until = 0.0
        self._lock = threading.Lock()
        self._in_flight = threading.BoundedSemaphore(max_in_flight) if max_in_flight else None
        self._clock = clock
        self._sleep = sleep

    @property
    def budget(self) -> tuple[int, float]:
        """The current ``(max_calls, period)``."""
        return self._max_calls, self._period

    def reconfigure(self, max_calls: int, period: float) -> None:
        """Adopt a new budget (e.g. from ``X-HubSpot-RateLimit-Max``/``-Interval-Milliseconds``)."""
        if max_calls >= 1 and period > 0:
            with self._lock:
                self._max_calls, self._period = max_calls, period

    def pause(self, seconds: float) -> None:
        """Permit no call for ``seconds`` from now (never shortens an existing pause)."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)

    def _wait_time(self) -> float:
        """Seconds until a call is permitted; records the call when that is zero. Holds the lock."""
        now = self._clock()
        while self._calls and self._calls[0] <= now - self._period:
            self._calls.popleft()
        wait = self._paused_until - now
        if len(self._calls) >= self._max_calls:
            wait = max(wait, self._calls[0] + self._period - now)
        if wait <= 0:
            self._calls.append(now)
        return wait

    def acquire(self) -> None:
        """Block until a call fits the window, then count it."""
        while True:
            with self._lock:
                wait = self._wait_time()
            if wait <= 0:
                return
            self._sleep(wait)

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one in-flight slot (if capped) and one window entry for the duration of a call."""
        if self._in_flight is None:
            self.acquire()
            yield
            return
        with self._in_flight:
            self.acquire()
            yield


RateLimitPolicy = Callable[[requests.Response], float]
"""Given a 429 response, return the seconds to wait, or raise ``RateLimitExhausted``."""

ResponseObserver = Callable[[requests.Response], None]
"""Called with every response (e.g. to read rate-limit budget headers)."""

Advice = Callable[[requests.Response], str]
"""What the user should do about a rejected response (which variable, which scope); ``""``: nothing."""


def decode_json(body: bytes) -> Any:
    """orjson decode; a body that is not JSON is a transient fault, not a contract violation."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BodyDecodeError(str(exc)) from None


def describe(method: str, url: str) -> str:
    """``GET /path`` without host or query string: safe for messages and logs."""
    return f"{method} {urlsplit(url).path}"


class HttpClient:
    """A vendor's session, limiter and 429 policy bound together behind one ``request`` call.

    ``secrets`` are the credentials the caller configured (token, client secret, refresh token):
    masked by value in error text, because a server echoing one may quote it in any shape.
    ``advise`` adds the vendor's "what to do" to a status error (see :func:`status_error`).
    """

    def __init__(
        self,
        vendor: str,
        settings: HttpSettings,
        *,
        rate_limit_policy: RateLimitPolicy,
        limiter: RateLimiter | None = None,
        auth: requests.auth.AuthBase | None = None,
        observe: ResponseObserver | None = None,
        secrets: Iterable[str] = (),
        advise: Advice | None = None,
    ) -> None:
        self.vendor = vendor
        self.settings = settings
        self.session = make_session(settings)
        self.session.auth = auth
        self.limiter = limiter
        self._policy = rate_limit_policy
        self._observe = observe
        self._secrets = tuple(secrets)
        self._advise = advise

    def close(self) -> None:
        """Release pooled connections."""
        self.session.close()

    def request(
        self,
        method: str,
        url: str,
        *,
        decode: Callable[[bytes], T] = decode_json,
        extra_limiter: RateLimiter | None = None,
        accept: tuple[int, ...] = (200,),
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
    ) -> tuple[requests.Response, T]:
        """Send one logical request and return the response with its decoded body.

        Retries 429 per the vendor policy and undecodable 2xx bodies with backoff; raises
        ``AuthenticationError`` for 401/403, ``ApiError`` for any other status not in ``accept``,
        ``ResponseShapeError`` for a body ``decode`` finds of the wrong shape, and
        ``BudgetExhausted`` once the stream's deadline or the run's request budget is spent.
        """
        what = describe(method, url)
        rate_limited = bad_bodies = 0
        stats = collecting_read_stats()
        if stats is not None and stats.deadline is None:
            stats.deadline = self.settings.clock() + self.settings.stream_deadline
        started, decoding = time.perf_counter(), 0.0
        try:
            while True:
                timeout = self._timeout(stats, what)
                self.settings.budget.check(self.settings.run_request_budget, f"{self.vendor} {what}")
                try:
                    with _slot(self.limiter), _slot(extra_limiter):
                        response = self.session.request(
                            method,
                            url,
                            headers=headers,
                            params=params,
                            json=json,
                            data=data,
                            auth=auth,
                            timeout=timeout,
                        )
                except requests.RequestException as exc:
                    self._count_attempts(stats, 1)
                    if _is_body_fault(exc):
                        bad_bodies = self._count_bad_body(what, bad_bodies, type(exc).__name__)
                        continue
                    reason = excerpt(_transport_reason(exc), self._secrets_sent(exc.request))
                    failure = f"{type(exc).__name__} after retries: {reason}"
                else:
                    failure = None
                if failure is not None:  # raised here, not in the handler: requests' error quotes the query
                    self._timeout(stats, what)  # a timeout clipped by the deadline says so
                    raise ApiError(f"{self.vendor} {what}: {failure}")
                self._count_attempts(stats, attempts_sent(response))
                if self._observe is not None:
                    self._observe(response)
                if response.status_code == 429:
                    rate_limited += 1
                    if rate_limited > self.settings.rate_limit_retries:
                        raise ApiError(
                            f"{self.vendor} {what}: still rate limited after {rate_limited - 1} waits"
                        )
                    wait = self._policy(response)
                    self._check_wait(stats, what, wait)
                    log.info("%s %s: 429, waiting %.1fs", self.vendor, what, wait)
                    if self.limiter is not None:
                        self.limiter.pause(wait)
                    self.settings.sleep(wait)
                    continue
                if response.status_code not in accept:
                    raise self._status_error(what, response)
                decode_started = time.perf_counter()
                try:
                    return response, decode(response.content)
                except BodyDecodeError as exc:
                    undecodable = excerpt(str(exc), self._secrets)
                except ResponseShapeError as exc:  # a contract violation: say where the body came from
                    raise exc.located(self.vendor, what, response.status_code) from None
                finally:
                    decoding += time.perf_counter() - decode_started
                if not 200 <= response.status_code < 300:
                    # an accepted error status (a token endpoint's 400) sent as text or HTML: not a page
                    # cut short, so fetching it again cannot help
                    raise self._status_error(what, response)
                bad_bodies = self._count_bad_body(what, bad_bodies, f"undecodable body ({undecodable})")
        finally:
            if stats is not None:
                stats.fetch_seconds += time.perf_counter() - started - decoding

    def _timeout(self, stats: ReadStats | None, what: str) -> tuple[float, float]:
        """(connect, read) timeouts clipped to what is left of the stream's deadline."""
        connect, read = self.settings.connect_timeout, self.settings.read_timeout
        if stats is None or stats.deadline is None:
            return connect, read
        left = stats.deadline - self.settings.clock()
        if left <= 0:
            raise BudgetExhausted(
                f"{self.vendor} {what}: the stream ran past its deadline of "
                f"{self.settings.stream_deadline:g} s (http resource setting stream_deadline); the server "
                "is stalling or paging without end. "
                "The stream's cursor is unchanged: the next run reads the same window again"
            )
        return min(connect, left), min(read, left)

    def _check_wait(self, stats: ReadStats | None, what: str, wait: float) -> None:
        """Refuse a 429 wait that would end past the stream's deadline: stop now, not after sleeping."""
        if stats is not None and stats.deadline is not None and self.settings.clock() + wait > stats.deadline:
            raise BudgetExhausted(
                f"{self.vendor} {what}: rate limited for {wait:.0f} s, past the stream's deadline (http "
                f"resource setting stream_deadline, {self.settings.stream_deadline:g} s); run again later"
            )

    def _count_attempts(self, stats: ReadStats | None, attempts: int) -> None:
        self.settings.budget.spend(attempts)
        if stats is not None:
            stats.requests += attempts

    def _status_error(self, what: str, response: requests.Response) -> ConnectorError:
        advice = self._advise(response) if self._advise is not None else ""
        return status_error(self.vendor, what, response, self._secrets_sent(response), advice)

    def _secrets_sent(self, sent: requests.Response | requests.PreparedRequest | None) -> list[str]:
        """The configured secrets plus the credentials a request carried, for masking by value.

        Tokens rotate, so some are only known per request: the Authorization value (of every
        request behind a response: a 401 re-sent with a refreshed token) and the secret-named
        form fields (the refresh token being spent).
        """
        if isinstance(sent, requests.Response):
            prepared = [r.request for r in sent.history] + [sent.request]
        else:
            prepared = [sent] if sent is not None else []
        secrets = list(self._secrets)
        for request in prepared:
            authorization = str(request.headers.get("Authorization", ""))
            secrets += [authorization, authorization.partition(" ")[2]]
            if "x-www-form-urlencoded" in str(request.headers.get("Content-Type", "")):
                body = request.body.decode() if isinstance(request.body, bytes) else str(request.body or "")
                secrets += [value for key, value in parse_qsl(body) if is_secret_key(key)]
        return secrets

    def _count_bad_body(self, what: str, attempts: int, reason: str) -> int:
        """Back off before re-fetching a failed body, or give up once the budget is spent."""
        attempts += 1
        if attempts > self.settings.body_retries:
            raise ApiError(f"{self.vendor} {what}: failed after {attempts} attempts: {reason}")
        wait = min(self.settings.backoff_max, self.settings.backoff_factor * 2 ** (attempts - 1))
        log.warning("%s %s: %s; retrying in %.2fs", self.vendor, what, reason, wait)
        self.settings.sleep(wait)
        return attempts


def attempts_sent(response: requests.Response) -> int:
    """Requests sent to obtain ``response``: one, plus urllib3's transport retries before it."""
    retries = getattr(response.raw, "retries", None)
    return 1 + len(retries.history) if retries is not None else 1


def _slot(limiter: RateLimiter | None) -> AbstractContextManager[None]:
    return limiter.slot() if limiter is not None else nullcontext()


def _is_body_fault(exc: requests.RequestException) -> bool:
    """True for faults while reading a body (urllib3 already retried everything else).

    requests wraps exhausted urllib3 retries in ``MaxRetryError``; a body cut short surfaces as
    ``ChunkedEncodingError`` and a read timeout mid-body as a ``ConnectionError`` around the
    urllib3 error itself.
    """
    if isinstance(exc, (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)):
        return True
    return isinstance(exc, requests.ConnectionError) and not isinstance(
        exc.args[0] if exc.args else None, MaxRetryError
    )


def _transport_reason(exc: requests.RequestException) -> str:
    """The last attempt's error, without requests' wrapping (which quotes the URL and query string)."""
    wrapped = exc.args[0] if exc.args else exc
    return str(getattr(wrapped, "reason", None) or wrapped)


STATUS_EXCERPT_CHARS = 160
"""Server text kept in a status error: the vendor's message, never a page of stack trace."""

_MESSAGE_KEYS = ("message", "Message", "Detail", "detail", "error_description", "error", "Title", "title")
_CATEGORY_KEYS = ("category", "Type", "errorType")


def server_says(response: requests.Response, secrets: Iterable[str] = ()) -> str:
    """What the server said, short: a JSON error body's message (and category), else the text.

    Both vendors send a JSON error object (HubSpot ``message``/``category``, Xero ``Message``/
    ``Detail``/``Type``); quoting that instead of the raw body keeps the one line that matters
    and drops stack traces and correlation boilerplate. Always through the redactor.
    """
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        body = None
    if isinstance(body, dict):
        message = next((body[k] for k in _MESSAGE_KEYS if isinstance(body.get(k), str) and body[k]), None)
        category = next((body[k] for k in _CATEGORY_KEYS if isinstance(body.get(k), str) and body[k]), None)
        if message is not None:
            text = f"{message} ({category})" if category else message
            return excerpt(text, secrets, STATUS_EXCERPT_CHARS)
    return excerpt(response.text, secrets, STATUS_EXCERPT_CHARS)


def status_error(
    vendor: str, what: str, response: requests.Response, secrets: Iterable[str] = (), advice: str = ""
) -> ConnectorError:
    """The exception for a non-accepted status: what the server said (redacted, short) and what to do.

    Headers are never quoted (they could carry tokens).
    """
    message = f"{vendor} {what}: HTTP {response.status_code}: {server_says(response, secrets)}"
    if advice:
        message = f"{message}. {advice}"
    if response.status_code in (401, 403):
        return AuthenticationError(message)
    return HttpStatusError(message, response.status_code)


class HttpStatusError(ApiError):
    """A response status the caller did not accept; ``status`` lets callers branch without parsing."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def retry_after_seconds(response: requests.Response) -> float | None:
    """``Retry-After`` as seconds (delta-seconds or HTTP-date form); ``None`` if absent or garbled."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def server_time_ms(response: requests.Response) -> int:
    """The server's clock from the ``Date`` header, as epoch milliseconds (whole seconds)."""
    value = response.headers.get("Date")
    if not value:
        raise ApiError(
            f"{describe(response.request.method or 'GET', response.url)}: response has no Date header"
        )
    return int(parsedate_to_datetime(value).timestamp()) * 1000
