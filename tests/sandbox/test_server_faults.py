"""Injected faults, rate limits and the control endpoints, seen from a real HTTP client."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from fake_clock import FakeClock
from server_clients import HubspotClient, XeroClient

from sandbox.service.faults import FaultKind, FaultProfile, ScriptedCorruption
from sandbox.service.limits import HubspotLimits, XeroLimits
from sandbox.service.payload_faults import (
    NON_UTF8_BYTES,
    UNKNOWN_ENUM_VALUE,
    UNPARSEABLE_VALUE,
    Corruption,
)
from sandbox.service.server import Sandbox

DEALS = "/crm/v3/objects/deals"


def test_scripted_fault_hits_only_matching_requests_and_only_count_times(
    sb: Sandbox, hubspot: HubspotClient
) -> None:
    sb.faults.script(r"/hubspot/crm/v3/objects/deals\b", FaultKind.HTTP_503, count=2)
    assert hubspot.get("/crm/v3/objects/contacts").status_code == 200
    assert [hubspot.get(DEALS).status_code for _ in range(3)] == [503, 503, 200]
    assert sb.stats()["faults_injected"][FaultKind.HTTP_503] == 2


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (FaultKind.HTTP_500, 500),
        (FaultKind.HTTP_502, 502),
        (FaultKind.HTTP_503, 503),
    ],
)
def test_server_errors(
    sb: Sandbox, hubspot: HubspotClient, xero: XeroClient, kind: FaultKind, status: int
) -> None:
    sb.faults.script("/hubspot/", kind)
    sb.faults.script("/xero/api.xro/", kind)
    assert hubspot.get(DEALS).status_code == status
    assert xero.get("/Invoices").status_code == status


def test_hubspot_429_bodies_with_and_without_retry_after(sb: Sandbox, hubspot: HubspotClient) -> None:
    sb.faults.configure(FaultProfile(retry_after_seconds=3))
    sb.faults.script("/hubspot/", FaultKind.RATE_LIMIT)
    sb.faults.script("/hubspot/", FaultKind.RATE_LIMIT_NO_RETRY_AFTER)
    sb.faults.script("/hubspot/", FaultKind.DAILY_LIMIT)
    with_retry, without_retry, daily = (hubspot.get(DEALS) for _ in range(3))
    for response in (with_retry, without_retry, daily):
        assert response.status_code == 429
        body = response.json()
        assert body["status"] == "error" and body["errorType"] == "RATE_LIMIT"
        assert body["correlationId"] and body["requestId"]
    assert with_retry.headers["Retry-After"] == "3"
    assert with_retry.json()["policyName"] == "TEN_SECONDLY_ROLLING"
    assert with_retry.json()["message"] == "You have reached your ten_secondly_rolling limit."
    assert "Retry-After" not in without_retry.headers
    assert without_retry.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
    assert (
        daily.json()["policyName"] == "DAILY" and daily.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "0"
    )


def test_xero_429_headers(sb: Sandbox, xero: XeroClient) -> None:
    sb.faults.script("/xero/api.xro/", FaultKind.RATE_LIMIT)
    sb.faults.script("/xero/api.xro/", FaultKind.DAILY_LIMIT)
    minute, day = xero.get("/Invoices"), xero.get("/Invoices")
    assert minute.status_code == day.status_code == 429
    assert minute.headers["X-Rate-Limit-Problem"] == "minute" and minute.headers["Retry-After"] == "1"
    assert day.headers["X-Rate-Limit-Problem"] == "day" and int(day.headers["Retry-After"]) > 60


def test_slow_response_trips_a_client_timeout(sb: Sandbox, hubspot: HubspotClient) -> None:
    sb.faults.configure(FaultProfile(slow_seconds=0.4))
    sb.faults.script("/hubspot/", FaultKind.SLOW)
    with pytest.raises(requests.Timeout):
        hubspot.session.get(hubspot.base + DEALS, timeout=0.1)
    sb.faults.script("/hubspot/", FaultKind.SLOW)
    started = time.perf_counter()
    assert hubspot.get(DEALS).status_code == 200
    assert time.perf_counter() - started >= 0.4


def test_truncated_body_breaks_the_read(sb: Sandbox, hubspot: HubspotClient) -> None:
    sb.faults.script("/hubspot/", FaultKind.TRUNCATED)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        hubspot.get(DEALS, limit=100)
    assert hubspot.get(DEALS).status_code == 200  # the session recovers on a new connection


def test_html_error_page_with_status_200(sb: Sandbox, hubspot: HubspotClient) -> None:
    sb.faults.script("/hubspot/", FaultKind.HTML_200)
    response = hubspot.get(DEALS)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    with pytest.raises(requests.JSONDecodeError):
        response.json()


def test_expired_token_mid_run(sb: Sandbox, hubspot: HubspotClient, xero: XeroClient) -> None:
    sb.faults.script("/hubspot/", FaultKind.TOKEN_EXPIRED)
    expired = hubspot.get(DEALS)
    assert expired.status_code == 401 and expired.json()["category"] == "EXPIRED_AUTHENTICATION"
    sb.faults.script("/xero/api.xro/", FaultKind.TOKEN_EXPIRED)
    assert xero.get("/Invoices").json()["Detail"].startswith("TokenExpired")
    assert xero.get("/Invoices").status_code == 401  # the token is really dead, not one bad response
    xero.refresh()
    assert xero.get("/Invoices").status_code == 200


def test_repeat_cursor_hubspot_list_and_search(sb: Sandbox, hubspot: HubspotClient) -> None:
    first = hubspot.get(DEALS, limit=5).json()
    cursor = first["paging"]["next"]["after"]
    sb.faults.script("after=", FaultKind.REPEAT_CURSOR)
    assert hubspot.get(DEALS, limit=5, after=cursor).json()["paging"]["next"]["after"] == cursor
    assert hubspot.get(DEALS, limit=5, after=cursor).json()["paging"]["next"]["after"] != cursor
    sb.faults.script("/search", FaultKind.REPEAT_CURSOR)
    search = {"limit": 5, "after": "5"}
    assert hubspot.post(f"{DEALS}/search", search).json()["paging"]["next"]["after"] == "5"
    assert sb.stats()["faults_injected"][FaultKind.REPEAT_CURSOR] == 2


def test_repeat_cursor_xero_serves_the_previous_page_again(sb: Sandbox, xero: XeroClient) -> None:
    page_one = xero.get("/Invoices", page=1, pageSize=10).json()["Invoices"]
    sb.faults.script("/Invoices", FaultKind.REPEAT_CURSOR)
    assert (
        xero.get("/Invoices", page=1, pageSize=10).json()["Invoices"] == page_one
    )  # page 1: nothing to repeat
    repeated = xero.get("/Invoices", page=2, pageSize=10).json()
    assert repeated["Invoices"] == page_one and repeated["pagination"]["page"] == 2


def test_random_faults_are_seeded_and_counted(sb: Sandbox, hubspot: HubspotClient) -> None:
    profile = FaultProfile(seed=11, rates={FaultKind.HTTP_503: 0.3, FaultKind.RATE_LIMIT: 0.1})
    runs = []
    for _ in range(2):
        before = sb.stats()["faults_injected"]
        sb.faults.configure(profile)
        runs.append([hubspot.get(DEALS, limit=1).status_code for _ in range(40)])
        after = sb.stats()["faults_injected"]
        assert after.get(FaultKind.HTTP_503, 0) - before.get(FaultKind.HTTP_503, 0) == runs[-1].count(503)
    assert runs[0] == runs[1]
    assert 0 < runs[0].count(503) < 40 and 429 in runs[0]


def test_fault_profile_over_http(sb: Sandbox, hubspot: HubspotClient) -> None:
    profile = {"seed": 1, "scripted": [{"match": "/hubspot/crm/v3/owners", "fault": "http_502", "count": 1}]}
    response = requests.post(f"{sb.base_url}/_sandbox/faults", json=profile, timeout=10)
    assert response.status_code == 200
    assert (
        requests.get(f"{sb.base_url}/_sandbox/faults", timeout=10).json()["scripted"][0]["fault"]
        == "http_502"
    )
    assert hubspot.get("/crm/v3/owners").status_code == 502
    invalid = requests.post(f"{sb.base_url}/_sandbox/faults", json={"rates": {"http_503": 2}}, timeout=10)
    assert invalid.status_code == 400
    stats = requests.get(f"{sb.base_url}/_sandbox/stats", timeout=10).json()
    assert stats["requests"]["hubspot"] >= 1 and stats["faults_injected"]["http_502"] >= 1


def test_scripted_corruption_aims_at_one_record_of_one_page(sb: Sandbox, hubspot: HubspotClient) -> None:
    clean = hubspot.get(DEALS, limit=5).json()["results"]
    sb.faults.corrupt(
        ScriptedCorruption(
            match=r"/objects/deals\?",
            corruption=Corruption.UNKNOWN_ENUM,
            record=2,
            field="properties.dealstage",
        )
    )
    assert hubspot.get(DEALS, limit=2).json()["results"] == clean[:2]  # too short: left alone, not spent
    corrupted = hubspot.get(DEALS, limit=5).json()["results"]
    assert corrupted[2]["properties"]["dealstage"] == UNKNOWN_ENUM_VALUE
    assert corrupted[:2] + corrupted[3:] == clean[:2] + clean[3:]
    assert hubspot.get(DEALS, limit=5).json()["results"] == clean  # spent after one page
    assert sb.stats()["faults_injected"]["corrupt:unknown_enum"] == 1


def test_a_corruption_aims_at_one_entry_of_a_nested_list(sb: Sandbox, hubspot: HubspotClient) -> None:
    """``[n]`` in ``field`` picks a list position: here one stage-history change of one deal."""
    history = "propertiesWithHistory.dealstage"
    clean = hubspot.get(DEALS, limit=3, propertiesWithHistory="dealstage").json()["results"]
    sb.faults.corrupt(
        ScriptedCorruption(
            match=r"/objects/deals\?",
            corruption=Corruption.UNPARSEABLE,
            record=1,
            field=f"{history}[0].timestamp",
        )
    )
    corrupted = hubspot.get(DEALS, limit=3, propertiesWithHistory="dealstage").json()["results"]
    changes = corrupted[1]["propertiesWithHistory"]["dealstage"]
    assert changes[0]["timestamp"] == UNPARSEABLE_VALUE
    changes[0]["timestamp"] = clean[1]["propertiesWithHistory"]["dealstage"][0]["timestamp"]
    assert corrupted == clean
    assert sb.stats()["faults_injected"]["corrupt:unparseable"] == 1


def test_corruptions_skip_count_and_travel_over_http(sb: Sandbox, xero: XeroClient) -> None:
    profile = {
        "corruptions": [
            {"match": "/Invoices", "corruption": "duplicate_id", "record": 1, "skip": 1, "count": 2},
            {"match": "/Contacts", "corruption": "non_utf8", "record": 0, "field": "Name"},
        ]
    }
    assert requests.post(f"{sb.base_url}/_sandbox/faults", json=profile, timeout=10).status_code == 200
    pages = [xero.get("/Invoices", page=1, pageSize=4).json()["Invoices"] for _ in range(4)]
    assert [len(page) for page in pages] == [4, 5, 5, 4]
    assert pages[1][1] == pages[1][2] and pages[1][:2] + pages[1][3:] == pages[0]
    body = xero.get("/Contacts", page=1, pageSize=2).content
    assert NON_UTF8_BYTES in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert xero.get("/Contacts", page=1, pageSize=2).content.decode("utf-8")


# -- rate limits ---------------------------------------------------------------------------------------------
def test_hubspot_ten_secondly_and_daily_budgets(
    sb: Sandbox, hubspot: HubspotClient, token_clock: FakeClock
) -> None:
    sb.faults.configure(FaultProfile(hubspot_limits=HubspotLimits(ten_secondly=3, daily=5)))
    responses = [hubspot.get(DEALS, limit=1) for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert [r.headers["X-HubSpot-RateLimit-Remaining"] for r in responses[:3]] == ["2", "1", "0"]
    assert responses[0].headers["X-HubSpot-RateLimit-Max"] == "3"
    assert responses[0].headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
    assert responses[2].headers["X-HubSpot-RateLimit-Daily-Remaining"] == "2"
    assert (
        responses[3].json()["policyName"] == "TEN_SECONDLY_ROLLING"
        and "Retry-After" not in responses[3].headers
    )
    token_clock.advance(10)
    assert [hubspot.get(DEALS, limit=1).status_code for _ in range(3)] == [200, 200, 429]
    assert hubspot.get(DEALS).json()["policyName"] == "DAILY"
    assert sb.stats()["rate_limited"]["hubspot:DAILY"] >= 1


def test_hubspot_search_has_its_own_per_second_budget(
    sb: Sandbox, hubspot: HubspotClient, token_clock: FakeClock
) -> None:
    sb.faults.configure(
        FaultProfile(hubspot_limits=HubspotLimits(ten_secondly=1, search_per_second=2, send_retry_after=True))
    )
    assert hubspot.get(DEALS).status_code == 200
    searches = [hubspot.post(f"{DEALS}/search", {"limit": 1}) for _ in range(3)]
    assert [r.status_code for r in searches] == [200, 200, 429]  # not counted in the ten-secondly bucket
    assert searches[2].json()["policyName"] == "SECONDLY" and searches[2].headers["Retry-After"] == "1"
    token_clock.advance(1)
    assert hubspot.post(f"{DEALS}/search", {"limit": 1}).status_code == 200


def test_xero_minute_and_day_limits(sb: Sandbox, xero: XeroClient, token_clock: FakeClock) -> None:
    sb.faults.configure(FaultProfile(xero_limits=XeroLimits(per_minute=2, per_day=3)))
    responses = [xero.get("/Organisation") for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 429]
    assert [r.headers["X-MinLimit-Remaining"] for r in responses[:2]] == ["1", "0"]
    assert (
        responses[0].headers["X-DayLimit-Remaining"] == "2"
        and "X-AppMinLimit-Remaining" in responses[0].headers
    )
    assert (
        responses[2].headers["X-Rate-Limit-Problem"] == "minute"
        and int(responses[2].headers["Retry-After"]) <= 60
    )
    token_clock.advance(60)
    assert xero.get("/Organisation").status_code == 200
    exhausted = xero.get("/Organisation")
    assert exhausted.status_code == 429 and exhausted.headers["X-Rate-Limit-Problem"] == "day"


def test_xero_concurrency_limit(sb: Sandbox, xero: XeroClient) -> None:
    sb.faults.configure(
        FaultProfile(
            slow_seconds=0.5,
            rates={FaultKind.SLOW: 1.0},
            xero_limits=XeroLimits(concurrent=2, per_minute=1000),
        )
    )
    headers = xero.headers()
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = []
        for _ in range(3):
            futures.append(
                pool.submit(requests.get, f"{sb.xero_api_url}/Organisation", headers=headers, timeout=10)
            )
            time.sleep(0.05)
        responses = [f.result() for f in futures]
    assert sorted(r.status_code for r in responses) == [200, 200, 429]
    refused = next(r for r in responses if r.status_code == 429)
    assert refused.headers["X-Rate-Limit-Problem"] == "concurrent"
    assert [xero.get("/Organisation").status_code for _ in range(2)] == [200, 200]  # slots were given back
