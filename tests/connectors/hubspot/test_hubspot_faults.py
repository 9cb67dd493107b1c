"""HubSpot failure handling against the sandbox's injected faults (virtual time: no real waits)."""

from __future__ import annotations

import dataclasses

import pytest

from connectors.base import RateLimitExhausted, RepeatingCursorError
from connectors.hubspot import HubspotConfig, hubspot_streams
from sandbox.service.faults import FaultKind
from sandbox.service.server import Sandbox


def stream(config: HubspotConfig, name: str):
    return next(s for s in hubspot_streams(config) if s.name == name)


@pytest.mark.parametrize(
    ("fault", "wait"),
    [(FaultKind.RATE_LIMIT, 1.0), (FaultKind.RATE_LIMIT_NO_RETRY_AFTER, 10.0)],
    ids=["retry-after", "interval-header"],
)
def test_429_waits_then_completes(
    sb: Sandbox, config: HubspotConfig, drain, virtual_time, fault, wait
) -> None:
    sb.faults.script(r"/crm/v3/objects/deals\?", fault, count=2)
    tables, _ = drain(stream(config, "deals"))
    assert tables["deals"].num_rows == len(sb.business.hubspot_records("deals"))
    assert virtual_time.sleeps.count(wait) == 2


def test_429_on_search_is_waited_out(sb: Sandbox, config: HubspotConfig, drain, virtual_time) -> None:
    meetings = stream(config, "meetings")
    _, state = drain(meetings)
    sb.faults.script(r"/search", FaultKind.RATE_LIMIT, count=1)
    _, new_state = drain(meetings, state)
    assert new_state["window_end_ms"] >= state["window_end_ms"]
    assert 1.0 in virtual_time.sleeps


def test_daily_limit_stops_without_a_new_state(
    sb: Sandbox, config: HubspotConfig, drain, virtual_time
) -> None:
    contacts = stream(config, "contacts")
    _, state = drain(contacts)
    sb.faults.script(r"/search", FaultKind.DAILY_LIMIT, count=1)
    with pytest.raises(RateLimitExhausted, match="daily"):
        drain(contacts, state)  # raising means the generator never returned a state to store
    assert not [s for s in virtual_time.sleeps if s >= 1.0], "a daily limit must not be slept on"


def test_repeating_list_cursor_is_an_error(sb: Sandbox, config: HubspotConfig, drain) -> None:
    sb.faults.script(r"/crm/v3/objects/calls\?.*after=", FaultKind.REPEAT_CURSOR, count=1)
    with pytest.raises(RepeatingCursorError):
        drain(stream(config, "calls"))


def test_repeating_search_cursor_is_an_error(sb: Sandbox, config: HubspotConfig, drain) -> None:
    sb.faults.script(r"/crm/v3/objects/calls/search", FaultKind.REPEAT_CURSOR, count=5)
    with pytest.raises(RepeatingCursorError):
        drain(stream(config, "calls"), {"window_end_ms": 0})


@pytest.mark.parametrize(
    "fault", [FaultKind.TRUNCATED, FaultKind.HTML_200, FaultKind.HTTP_502, FaultKind.SLOW]
)
def test_faulty_pages_are_refetched(sb: Sandbox, config: HubspotConfig, drain, fault) -> None:
    if fault == FaultKind.SLOW:
        sb.faults.configure(sb.faults.profile.model_copy(update={"slow_seconds": 0.4}))
        config = dataclasses.replace(config, http=dataclasses.replace(config.http, read_timeout=0.2))
    sb.faults.script(r"/crm/v3/objects/emails\?.*after=", fault, count=2)
    tables, _ = drain(stream(config, "emails"))
    assert tables["emails"].num_rows == len(sb.business.hubspot_records("emails"))
    assert sb.stats()["faults_injected"].get(fault.value, 0) >= 2
