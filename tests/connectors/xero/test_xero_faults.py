"""Xero failure handling against the sandbox's injected faults (virtual time: no real waits)."""

from __future__ import annotations

import pytest

from connectors.base import NoProgressError, RateLimitExhausted
from connectors.xero import xero_streams
from sandbox.service.faults import FaultKind
from sandbox.service.server import Sandbox


def invoices(config):
    return next(s for s in xero_streams(config) if s.name == "invoices")


def test_minute_limit_waits_retry_after(sb: Sandbox, make_config, drain, virtual_time) -> None:
    sb.faults.script(r"/Invoices", FaultKind.RATE_LIMIT, count=2)
    tables, _ = drain(invoices(make_config()))
    assert tables["invoices"].num_rows == len(sb.business.xero_collection("Invoices"))
    assert virtual_time.sleeps.count(1.0) == 2


def test_minute_limit_without_retry_after_waits_a_minute(
    sb: Sandbox, make_config, drain, virtual_time
) -> None:
    sb.faults.script(r"/Invoices", FaultKind.RATE_LIMIT_NO_RETRY_AFTER, count=1)
    drain(invoices(make_config()))
    assert 60.0 in virtual_time.sleeps


def test_day_limit_stops_without_a_new_state(sb: Sandbox, make_config, drain, virtual_time) -> None:
    stream = invoices(make_config())
    _, state = drain(stream)
    sb.faults.script(r"/Invoices", FaultKind.DAILY_LIMIT, count=1)
    with pytest.raises(RateLimitExhausted, match="daily"):
        drain(stream, state)
    assert not [s for s in virtual_time.sleeps if s >= 1.0]


def test_repeated_page_is_an_error(sb: Sandbox, make_config, drain) -> None:
    sb.faults.script(r"/Invoices\?.*page=2", FaultKind.REPEAT_CURSOR, count=1)
    with pytest.raises(NoProgressError, match="page 2 repeats only records already read"):
        drain(invoices(make_config(page_size=100)))


@pytest.mark.parametrize(
    "fault", [FaultKind.HTTP_500, FaultKind.HTTP_503, FaultKind.TRUNCATED, FaultKind.HTML_200]
)
def test_faulty_pages_are_refetched(sb: Sandbox, make_config, drain, fault) -> None:
    count = (
        1 if fault == FaultKind.HTTP_500 else 2
    )  # a 500 is retried once (HttpSettings.server_error_retries)
    sb.faults.script(r"/Invoices\?.*page=3", fault, count=count)
    tables, _ = drain(invoices(make_config(page_size=100)))
    assert tables["invoices"].num_rows == len(sb.business.xero_collection("Invoices"))
    assert sb.stats()["faults_injected"].get(fault.value, 0) >= count


def test_pacing_spreads_calls_over_the_minute(sb: Sandbox, make_config, drain, virtual_time) -> None:
    tables, _ = drain(invoices(make_config(page_size=100, requests_per_minute=3)))
    pages = -(-len(sb.business.xero_collection("Invoices")) // 100)
    assert tables["invoices"].num_rows > 0
    calls = pages + 1  # the pages and the connections call share the limiter
    assert sum(virtual_time.sleeps) >= 60.0 * (-(-calls // 3) - 1)
