"""The shared HTTP layer: pacing, transport retries and bad-body retries against the real sandbox."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date

import pytest

from connectors.base import ApiError, AuthenticationError, collect_read_stats
from connectors.http import HttpClient, HttpSettings, RateLimiter, decode_json
from connectors.hubspot.client import BearerAuth, rate_limit_wait
from sandbox.service.faults import FaultKind, FaultProfile
from sandbox.service.server import Sandbox, run_sandbox
from sandbox.simulation.config import SandboxConfig

CONFIG = SandboxConfig(seed=3, scale=0.05, as_of=date(2025, 6, 30))
OWNERS = "/crm/v3/owners"


@pytest.fixture(scope="module")
def module_sandbox() -> Iterator[Sandbox]:
    with run_sandbox(CONFIG, port=0) as sandbox:
        yield sandbox


@pytest.fixture
def sb(module_sandbox: Sandbox) -> Iterator[Sandbox]:
    yield module_sandbox
    module_sandbox.faults.reset()


def client_for(sb: Sandbox, settings: HttpSettings, token: str | None = None) -> HttpClient:
    auth = BearerAuth(token or sb.credentials.hubspot_access_token)
    return HttpClient("hubspot", settings, rate_limit_policy=rate_limit_wait, auth=auth)


def owners(client: HttpClient, sb: Sandbox) -> object:
    _, body = client.request("GET", sb.hubspot_base_url + OWNERS, params={"limit": 100})
    return body


# -- rate limiter ------------------------------------------------------------------------------
def test_limiter_spreads_calls_over_the_window(virtual_time) -> None:
    limiter = RateLimiter(2, 1.0, clock=virtual_time.monotonic, sleep=virtual_time.sleep)
    starts = []
    for _ in range(5):
        limiter.acquire()
        starts.append(virtual_time.now - 1_000.0)
    assert starts == [0.0, 0.0, 1.0, 1.0, 2.0]


def test_limiter_pause_and_reconfigure(virtual_time) -> None:
    limiter = RateLimiter(1, 10.0, clock=virtual_time.monotonic, sleep=virtual_time.sleep)
    limiter.reconfigure(100, 10.0)
    limiter.pause(3.0)
    limiter.acquire()
    limiter.acquire()
    assert virtual_time.now - 1_000.0 == pytest.approx(3.0)
    assert limiter.budget == (100, 10.0)


def test_limiter_caps_requests_in_flight() -> None:
    limiter = RateLimiter(100, 1.0, max_in_flight=1)
    inside, release, second_entered = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        with limiter.slot():
            inside.set()
            release.wait(5)

    def second() -> None:
        with limiter.slot():
            second_entered.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    inside.wait(5)
    threads[1].start()
    assert not second_entered.wait(0.2)
    release.set()
    assert second_entered.wait(5)
    for thread in threads:
        thread.join()


# -- retries ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fault", "count"),
    [
        (FaultKind.HTTP_500, 1),  # HttpSettings.server_error_retries
        (FaultKind.HTTP_502, 2),
        (FaultKind.HTTP_503, 2),
        (FaultKind.TRUNCATED, 2),
        (FaultKind.HTML_200, 2),
    ],
)
def test_transient_faults_are_retried(
    sb: Sandbox, fast_http: HttpSettings, fault: FaultKind, count: int
) -> None:
    client = client_for(sb, fast_http)
    expected = owners(client, sb)
    sb.faults.script(OWNERS, fault, count=count)
    assert owners(client, sb) == expected
    assert sb.stats()["faults_injected"].get(fault.value) == count


def test_a_500_is_retried_once_not_five_times(sb: Sandbox, fast_http: HttpSettings) -> None:
    sb.faults.script(OWNERS, FaultKind.HTTP_500, count=50)
    with collect_read_stats() as stats, pytest.raises(ApiError, match="HTTP 500"):
        owners(client_for(sb, fast_http), sb)
    assert stats.requests == 2


def test_read_timeouts_are_retried(sb: Sandbox, fast_http: HttpSettings) -> None:
    sb.faults.configure(FaultProfile(slow_seconds=0.6))
    sb.faults.script(OWNERS, FaultKind.SLOW, count=1)
    settings = HttpSettings(
        read_timeout=0.3, backoff_factor=0.01, sleep=fast_http.sleep, clock=fast_http.clock
    )
    assert owners(client_for(sb, settings), sb)["results"]


def test_retries_run_out_with_an_api_error(sb: Sandbox, fast_http: HttpSettings) -> None:
    sb.faults.script(OWNERS, FaultKind.HTTP_503, count=50)
    with pytest.raises(ApiError, match="HTTP 503"):
        owners(client_for(sb, fast_http), sb)


def test_undecodable_bodies_run_out_with_an_api_error(sb: Sandbox, fast_http: HttpSettings) -> None:
    sb.faults.script(OWNERS, FaultKind.HTML_200, count=50)
    with pytest.raises(ApiError, match="failed after 4 attempts"):
        owners(client_for(sb, fast_http), sb)


# -- read stats ------------------------------------------------------------------------------
@pytest.mark.parametrize("fault", [FaultKind.HTTP_503, FaultKind.TRUNCATED, FaultKind.RATE_LIMIT])
def test_read_stats_count_every_attempt(sb: Sandbox, fast_http: HttpSettings, fault: FaultKind) -> None:
    client = client_for(sb, fast_http)
    sb.faults.script(OWNERS, fault, count=2)
    with collect_read_stats() as stats:
        owners(client, sb)
        owners(client, sb)
    owners(client, sb)
    assert stats.requests == 4, "two retried attempts and two clean calls; the call outside not counted"
    assert stats.fetch_seconds > 0


def test_read_stats_leave_decoding_out_of_fetch_time(sb: Sandbox, fast_http: HttpSettings) -> None:
    def slow_decode(body: bytes) -> object:
        time.sleep(0.3)
        return decode_json(body)

    client = client_for(sb, fast_http)
    with collect_read_stats() as stats:
        started = time.perf_counter()
        client.request("GET", sb.hubspot_base_url + OWNERS, decode=slow_decode)
        elapsed = time.perf_counter() - started
    assert stats.requests == 1
    assert 0 < stats.fetch_seconds <= elapsed - 0.3


def test_rejected_credentials_never_echo_the_token(sb: Sandbox, fast_http: HttpSettings) -> None:
    secret = "pat-not-a-real-token-0123456789"
    with pytest.raises(AuthenticationError) as raised:
        owners(client_for(sb, fast_http, token=secret), sb)
    assert secret not in str(raised.value)
    assert "<redacted>" in repr(BearerAuth(secret))


def test_session_settings() -> None:
    client = HttpClient("x", HttpSettings(trust_env=True), rate_limit_policy=lambda r: 0.0)
    assert client.session.trust_env is True
    assert client.session.headers["Accept"] == "application/json"
    with pytest.raises(ValueError):
        decode_json(b"<html>")
