"""The fault storm: real Dagster runs of ``land_raw`` against a misbehaving sandbox until one succeeds.

The sandbox (served in the test process) draws a fault for about a quarter of all API requests,
of every kind the issue lists: 429 with and without ``Retry-After``, 500/502/503, slow responses
(which the short read timeout turns into client timeouts), truncated JSON, an HTML page with
status 200 and expired tokens (Xero revokes every live token; HubSpot answers one 401, which a
private-app connector cannot refresh, so that stream fails and waits for the next run). On top of
that HubSpot has a daily budget, spent part-way through the first run: a ``DAILY`` stop fails the
rest of HubSpot's streams without sleeping. Between runs the storm moves the sandbox's rate-limit
clock a day on after such a stop, so the next run continues where the committed cursors left off.

Runs execute in process with the project's real definitions (assets, checks, ``land_raw``); only
the vendor and warehouse resources are bound to the test's sandbox and files, and the vendors'
:class:`~dagster_project.defs.resources.HttpResource` skips waits (see :class:`SkippedWaits`).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import dagster as dg

from connectors.http import HttpSettings
from dagster_project.definitions import defs as load_definitions
from dagster_project.defs.jobs import LAND_RAW
from dagster_project.defs.resources import (
    ConnectWiseResource,
    HttpResource,
    HubspotResource,
    SandboxResource,
    WarehouseResource,
    XeroResource,
)
from sandbox.clients import UNLIMITED
from sandbox.service.faults import FaultKind, FaultProfile
from sandbox.service.limits import HubspotLimits
from sandbox.service.server import Sandbox
from sandbox.simulation.config import SandboxConfig

RETRIABLE_RATES = {
    FaultKind.RATE_LIMIT: 0.03,
    FaultKind.RATE_LIMIT_NO_RETRY_AFTER: 0.03,
    FaultKind.HTTP_500: 0.03,
    FaultKind.HTTP_502: 0.03,
    FaultKind.HTTP_503: 0.03,
    FaultKind.SLOW: 0.03,
    FaultKind.TRUNCATED: 0.03,
    FaultKind.HTML_200: 0.03,
}
"""Faults the connectors retry within the request: a quarter of all requests together."""
SLOW_SECONDS = 0.4
READ_TIMEOUT = 0.2
"""Half the slow fault's delay: every slow response becomes a client read timeout."""
DAY_SECONDS = 86_400.0


@dataclass(frozen=True)
class StormConfig:
    """One storm: the business, the fault seed and rates, and HubSpot's daily request budget."""

    sandbox: SandboxConfig
    fault_seed: int
    hubspot_daily: int
    """Requests HubSpot allows per sandbox day: below what a first load needs, so run 1 is stopped."""
    token_expired_rate: float = 0.01
    daily_limit_rate: float = 0.0
    """Random ``DAILY`` 429s on top of the budget (the budget alone already stops a run)."""
    max_runs: int = 15

    def profile(self) -> FaultProfile:
        rates = {
            **RETRIABLE_RATES,
            FaultKind.TOKEN_EXPIRED: self.token_expired_rate,
            FaultKind.DAILY_LIMIT: self.daily_limit_rate,
        }
        return FaultProfile(
            seed=self.fault_seed,
            rates=rates,
            slow_seconds=SLOW_SECONDS,
            hubspot_limits=HubspotLimits(
                ten_secondly=UNLIMITED, daily=self.hubspot_daily, search_per_second=UNLIMITED
            ),
        )


class DayClock:
    """The sandbox's rate-limit and token clock: real monotonic time plus whole days skipped.

    Skipping a day resets the daily budgets (they count per calendar day of this clock) and, as a
    night would, expires every access token the sandbox issued.
    """

    def __init__(self) -> None:
        self._offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self._offset

    def next_day(self) -> None:
        self._offset += DAY_SECONDS


class SkippedWaits:
    """A clock that moves only when someone sleeps on it, and a sleep that returns at once.

    Back-off, ``Retry-After`` and pacing waits are decisions the connectors make; spending them
    for real (HubSpot waits 10 s on a 429 without ``Retry-After``, Xero a minute) would make a
    storm take hours. Thread-safe: connector threads share one instance.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._now = 0.0
        self.count = 0
        self.seconds = 0.0

    def monotonic(self) -> float:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self._now += max(seconds, 0.0)
            self.count += 1
            self.seconds += max(seconds, 0.0)


def skipped_waits_http(waits: SkippedWaits) -> HttpResource:
    """The project's HTTP settings with a short read timeout and fast transport back-off, whose
    request-loop and pacing waits go to ``waits``."""

    class SkippedWaitsHttp(HttpResource):
        def settings(self) -> HttpSettings:
            return dataclasses.replace(super().settings(), clock=waits.monotonic, sleep=waits.sleep)

    return SkippedWaitsHttp(
        read_timeout=READ_TIMEOUT, connect_timeout=2.0, backoff_factor=0.01, backoff_max=0.05
    )


def sandbox_resources(sandbox: Sandbox, warehouse: Path, waits: SkippedWaits) -> dict[str, Any]:
    """The run's warehouse and every vendor, bound to ``sandbox`` as real credentials would be."""
    http = skipped_waits_http(waits)
    idle = SandboxResource()  # both vendors have credentials: the embedded sandbox never starts
    env = sandbox.env()
    return {
        "warehouse": WarehouseResource(path=str(warehouse)),
        "hubspot": HubspotResource(
            access_token=env["HUBSPOT_ACCESS_TOKEN"],
            base_url=env["HUBSPOT_BASE_URL"],
            sandbox=idle,
            http=http,
        ),
        "xero": XeroResource(
            client_id=env["XERO_CLIENT_ID"],
            client_secret=env["XERO_CLIENT_SECRET"],
            refresh_token=env["XERO_REFRESH_TOKEN"],
            tenant_id=env["XERO_TENANT_ID"],
            api_url=env["XERO_BASE_URL"],
            token_url=env["XERO_TOKEN_URL"],
            connections_url=env["XERO_CONNECTIONS_URL"],
            token_store=str(warehouse.parent / "xero_token.json"),
            sandbox=idle,
            http=http,
        ),
        "connectwise": ConnectWiseResource(
            source="real",
            company_id=env["CONNECTWISE_COMPANY_ID"],
            public_key=env["CONNECTWISE_PUBLIC_KEY"],
            private_key=env["CONNECTWISE_PRIVATE_KEY"],
            client_id=env["CONNECTWISE_CLIENT_ID"],
            base_url=env["CONNECTWISE_BASE_URL"],
            sandbox=idle,
            http=http,
        ),
    }


class RetryLog(logging.Handler):
    """Counts the retries the connectors and urllib3 log, by kind (the "retries" of the report)."""

    _KINDS = (
        ("urllib3.util.retry", "Incremented Retry", "transport"),
        ("connectors.http", "%s %s: 429, waiting", "429 wait"),
        ("connectors.http", "%s %s: %s; retrying", "bad body"),
        ("connectors.xero.auth", "xero: access token refreshed", "token refresh"),
    )
    _LEVELS: ClassVar[dict[str, int]] = {"urllib3.util.retry": logging.DEBUG, "connectors": logging.INFO}

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.counts: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        for logger, prefix, kind in self._KINDS:
            if record.name == logger and str(record.msg).startswith(prefix):
                self.counts[kind] += 1

    @contextmanager
    def attached(self) -> Iterator[RetryLog]:
        previous = {name: logging.getLogger(name).level for name in self._LEVELS}
        for name, level in self._LEVELS.items():
            logging.getLogger(name).setLevel(level)
            logging.getLogger(name).addHandler(self)
        try:
            yield self
        finally:
            for name, level in previous.items():
                logging.getLogger(name).removeHandler(self)
                logging.getLogger(name).setLevel(level)


@dataclass(frozen=True)
class RunOutcome:
    success: bool
    failed_steps: tuple[str, ...]
    daily_stop: bool
    seconds: float


@dataclass
class StormReport:
    """What the storm did: runs, faults the sandbox injected, retries the clients logged."""

    runs: list[RunOutcome] = field(default_factory=list)
    requests: int = 0
    faults: dict[str, int] = field(default_factory=dict)
    rate_limited: dict[str, int] = field(default_factory=dict)
    retries: dict[str, int] = field(default_factory=dict)
    waits_skipped: int = 0
    seconds_skipped: float = 0.0

    @property
    def succeeded(self) -> bool:
        return bool(self.runs) and self.runs[-1].success

    @property
    def faults_total(self) -> int:
        return sum(self.faults.values()) + sum(self.rate_limited.values())

    def lines(self) -> list[str]:
        runs = ", ".join(
            f"{'ok' if run.success else 'failed'} {run.seconds:.0f}s"
            + (
                ""
                if run.success
                else f" ({len(run.failed_steps)} steps{', DAILY' if run.daily_stop else ''})"
            )
            for run in self.runs
        )
        share = self.faults_total / self.requests if self.requests else 0.0
        return [
            f"runs: {len(self.runs)} [{runs}]",
            f"requests: {self.requests}, faults: {self.faults_total} ({share:.0%})",
            "faults by kind: "
            + ", ".join(f"{k}={v}" for k, v in sorted({**self.faults, **self.rate_limited}.items())),
            "retries: " + ", ".join(f"{k}={v}" for k, v in sorted(self.retries.items())),
            f"waits skipped: {self.waits_skipped} ({self.seconds_skipped:.0f} s of back-off and pacing)",
        ]


def step_errors(result: dg.ExecuteInProcessResult) -> dict[str, list[str]]:
    """Failed step -> the message of its error and of every error that caused it."""
    errors: dict[str, list[str]] = {}
    for event in result.get_step_failure_events():
        error = event.step_failure_data.error
        while error is not None:
            errors.setdefault(event.step_key or "", []).append(error.message.strip())
            error = error.cause
    return errors


def _stopped_for_the_day(result: dg.ExecuteInProcessResult) -> bool:
    """Whether a step failed on a daily quota (``RateLimitExhausted``) rather than another fault."""
    return any("RateLimitExhausted" in e for chain in step_errors(result).values() for e in chain)


def run_storm(config: StormConfig, sandbox: Sandbox, day: DayClock, warehouse: Path) -> StormReport:
    """Run ``land_raw`` into ``warehouse`` until a run succeeds (or ``max_runs`` is reached)."""
    job = load_definitions().resolve_job_def(LAND_RAW)
    waits = SkippedWaits()
    resources = sandbox_resources(sandbox, warehouse, waits)
    report = StormReport()
    with dg.DagsterInstance.ephemeral() as instance, RetryLog().attached() as retries:
        for _ in range(config.max_runs):
            started = time.monotonic()
            result = job.execute_in_process(instance=instance, resources=resources, raise_on_error=False)
            outcome = RunOutcome(
                success=result.success,
                failed_steps=tuple(e.step_key or "" for e in result.get_step_failure_events()),
                daily_stop=_stopped_for_the_day(result),
                seconds=time.monotonic() - started,
            )
            report.runs.append(outcome)
            if outcome.success:
                break
            if outcome.daily_stop:
                day.next_day()
    stats = sandbox.stats()
    report.requests = stats["requests_total"]
    report.faults = dict(stats["faults_injected"])
    report.rate_limited = dict(stats["rate_limited"])
    report.retries = dict(retries.counts)
    report.waits_skipped = waits.count
    report.seconds_skipped = waits.seconds
    return report
