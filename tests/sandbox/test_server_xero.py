"""The sandbox's Xero Accounting and identity contracts, over real HTTP against the real simulation."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any
from xml.etree import ElementTree

import orjson
import pytest
import requests
from fake_clock import FakeClock
from server_clients import XeroClient

from sandbox.service.routing import dumps
from sandbox.service.server import Sandbox
from sandbox.simulation.model import XeroDocument

PAGED = ["Invoices", "Contacts", "Payments", "CreditNotes", "BankTransactions", "ManualJournals"]


def _pages(
    xero: XeroClient, collection: str, headers: dict[str, str] | None = None, **params: Any
) -> list[dict[str, Any]]:
    """Follow ``page`` until a short page, as connectors do; checks the pagination block on the way."""
    documents: list[dict[str, Any]] = []
    page = 1
    while True:
        response = xero.get(f"/{collection}", headers=headers, page=page, **params)
        assert response.status_code == 200, response.text
        body = response.json()
        documents += body[collection]
        pagination = body["pagination"]
        assert pagination["page"] == page
        if len(body[collection]) < pagination["pageSize"]:
            assert pagination["itemCount"] == len(documents)
            assert pagination["pageCount"] == math.ceil(len(documents) / pagination["pageSize"])
            return documents
        page += 1


def _visible(sb: Sandbox, collection: str) -> list[XeroDocument]:
    documents = sb.business.xero_collection(collection)
    if collection == "Contacts":
        return [d for d in documents if d.body.get("ContactStatus") != "ARCHIVED"]
    return list(documents)


# -- identity ---------------------------------------------------------------------------------------------
def test_refresh_rotates_and_the_old_token_has_a_grace_period(
    sb: Sandbox, xero: XeroClient, token_clock: FakeClock
) -> None:
    old = xero.refresh_token
    grant = xero.refresh()
    assert (
        grant["expires_in"] == 1800 and grant["token_type"] == "Bearer" and "offline_access" in grant["scope"]
    )
    assert grant["refresh_token"] != old
    token_clock.advance(29 * 60)
    within_grace = xero.token_request(old)
    assert within_grace.status_code == 200
    token_clock.advance(2 * 60)
    expired = xero.token_request(old)
    assert expired.status_code == 400 and expired.json() == {"error": "invalid_grant"}
    assert xero.token_request(grant["refresh_token"]).status_code == 200  # the newest one still works
    xero.refresh_token = within_grace.json()["refresh_token"]


def test_token_endpoint_rejects_bad_client_and_grant_type(sb: Sandbox, xero: XeroClient) -> None:
    url = sb.xero_token_url
    bad_client = requests.post(
        url,
        auth=("nobody", "nothing"),
        data={"grant_type": "refresh_token", "refresh_token": xero.refresh_token},
        timeout=10,
    )
    assert bad_client.status_code == 400 and bad_client.json() == {"error": "invalid_client"}
    credentials = sb.credentials
    wrong_grant = requests.post(
        url,
        auth=(credentials.xero_client_id, credentials.xero_client_secret),
        data={"grant_type": "password"},
        timeout=10,
    )
    assert wrong_grant.json() == {"error": "unsupported_grant_type"}
    assert credentials.xero_client_secret not in bad_client.text + wrong_grant.text


def test_access_token_expires_after_30_minutes(xero: XeroClient, token_clock: FakeClock) -> None:
    assert xero.get("/Organisation").status_code == 200
    token_clock.advance(1801)
    expired = xero.get("/Organisation")
    assert expired.status_code == 401
    assert expired.json()["Detail"].startswith("TokenExpired")
    assert 'error="invalid_token"' in expired.headers["WWW-Authenticate"]
    xero.refresh()
    assert xero.get("/Organisation").status_code == 200


def test_expire_tokens_control_endpoint(sb: Sandbox, xero: XeroClient) -> None:
    revoked = requests.post(f"{sb.base_url}/_sandbox/expire-tokens", timeout=10).json()["revoked"]
    assert revoked >= 1
    assert xero.get("/Organisation").status_code == 401


def test_connections_lists_the_tenant(sb: Sandbox, xero: XeroClient) -> None:
    response = xero.session.get(
        sb.xero_connections_url, headers={"Authorization": f"Bearer {xero.access_token}"}
    )
    assert response.status_code == 200
    [connection] = response.json()
    assert connection["tenantId"] == sb.credentials.xero_tenant_id
    assert connection["tenantType"] == "ORGANISATION"
    assert connection["tenantName"] == sb.business.xero_organisation()["Name"]
    assert xero.session.get(sb.xero_connections_url).status_code == 401


@pytest.mark.parametrize("tenant", [None, "00000000-0000-0000-0000-000000000000"])
def test_missing_or_wrong_tenant_is_403(xero: XeroClient, tenant: str | None) -> None:
    headers = xero.headers()
    del headers["xero-tenant-id"]
    if tenant:
        headers["xero-tenant-id"] = tenant
    response = xero.get("/Invoices", headers=headers)
    assert response.status_code == 403
    assert (
        response.json()["Detail"] == "AuthenticationUnsuccessful" and response.json()["Title"] == "Forbidden"
    )


def test_unknown_bearer_is_401_authentication_unsuccessful(xero: XeroClient) -> None:
    response = xero.get("/Invoices", headers=xero.headers(Authorization="Bearer not-a-token"))
    assert response.status_code == 401 and response.json()["Detail"] == "AuthenticationUnsuccessful"


# -- collections -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("collection", PAGED)
def test_paged_collections_page_to_the_end(sb: Sandbox, xero: XeroClient, collection: str) -> None:
    expected = _visible(sb, collection)
    assert expected, f"the simulation should have {collection}"
    page_size = max(10, len(expected) // 4)
    documents = _pages(xero, collection, pageSize=page_size)
    assert [_id(collection, d) for d in documents] == [doc.id for doc in expected]
    assert documents[0] == orjson.loads(dumps(expected[0].body))


def _id(collection: str, body: dict[str, Any]) -> str:
    key = {
        "Invoices": "InvoiceID",
        "Contacts": "ContactID",
        "Payments": "PaymentID",
        "CreditNotes": "CreditNoteID",
        "BankTransactions": "BankTransactionID",
        "ManualJournals": "ManualJournalID",
    }[collection]
    return body[key]


def test_page_size_defaults_to_100_and_caps_at_1000(xero: XeroClient) -> None:
    default = xero.get("/Invoices", page=1).json()["pagination"]
    assert default["pageSize"] == 100
    capped = xero.get("/Invoices", page=1, pageSize=5000).json()["pagination"]
    assert capped["pageSize"] == 1000


def test_if_modified_since_is_strictly_after_and_ordered(sb: Sandbox, xero: XeroClient) -> None:
    documents = sb.business.xero_collection("Invoices")
    stamps = sorted(d.updated_at for d in documents)
    since = stamps[len(stamps) // 2].replace(microsecond=0)
    exact = [d for d in documents if d.updated_at == since]
    headers = xero.headers(**{"If-Modified-Since": since.strftime("%Y-%m-%dT%H:%M:%S")})
    served = _pages(xero, "Invoices", headers=headers, order="UpdatedDateUTC ASC", pageSize=1000)
    expected = sorted((d for d in documents if d.updated_at > since), key=lambda d: d.updated_at)
    assert [d["InvoiceID"] for d in served] == [d.id for d in expected]
    assert not any(d["InvoiceID"] in {e.id for e in exact} for d in served)
    http_date = xero.headers(**{"If-Modified-Since": since.strftime("%a, %d %b %Y %H:%M:%S GMT")})
    assert _pages(xero, "Invoices", headers=http_date, order="UpdatedDateUTC ASC", pageSize=1000) == served
    pivot = next(d for d in documents if d.updated_at.microsecond)  # a record changed at .xxx seconds
    at_pivot = xero.headers(**{"If-Modified-Since": pivot.updated_at.isoformat(timespec="milliseconds")})
    after_pivot = _pages(xero, "Invoices", headers=at_pivot, order="UpdatedDateUTC ASC", pageSize=1000)
    assert pivot.id not in {d["InvoiceID"] for d in after_pivot}  # equal is not "modified since"
    assert len(after_pivot) == sum(d.updated_at > pivot.updated_at for d in documents)
    later = xero.headers(**{"If-Modified-Since": (stamps[-1] + timedelta(seconds=1)).isoformat()})
    assert xero.get("/Invoices", headers=later, page=1).json()["Invoices"] == []


def test_where_statuses_and_include_archived(sb: Sandbox, xero: XeroClient) -> None:
    invoices = sb.business.xero_collection("Invoices")
    accrec = _pages(xero, "Invoices", where='Type=="ACCREC"', pageSize=1000)
    assert [d["InvoiceID"] for d in accrec] == [d.id for d in invoices if d.body["Type"] == "ACCREC"]
    paid_or_void = _pages(xero, "Invoices", Statuses="PAID,VOIDED", pageSize=1000)
    assert [d["InvoiceID"] for d in paid_or_void] == [
        d.id for d in invoices if d.body["Status"] in ("PAID", "VOIDED")
    ]
    both = _pages(xero, "Invoices", where='Type=="ACCREC" AND Status=="PAID"', pageSize=1000)
    assert {d["InvoiceID"] for d in both} == {d["InvoiceID"] for d in accrec} & {
        d["InvoiceID"] for d in paid_or_void if d["Status"] == "PAID"
    }
    contacts = sb.business.xero_collection("Contacts")
    every = _pages(xero, "Contacts", includeArchived="true", pageSize=1000)
    assert len(every) == len(contacts)
    bad = xero.get("/Invoices", where="Type LIKE 'A%'")
    assert bad.status_code == 400 and bad.json()["Type"] == "QueryParseException"


def test_unpaged_endpoints_and_organisation(sb: Sandbox, xero: XeroClient) -> None:
    for collection in ("Accounts", "Items", "TrackingCategories", "Currencies", "RepeatingInvoices"):
        body = xero.get(f"/{collection}").json()
        assert "pagination" not in body
        assert body["Status"] == "OK" and body["DateTimeUTC"].startswith("/Date(")
        assert isinstance(body[collection], list)
    assert [a["AccountID"] for a in xero.get("/Accounts").json()["Accounts"]] == [
        d.id for d in sb.business.xero_collection("Accounts")
    ]
    organisation = xero.get("/Organisation").json()["Organisations"]
    assert organisation == [orjson.loads(dumps(sb.business.xero_organisation()))]


def test_profit_and_loss_report(sb: Sandbox, xero: XeroClient) -> None:
    response = xero.get("/Reports/ProfitAndLoss", fromDate="2025-01-01", toDate="2025-01-31")
    assert response.status_code == 200
    [report] = response.json()["Reports"]
    assert report["Rows"]
    assert xero.get("/Reports/ProfitAndLoss", fromDate="2025-13-01").status_code == 400
    assert xero.get("/Reports/ProfitAndLoss", periods="13").json()["Type"] == "ValidationException"
    assert xero.get("/Reports/ProfitAndLoss", timeframe="WEEK").json()["Type"] == "ValidationException"
    assert xero.get("/Reports/ProfitAndLoss", trackingCategoryID="x").json()["Type"] == "ValidationException"


def _amounts(report: dict[str, Any]) -> dict[str, list[str]]:
    """Every row of a report by its label: the amount cells, most recent period first."""
    rows = [row for section in report["Rows"][1:] for row in section["Rows"]]
    return {row["Cells"][0]["Value"]: [cell["Value"] for cell in row["Cells"][1:]] for row in rows}


def test_profit_and_loss_compares_earlier_months(xero: XeroClient) -> None:
    """``periods=2&timeframe=MONTH``: three columns, newest first, each the month's own report."""
    [report] = xero.get(
        "/Reports/ProfitAndLoss", fromDate="2025-03-01", toDate="2025-03-31", periods="2", timeframe="MONTH"
    ).json()["Reports"]
    header = [cell["Value"] for cell in report["Rows"][0]["Cells"]]
    assert header == ["", "31 Mar 25", "28 Feb 25", "31 Jan 25"]
    together = _amounts(report)
    for column, (start, end) in enumerate(
        [("2025-03-01", "2025-03-31"), ("2025-02-01", "2025-02-28"), ("2025-01-01", "2025-01-31")]
    ):
        [single] = xero.get("/Reports/ProfitAndLoss", fromDate=start, toDate=end).json()["Reports"]
        alone = {label: values[0] for label, values in _amounts(single).items()}
        assert {label: values[column] for label, values in together.items() if label in alone} == alone
        assert all(values[column] == "0.00" for label, values in together.items() if label not in alone)


def test_xml_unless_accept_json(xero: XeroClient) -> None:
    headers = xero.headers()
    del headers["Accept"]
    response = xero.get("/Invoices", headers=headers, page=1, pageSize=3)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == "Response" and root.findtext("Status") == "OK"
    invoices = root.find("Invoices")
    assert invoices is not None and len(invoices.findall("Invoice")) == 3
    assert "/Date(" not in response.text


def test_unknown_path_is_404(xero: XeroClient) -> None:
    assert xero.get("/NoSuchThing").status_code == 404


# -- journals ----------------------------------------------------------------------------------------------
def _journal_batches(xero: XeroClient, headers: dict[str, str] | None = None, offset: int = 0) -> list[Any]:
    """Page /Journals as the field notes say: re-ask with offset = the last JournalNumber until empty."""
    served: list[dict[str, Any]] = []
    while True:
        response = xero.get("/Journals", headers=headers, offset=offset)
        assert response.status_code == 200, response.text
        body = response.json()
        assert "pagination" not in body
        batch = body["Journals"]
        if not batch:
            return served
        assert len(batch) <= 100
        served += batch
        offset = batch[-1]["JournalNumber"]


def test_journals_offset_paging_returns_everything_once(sb: Sandbox, xero: XeroClient) -> None:
    expected = sb.business.xero_collection("Journals")
    served = _journal_batches(xero)
    assert [j["JournalNumber"] for j in served] == list(range(1, len(expected) + 1))
    assert [j["JournalID"] for j in served] == [d.id for d in expected]
    assert served[5] == orjson.loads(dumps(expected[5].body))
    assert len(xero.get("/Journals").json()["Journals"]) == 100
    middle = len(expected) // 2
    assert xero.get("/Journals", offset=middle).json()["Journals"][0]["JournalNumber"] == middle + 1
    assert xero.get("/Journals", offset=len(expected)).json()["Journals"] == []
    assert xero.get("/Journals", paymentsOnly="false", offset=3).json()["Journals"][0]["JournalNumber"] == 4


def test_journals_if_modified_since_and_errors(sb: Sandbox, xero: XeroClient) -> None:
    expected = sb.business.xero_collection("Journals")
    pivot = expected[len(expected) * 2 // 3]
    since = xero.headers(**{"If-Modified-Since": pivot.updated_at.isoformat(timespec="milliseconds")})
    served = _journal_batches(xero, headers=since)
    assert [j["JournalID"] for j in served] == [d.id for d in expected if d.updated_at > pivot.updated_at]
    assert pivot.id not in {j["JournalID"] for j in served}
    offset = served[10]["JournalNumber"]
    assert _journal_batches(xero, headers=since, offset=offset) == served[11:]
    for params in ({"offset": "ten"}, {"paymentsOnly": "true"}, {"paymentsOnly": "maybe"}):
        response = xero.get("/Journals", **params)
        assert response.status_code == 400 and response.json()["Type"] == "ValidationException", params
    message = xero.get("/Journals", paymentsOnly="true").json()["Elements"][0]["ValidationErrors"][0]
    assert "not supported by the sandbox" in message["Message"]


def test_manual_journals_filters(sb: Sandbox, xero: XeroClient) -> None:
    manual = sb.business.xero_collection("ManualJournals")
    drafts = _pages(xero, "ManualJournals", where='Status=="DRAFT"')
    assert drafts and [d["ManualJournalID"] for d in drafts] == [
        d.id for d in manual if d.body["Status"] == "DRAFT"
    ]
    ordered = _pages(xero, "ManualJournals", order="Date DESC", pageSize=50)
    assert len(ordered) == len(manual)


def test_journals_render_as_xml(xero: XeroClient) -> None:
    headers = xero.headers()
    del headers["Accept"]
    response = xero.get("/Journals", headers=headers, offset=0)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/xml")
    journals = ElementTree.fromstring(response.content).find("Journals")
    assert journals is not None and len(journals.findall("Journal")) == 100
    assert journals.find("Journal/JournalLines/JournalLine/NetAmount") is not None
