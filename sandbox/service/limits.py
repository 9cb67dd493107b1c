"""Rate limits of HubSpot, Xero and ConnectWise: budgets, the headers that report them, which tripped.

Off by default (a sandbox is for correctness first); a test or the CLI switches them on through the
fault profile. Windows run on the same injectable clock as the tokens, so a test can exhaust a
budget, step the clock and watch it refill without sleeping.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, PositiveInt

from sandbox.service.auth import Clock


class HubspotLimits(BaseModel):
    """A private app's budgets (Free/Starter: 100 per 10 s, 250k a day; Professional: 190, 650k)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ten_secondly: PositiveInt = 100
    daily: PositiveInt = 250_000
    search_per_second: PositiveInt = 4
    send_retry_after: bool = False
    """HubSpot does not always send ``Retry-After`` on a 429; clients must fall back to the interval."""


class XeroLimits(BaseModel):
    """Per-tenant budgets (60 a minute, 5 in flight, 5,000 a day) and the per-app minute budget."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    per_minute: PositiveInt = 60
    per_day: PositiveInt = 5_000
    concurrent: PositiveInt = 5
    app_per_minute: PositiveInt = 10_000


class ConnectwiseLimits(BaseModel):
    """ConnectWise publishes no hard quota; a per-minute budget (the commonly quoted 60) to pace against."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    per_minute: PositiveInt = 60


class Window:
    """At most ``limit`` events per ``seconds``: rolling (sliding log) or fixed (calendar buckets)."""

    def __init__(self, limit: int, seconds: float, clock: Clock, *, rolling: bool = True) -> None:
        self.limit = limit
        self.seconds = seconds
        self._clock = clock
        self._rolling = rolling
        self._events: deque[float] = deque()
        self._bucket = -1
        self._count = 0

    def _refresh(self, now: float) -> None:
        if self._rolling:
            while self._events and self._events[0] <= now - self.seconds:
                self._events.popleft()
        else:
            bucket = int(now // self.seconds)
            if bucket != self._bucket:
                self._bucket, self._count = bucket, 0

    def used(self) -> int:
        self._refresh(self._clock())
        return len(self._events) if self._rolling else self._count

    def remaining(self) -> int:
        return max(self.limit - self.used(), 0)

    def record(self) -> None:
        now = self._clock()
        self._refresh(now)
        if self._rolling:
            self._events.append(now)
        else:
            self._count += 1

    def retry_after(self) -> int:
        """Whole seconds until one more event fits (at least 1, as ``Retry-After`` is an integer)."""
        now = self._clock()
        self._refresh(now)
        if self._rolling:
            wait = self._events[0] + self.seconds - now if self._events else 0.0
        else:
            wait = (self._bucket + 1) * self.seconds - now
        return max(math.ceil(wait), 1)


@dataclass(frozen=True)
class LimitOutcome:
    """What the limiter decided for one request: ``problem`` is ``None`` when it may proceed."""

    headers: dict[str, str] = field(default_factory=dict)
    problem: str | None = None
    retry_after: int | None = None


class HubspotLimiter:
    """The ten-secondly rolling burst budget, the daily budget and search's own per-second budget.

    Search is exempt from the ten-secondly bucket (``x-hubspot-rate-limit-exemptions`` in the spec)
    but limited per second; it still counts against the day.
    """

    def __init__(self, limits: HubspotLimits, clock: Clock) -> None:
        self.limits = limits
        self._lock = threading.Lock()
        self._burst = Window(limits.ten_secondly, 10.0, clock)
        self._daily = Window(limits.daily, 86400.0, clock, rolling=False)
        self._search = Window(limits.search_per_second, 1.0, clock)

    def check(self, *, search: bool) -> LimitOutcome:
        """Count the request if the budgets allow it; otherwise name the policy that refused it."""
        with self._lock:
            window = self._search if search else self._burst
            if self._daily.remaining() == 0:
                problem, retry = "DAILY", self._daily.retry_after()
            elif window.remaining() == 0:
                problem = "SECONDLY" if search else "TEN_SECONDLY_ROLLING"
                retry = window.retry_after()
            else:
                problem, retry = None, None
                self._daily.record()
                window.record()
            return LimitOutcome(self._headers(search), problem, retry)

    def _headers(self, search: bool) -> dict[str, str]:
        headers = {
            "X-HubSpot-RateLimit-Daily": str(self._daily.limit),
            "X-HubSpot-RateLimit-Daily-Remaining": str(self._daily.remaining()),
        }
        if not search:
            headers |= {
                "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
                "X-HubSpot-RateLimit-Max": str(self._burst.limit),
                "X-HubSpot-RateLimit-Remaining": str(self._burst.remaining()),
            }
        return headers


class XeroLimiter:
    """Xero's per-tenant minute, day and concurrency limits plus the app-wide minute limit.

    ``enter`` admits a request and counts it in flight; the caller must ``leave`` once the response
    is written, whatever happened, so the concurrency budget is not leaked.
    """

    def __init__(self, limits: XeroLimits, clock: Clock) -> None:
        self.limits = limits
        self._lock = threading.Lock()
        self._minute = Window(limits.per_minute, 60.0, clock)
        self._day = Window(limits.per_day, 86400.0, clock, rolling=False)
        self._app_minute = Window(limits.app_per_minute, 60.0, clock)
        self._in_flight = 0

    def enter(self) -> LimitOutcome:
        with self._lock:
            if self._day.remaining() == 0:
                problem, retry = "day", self._day.retry_after()
            elif self._app_minute.remaining() == 0:
                problem, retry = "appminute", self._app_minute.retry_after()
            elif self._minute.remaining() == 0:
                problem, retry = "minute", self._minute.retry_after()
            elif self._in_flight >= self.limits.concurrent:
                problem, retry = "concurrent", 1
            else:
                problem, retry = None, None
                for window in (self._day, self._app_minute, self._minute):
                    window.record()
                self._in_flight += 1
            return LimitOutcome(self._headers(), problem, retry)

    def leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def _headers(self) -> dict[str, str]:
        return {
            "X-DayLimit-Remaining": str(self._day.remaining()),
            "X-MinLimit-Remaining": str(self._minute.remaining()),
            "X-AppMinLimit-Remaining": str(self._app_minute.remaining()),
        }


class ConnectwiseLimiter:
    """A rolling per-minute budget; a refusal is a 429 with a numeric ``Retry-After``."""

    def __init__(self, limits: ConnectwiseLimits, clock: Clock) -> None:
        self.limits = limits
        self._lock = threading.Lock()
        self._minute = Window(limits.per_minute, 60.0, clock)

    def check(self) -> LimitOutcome:
        with self._lock:
            if self._minute.remaining() == 0:
                return LimitOutcome({}, "minute", self._minute.retry_after())
            self._minute.record()
            return LimitOutcome()
