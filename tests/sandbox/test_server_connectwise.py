"""ConnectWise PSA over HTTP: auth, paging (navigable and forward-only), conditions, fields, count,
hard deletes, the paths that do not exist, and the rate limit."""

from __future__ import annotations

import re
from typing import Any

import requests
from fake_clock import FakeClock
from server_clients import ConnectwiseClient

from sandbox.service.faults import FaultProfile
from sandbox.service.limits import ConnectwiseLimits
from sandbox.service.server import Sandbox


def _next(response: requests.Response) -> str | None:
    found = re.search(r'<([^>]+)>; rel="next"', response.headers.get("Link", ""))
    return found.group(1) if found else None


def test_auth_needs_basic_keys_and_client_id(sb: Sandbox, connectwise: ConnectwiseClient) -> None:
    assert connectwise.get("/time/workTypes").status_code == 200
    no_auth = connectwise.get("/time/workTypes", headers={"clientId": connectwise.headers["clientId"]})
    assert no_auth.status_code == 401 and no_auth.json()["code"] == "Unauthorized"
    wrong = connectwise.get("/time/workTypes", headers={**connectwise.headers, "Authorization": "Basic eDp5"})
    assert wrong.status_code == 401
    no_client = {"Authorization": connectwise.headers["Authorization"]}
    assert connectwise.get("/time/workTypes", headers=no_client).status_code == 401
    sb.connectwise_require_client_id = False
    try:
        assert connectwise.get("/time/workTypes", headers=no_client).status_code == 200
    finally:
        sb.connectwise_require_client_id = True


def test_env_names_the_connectwise_settings(sb: Sandbox) -> None:
    env = sb.env()
    assert env["CONNECTWISE_BASE_URL"].endswith("/connectwise/v4_6_release/apis/3.0")
    assert env["CONNECTWISE_COMPANY_ID"] == sb.credentials.connectwise_company_id


def test_navigable_paging_follows_link_to_the_end(connectwise: ConnectwiseClient) -> None:
    count = connectwise.get("/service/tickets/count").json()["count"]
    first = connectwise.get("/service/tickets", pageSize=1000)
    assert first.headers["Content-Type"].startswith("application/vnd.connectwise.com+json")
    seen, url = [t["id"] for t in first.json()], _next(first)
    assert 'rel="last"' in first.headers["Link"]
    while url:
        page = connectwise.session.get(url, headers=connectwise.headers, timeout=60)
        seen += [t["id"] for t in page.json()]
        url = _next(page)
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == count
    assert len(connectwise.get("/service/tickets", pageSize=5000).json()) == 1000  # clamped
    assert len(connectwise.get("/service/tickets").json()) == 25


def test_forward_only_paging_by_page_id(connectwise: ConnectwiseClient) -> None:
    headers = {**connectwise.headers, "pagination-type": "forward-only"}
    response = connectwise.get("/time/entries", headers=headers, pageSize=500, fields="id")
    ids = [e["id"] for e in response.json()]
    url = _next(response)
    assert url and f"pageId={ids[-1]}" in url and 'rel="last"' not in response.headers["Link"]
    while url:
        page = connectwise.session.get(url, headers=headers, timeout=60)
        ids += [e["id"] for e in page.json()]
        url = _next(page)
    assert ids == sorted(set(ids))
    assert len(ids) == connectwise.get("/time/entries/count").json()["count"]
    mixed = connectwise.get("/time/entries", headers=headers, orderBy="_info/lastUpdated desc")
    assert mixed.status_code == 400


def test_conditions_fields_and_order(connectwise: ConnectwiseClient) -> None:
    cutoff = "2025-06-01T00:00:00Z"
    recent = connectwise.get(
        "/time/entries",
        conditions=f'lastUpdated > [{cutoff}] AND chargeToType = "ServiceTicket"',
        fields="id,company/id,_info/lastUpdated",
        pageSize=1000,
    ).json()
    assert recent
    for entry in recent:
        assert set(entry) <= {"id", "company", "_info"} and set(entry["company"]) == {"id"}
        assert entry["_info"]["lastUpdated"] > cutoff
    company = recent[0]["company"]["id"]
    count = connectwise.get("/time/entries/count", conditions=f"company/id in ({company}, -1)").json()
    assert count["count"] >= 1
    ordered = connectwise.get("/system/members", orderBy="_info/lastUpdated desc").json()
    stamps = [m["_info"]["lastUpdated"] for m in ordered]
    assert stamps == sorted(stamps, reverse=True)
    for malformed in ("id >", 'name = "x', "lastUpdated > [not a date]", "(id = 1"):
        response = connectwise.get("/time/entries", conditions=malformed)
        assert response.status_code == 400, malformed
        assert response.json()["code"] == "InvalidObject"


def test_additions_per_agreement_and_missing_paths(connectwise: ConnectwiseClient) -> None:
    agreement = connectwise.get("/finance/agreements").json()[0]
    additions = connectwise.get(f"/finance/agreements/{agreement['id']}/additions").json()
    assert additions and {a["agreementId"] for a in additions} == {agreement["id"]}
    total = round(sum(a["extPrice"] for a in additions), 2)
    assert abs(total - agreement["billAmount"]) < 0.05 * len(additions)
    for missing in ("/system/workTypes", "/system/workRoles", "/time/nothing"):
        assert connectwise.get(missing).status_code == 404


def test_hard_deleted_entries_disappear(sb: Sandbox, connectwise: ConnectwiseClient) -> None:
    psa = sb.business._view().psa  # type: ignore[attr-defined]
    served = {e["id"] for e in _all(connectwise, "/time/entries")}
    deleted = [e.id for e in psa.all_entries if e.deleted_ms is not None and e.deleted_ms < psa.now_ms]
    assert deleted and not served & set(deleted)
    tickets = connectwise.get("/time/entries", conditions="hourlyCost = null", pageSize=5).json()
    assert tickets and all("hourlyCost" not in e for e in tickets)


def test_rate_limit_answers_429_with_retry_after(
    sb: Sandbox, connectwise: ConnectwiseClient, token_clock: FakeClock
) -> None:
    sb.faults.configure(FaultProfile(connectwise_limits=ConnectwiseLimits(per_minute=3)))
    statuses = [connectwise.get("/time/workRoles").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = connectwise.get("/time/workRoles")
    assert int(refused.headers["Retry-After"]) >= 1 and refused.json()["code"] == "TooManyRequests"
    token_clock.advance(61)
    assert connectwise.get("/time/workRoles").status_code == 200


def _all(connectwise: ConnectwiseClient, path: str) -> list[dict[str, Any]]:
    headers = {**connectwise.headers, "pagination-type": "forward-only"}
    response = connectwise.get(path, headers=headers, pageSize=1000)
    out, url = response.json(), _next(response)
    while url:
        response = connectwise.session.get(url, headers=headers, timeout=60)
        out += response.json()
        url = _next(response)
    return out
