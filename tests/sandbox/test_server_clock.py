"""The business clock on the wire: ``Date`` follows it, ``advance`` shows new records, and two sandboxes
with the same configuration answer the same requests with the same bytes."""

from __future__ import annotations

from collections.abc import Iterator
from email.utils import parsedate_to_datetime

import pytest
import requests
from server_clients import SERVER_CONFIG, HubspotClient, XeroClient

from sandbox.service.server import Sandbox, run_sandbox
from sandbox.simulation.clock import epoch_ms
from sandbox.simulation.timeline import HUBSPOT_TYPES
from sandbox.xero.api import COLLECTIONS


@pytest.fixture
def fresh() -> Iterator[Sandbox]:
    """A sandbox of its own: these tests move the clock, which would disturb a shared one."""
    with run_sandbox(SERVER_CONFIG) as sandbox:
        yield sandbox


def test_date_header_is_the_business_clock_and_advance_shows_new_records(fresh: Sandbox) -> None:
    hubspot = HubspotClient(fresh)
    before = hubspot.get("/crm/v3/objects/contacts", limit=1)
    assert parsedate_to_datetime(before.headers["Date"]) == fresh.business.now.replace(microsecond=0)
    then = fresh.business.now
    count_before = len(fresh.business.hubspot_records("contacts"))

    moved = requests.post(f"{fresh.base_url}/_sandbox/advance", json={"days": 14}, timeout=60)
    assert moved.status_code == 200 and moved.json()["as_of"] == "2025-07-14"

    after = hubspot.get("/crm/v3/objects/contacts", limit=1)
    assert (
        parsedate_to_datetime(after.headers["Date"]) - parsedate_to_datetime(before.headers["Date"])
    ).days == 14
    assert len(fresh.business.hubspot_records("contacts")) > count_before
    changed = hubspot.post(
        "/crm/v3/objects/contacts/search",
        {
            "filterGroups": [
                {
                    "filters": [
                        {"propertyName": "lastmodifieddate", "operator": "GT", "value": str(epoch_ms(then))}
                    ]
                }
            ],
            "limit": 1,
        },
    ).json()
    assert changed["total"] > 0  # created or changed since the old clock, visible to an incremental search
    assert (
        requests.post(f"{fresh.base_url}/_sandbox/advance", json={"days": -1}, timeout=10).status_code == 400
    )


def _conversation(sandbox: Sandbox) -> list[tuple[int, dict[str, str], bytes]]:
    """The same requests a connector run makes, recorded as (status, headers, body)."""
    hubspot, xero = HubspotClient(sandbox), XeroClient(sandbox)
    responses = [
        hubspot.get(
            "/crm/v3/objects/deals", limit=100, propertiesWithHistory="dealstage", associations="companies"
        ),
        hubspot.post("/crm/v3/objects/contacts/search", {"limit": 200, "after": "200"}),
        hubspot.get("/crm/v3/objects/deals", after="not-base64!"),
        xero.get("/Invoices", page=2, pageSize=50),
        xero.get("/Reports/ProfitAndLoss", fromDate="2025-01-01", toDate="2025-03-31"),
        xero.get("/Contacts", headers={**xero.headers(), "Accept": "text/xml"}, page=1),
    ]
    return [(r.status_code, dict(r.headers), r.content) for r in responses]


def test_two_sandboxes_with_the_same_config_answer_byte_identically() -> None:
    with run_sandbox(SERVER_CONFIG) as first, run_sandbox(SERVER_CONFIG) as second:
        assert first.credentials == second.credentials
        assert _conversation(first) == _conversation(second)


def test_a_warm_advance_rebuilds_the_served_views_at_once_and_serves_the_same_bytes() -> None:
    """The benchmark advances with ``warm`` so a daily run is not charged for the simulator's rebuild;
    what is served afterwards must be exactly what a lazy rebuild serves."""
    with run_sandbox(SERVER_CONFIG) as warmed, run_sandbox(SERVER_CONFIG) as lazy:
        moved = requests.post(
            f"{warmed.base_url}/_sandbox/advance", json={"days": 3, "warm": True}, timeout=60
        )
        assert moved.status_code == 200
        # Built before any API request: the indexes a first page would otherwise build.
        assert set(warmed._app.hubspot._indexes) == set(HUBSPOT_TYPES)
        assert set(warmed._app.xero._indexes) == {*COLLECTIONS, "Journals"}
        lazy.advance(3)
        assert _conversation(warmed) == _conversation(lazy)
        bad = requests.post(
            f"{warmed.base_url}/_sandbox/advance", json={"days": 1, "warm": "yes"}, timeout=10
        )
        assert bad.status_code == 400
