"""Fault injection: seeded random faults at a rate, scripted faults for one targeted case, and stats.

A connector's retry, back-off, checkpoint and loop-guard code can only be trusted once it has met
the failures it claims to survive. Random faults come from a seeded RNG so a flaky-looking run can
be replayed; scripted faults ("the next N requests matching X get Y") let a test aim at exactly one
page of one stream. Scripted corruptions ("the next page matching X gets its record N mutated so",
see :mod:`sandbox.service.payload_faults`) aim at one record of a page that otherwise arrives
whole. The profile also carries the optional rate-limit budgets, so a subprocess sandbox has one
JSON control surface (``/_sandbox/faults`` and ``--faults``).
"""

from __future__ import annotations

import random
import re
import threading
from collections import Counter
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveInt,
    model_validator,
)

from sandbox.service.auth import Clock
from sandbox.service.limits import (
    ConnectwiseLimiter,
    ConnectwiseLimits,
    HubspotLimiter,
    HubspotLimits,
    XeroLimiter,
    XeroLimits,
)
from sandbox.service.payload_faults import Corruption, CorruptionError, corrupt


class FaultKind(StrEnum):
    RATE_LIMIT = "rate_limit"
    """429 with ``Retry-After`` (HubSpot ten-secondly body; Xero ``X-Rate-Limit-Problem: minute``)."""
    RATE_LIMIT_NO_RETRY_AFTER = "rate_limit_no_retry_after"
    """429 without ``Retry-After``: the client must back off by the interval header."""
    DAILY_LIMIT = "daily_limit"
    """429 for the day's budget (HubSpot ``policyName: DAILY``; Xero ``day``): stop, do not sleep."""
    HTTP_500 = "http_500"
    HTTP_502 = "http_502"
    HTTP_503 = "http_503"
    SLOW = "slow"
    """The normal response, after ``slow_seconds``: exercises client timeouts."""
    TRUNCATED = "truncated"
    """Declares the full ``Content-Length`` but sends half the body and closes the connection."""
    HTML_200 = "html_200"
    """An HTML error page with status 200, as a misbehaving proxy serves."""
    TOKEN_EXPIRED = "token_expired"
    """The access token dies mid-run: Xero revokes live tokens; HubSpot answers one 401."""
    REPEAT_CURSOR = "repeat_cursor"
    """A page hands back the cursor that requested it (Xero: repeats the previous page's documents)."""


HANDLER_FAULTS = frozenset({FaultKind.REPEAT_CURSOR})
"""Faults a route handler applies itself, and only where they make sense (a page with a cursor)."""

Rate = Annotated[float, Field(ge=0.0, le=1.0)]


class ScriptedFault(BaseModel):
    """The next ``count`` requests whose target (``/path?query``) matches ``match`` get ``fault``."""

    model_config = ConfigDict(extra="forbid")

    match: str
    fault: FaultKind
    count: PositiveInt = 1

    @model_validator(mode="after")
    def _valid_regex(self) -> ScriptedFault:
        re.compile(self.match)
        return self


class ScriptedCorruption(BaseModel):
    """The next ``count`` successful JSON pages whose target matches ``match`` (after skipping
    ``skip`` of them) get record ``record`` (0-based) mutated by ``corruption`` at ``field``.

    ``field`` is a dotted path inside the record (``properties.dealstage``, ``Contact.ContactID``),
    list positions in brackets (``propertiesWithHistory.dealstage[0].timestamp``); ``size`` is the
    length of a ``huge_string``. A page too short to have record ``record``, or whose record lacks
    ``field``, is left alone and not counted.
    """

    model_config = ConfigDict(extra="forbid")

    match: str
    corruption: Corruption
    record: NonNegativeInt = 0
    field: str = "id"
    size: PositiveInt = 1 << 20
    skip: NonNegativeInt = 0
    count: PositiveInt = 1

    @model_validator(mode="after")
    def _valid_regex(self) -> ScriptedCorruption:
        re.compile(self.match)
        return self

    def apply(self, body: bytes) -> bytes:
        """The corrupted body; raises ``CorruptionError`` when this page cannot take it."""
        return corrupt(body, self.corruption, record=self.record, field=self.field, size=self.size)


class FaultProfile(BaseModel):
    """Everything that makes the sandbox misbehave on purpose. The default profile is all off."""

    model_config = ConfigDict(extra="forbid")

    seed: int = 0
    rates: dict[FaultKind, Rate] = Field(default_factory=dict)
    scripted: list[ScriptedFault] = Field(default_factory=list)
    corruptions: list[ScriptedCorruption] = Field(default_factory=list)
    slow_seconds: NonNegativeFloat = 1.0
    retry_after_seconds: PositiveInt = 1
    hubspot_limits: HubspotLimits | None = None
    xero_limits: XeroLimits | None = None
    connectwise_limits: ConnectwiseLimits | None = None

    @model_validator(mode="after")
    def _rates_fit(self) -> FaultProfile:
        if sum(rate for kind, rate in self.rates.items() if kind not in HANDLER_FAULTS) > 1.0:
            raise ValueError("fault rates (other than repeat_cursor) must add up to at most 1")
        return self


class FaultController:
    """Decides, per request, which fault (if any) applies, and counts what it injected.

    Thread-safe: the server asks from one thread per connection. Reconfiguring resets the RNG, the
    scripted queue and the rate-limit windows, so a test starts from a known state.
    """

    def __init__(self, clock: Clock, profile: FaultProfile | None = None) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._requests: Counter[str] = Counter()
        self._injected: Counter[str] = Counter()
        self._rate_limited: Counter[str] = Counter()
        self.configure(profile or FaultProfile())

    # -- configuration ---------------------------------------------------------------------
    def configure(self, profile: FaultProfile) -> None:
        with self._lock:
            self._profile = profile
            self._rng = random.Random(profile.seed)
            self._scripted = [(re.compile(s.match), s.fault, s.count) for s in profile.scripted]
            self._corruptions = [(re.compile(c.match), c, c.skip, c.count) for c in profile.corruptions]
            self.hubspot_limiter = (
                HubspotLimiter(profile.hubspot_limits, self._clock) if profile.hubspot_limits else None
            )
            self.xero_limiter = XeroLimiter(profile.xero_limits, self._clock) if profile.xero_limits else None
            self.connectwise_limiter = (
                ConnectwiseLimiter(profile.connectwise_limits, self._clock)
                if profile.connectwise_limits
                else None
            )

    @property
    def profile(self) -> FaultProfile:
        return self._profile

    def script(self, match: str, fault: FaultKind | str, count: int = 1) -> None:
        """Queue a scripted fault on top of the current profile (the in-process shortcut)."""
        scripted = ScriptedFault(match=match, fault=FaultKind(fault), count=count)
        self.configure(self._profile.model_copy(update={"scripted": [*self._profile.scripted, scripted]}))

    def corrupt(self, corruption: ScriptedCorruption) -> None:
        """Queue a scripted corruption on top of the current profile (the in-process shortcut)."""
        update = {"corruptions": [*self._profile.corruptions, corruption]}
        self.configure(self._profile.model_copy(update=update))

    def reset(self) -> None:
        """Back to no faults and no limits (stats are kept: they describe the whole run)."""
        self.configure(FaultProfile())

    # -- decisions -------------------------------------------------------------------------
    def draw(self, target: str) -> FaultKind | None:
        """The server-level fault for a request: a matching scripted fault first, else a random one."""
        with self._lock:
            kind = self._take_scripted(target, server_level=True)
            if kind is None:
                kind = self._draw_random()
            if kind is not None:
                self._injected[kind] += 1
            return kind

    def take(self, kind: FaultKind, target: str) -> bool:
        """Whether a handler-level fault applies to this request (consumes a scripted one if so)."""
        with self._lock:
            hit = self._take_scripted(target, server_level=False, kind=kind) is not None
            rate = self._profile.rates.get(kind, 0.0)
            if not hit and rate > 0.0:
                hit = self._rng.random() < rate
            if hit:
                self._injected[kind] += 1
            return hit

    def corrupt_page(self, target: str, body: bytes) -> bytes:
        """``body`` after the first queued corruption that matches ``target`` and fits the page.

        Called with every successful JSON page; pages nothing is aimed at come back unchanged.
        """
        with self._lock:
            for position, (pattern, corruption, skip, remaining) in enumerate(self._corruptions):
                if not pattern.search(target):
                    continue
                try:
                    corrupted = corruption.apply(body)
                except CorruptionError:
                    continue
                if skip:
                    self._corruptions[position] = (pattern, corruption, skip - 1, remaining)
                    continue
                if remaining > 1:
                    self._corruptions[position] = (pattern, corruption, 0, remaining - 1)
                else:
                    del self._corruptions[position]
                self._injected[f"corrupt:{corruption.corruption}"] += 1
                return corrupted
            return body

    def _take_scripted(
        self, target: str, *, server_level: bool, kind: FaultKind | None = None
    ) -> FaultKind | None:
        for position, (pattern, fault, remaining) in enumerate(self._scripted):
            if (fault in HANDLER_FAULTS) == server_level or (kind is not None and fault != kind):
                continue
            if pattern.search(target):
                if remaining > 1:
                    self._scripted[position] = (pattern, fault, remaining - 1)
                else:
                    del self._scripted[position]
                return fault
        return None

    def _draw_random(self) -> FaultKind | None:
        rates = [(k, r) for k, r in self._profile.rates.items() if r > 0.0 and k not in HANDLER_FAULTS]
        if not rates:
            return None
        point = self._rng.random()
        for kind, rate in rates:
            if point < rate:
                return kind
            point -= rate
        return None

    # -- statistics ------------------------------------------------------------------------
    def count_request(self, vendor: str) -> None:
        with self._lock:
            self._requests[vendor] += 1

    def count_rate_limited(self, vendor: str, problem: str) -> None:
        with self._lock:
            self._rate_limited[f"{vendor}:{problem}"] += 1

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": dict(sorted(self._requests.items())),
                "requests_total": sum(self._requests.values()),
                "faults_injected": {str(kind): count for kind, count in sorted(self._injected.items())},
                "rate_limited": dict(sorted(self._rate_limited.items())),
            }
