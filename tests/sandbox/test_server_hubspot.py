"""The sandbox's HubSpot CRM contract, over real HTTP against the real simulation."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
import requests
from server_clients import HubspotClient

from sandbox.service.routing import dumps
from sandbox.service.server import Sandbox
from sandbox.service.timefmt import parse_iso
from sandbox.simulation.clock import epoch_ms
from sandbox.simulation.model import HubspotRecord

BY_OBJECT_ID = [{"propertyName": "hs_object_id", "direction": "ASCENDING"}]


def _records(sb: Sandbox, object_type: str, *, archived: bool = False) -> list[HubspotRecord]:
    return [r for r in sb.business.hubspot_records(object_type) if r.archived == archived]


def _list_all(hubspot: HubspotClient, path: str, **params: Any) -> tuple[list[dict[str, Any]], int]:
    results: list[dict[str, Any]] = []
    pages, after = 0, None
    while True:
        response = hubspot.get(path, **params, **({"after": after} if after else {}))
        assert response.status_code == 200, response.text
        body = response.json()
        results += body["results"]
        pages += 1
        if "paging" not in body:
            return results, pages
        assert body["paging"]["next"]["after"] != after
        after = body["paging"]["next"]["after"]


def _search_all(hubspot: HubspotClient, object_type: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        response = hubspot.post(
            f"/crm/v3/objects/{object_type}/search", body | ({"after": after} if after else {})
        )
        assert response.status_code == 200, response.text
        page = response.json()
        results += page["results"]
        if "paging" not in page:
            assert page["total"] == len(results)
            return results
        after = page["paging"]["next"]["after"]


def _search(
    hubspot: HubspotClient, object_type: str, *filters: dict[str, Any], **body: Any
) -> dict[str, Any]:
    request = {"filterGroups": [{"filters": list(filters)}] if filters else [], "limit": 200} | body
    response = hubspot.post(f"/crm/v3/objects/{object_type}/search", request)
    assert response.status_code == 200, response.text
    return response.json()


# -- list ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "object_type", ["contacts", "companies", "deals", "calls", "emails", "meetings", "tasks"]
)
def test_list_pages_to_the_end_with_live_records_only(
    sb: Sandbox, hubspot: HubspotClient, object_type: str
) -> None:
    live = _records(sb, object_type)
    assert live, f"the simulation should have {object_type}"
    results, pages = _list_all(hubspot, f"/crm/v3/objects/{object_type}", limit=100)
    assert [int(r["id"]) for r in results] == [r.id for r in live]
    assert pages == -(-len(live) // 100)
    assert all(r["archived"] is False and "archivedAt" not in r for r in results)


def test_list_defaults_and_always_present_properties(hubspot: HubspotClient) -> None:
    body = hubspot.get("/crm/v3/objects/0-3").json()  # the type id names deals too
    assert len(body["results"]) == 10  # HubSpot's default page size
    first = body["results"][0]
    assert set(first["properties"]) == {
        "amount",
        "closedate",
        "createdate",
        "dealname",
        "dealstage",
        "hs_lastmodifieddate",
        "hs_object_id",
        "pipeline",
    }
    assert first["properties"]["hs_object_id"] == first["id"]
    assert all(isinstance(v, str) or v is None for v in first["properties"].values())
    assert first["createdAt"].endswith("Z") and len(first["createdAt"]) == len("2024-05-01T10:00:00.123Z")
    contact = hubspot.get("/crm/v3/objects/contacts", limit=1).json()["results"][0]
    assert {"lastmodifieddate", "createdate", "hs_object_id", "email"} <= set(contact["properties"])


def test_requested_properties_and_unknown_names_ignored(hubspot: HubspotClient) -> None:
    body = hubspot.get("/crm/v3/objects/deals", limit=5, properties="dealname,no_such_property").json()
    for record in body["results"]:
        assert set(record["properties"]) == {"dealname", "createdate", "hs_lastmodifieddate", "hs_object_id"}


def test_limit_is_capped_at_100_and_at_50_with_history(hubspot: HubspotClient) -> None:
    assert len(hubspot.get("/crm/v3/objects/contacts", limit=500).json()["results"]) == 100
    with_history = hubspot.get("/crm/v3/objects/deals", limit=100, propertiesWithHistory="dealstage").json()
    assert len(with_history["results"]) == 50


def test_properties_with_history_newest_first(sb: Sandbox, hubspot: HubspotClient) -> None:
    records, _ = _list_all(hubspot, "/crm/v3/objects/deals", limit=50, propertiesWithHistory="dealstage")
    histories = {r["id"]: r["propertiesWithHistory"]["dealstage"] for r in records}
    assert any(len(h) > 1 for h in histories.values())
    by_id = {r.id: r for r in _records(sb, "deals")}
    for deal_id, history in histories.items():
        stamps = [change["timestamp"] for change in history]
        assert stamps == sorted(stamps, reverse=True)
        expected = [c.value or "" for c in reversed(by_id[int(deal_id)].history["dealstage"])]
        assert [change["value"] for change in history] == expected


def test_archived_listing_returns_only_archived_with_archived_at(sb: Sandbox, hubspot: HubspotClient) -> None:
    object_type = next(t for t in ("deals", "contacts", "companies") if _records(sb, t, archived=True))
    results, _ = _list_all(hubspot, f"/crm/v3/objects/{object_type}", limit=100, archived="true")
    assert [int(r["id"]) for r in results] == [r.id for r in _records(sb, object_type, archived=True)]
    assert all(r["archived"] is True and r["archivedAt"] for r in results)


def test_associations_on_list(sb: Sandbox, hubspot: HubspotClient) -> None:
    edges = sb.business.hubspot_associations("deals", "companies")
    results, _ = _list_all(hubspot, "/crm/v3/objects/deals", limit=100, associations="companies")
    with_edges = [r for r in results if "associations" in r]
    assert with_edges and len(with_edges) == sum(1 for r in results if edges.get(int(r["id"])))
    for record in with_edges:
        served = record["associations"]["companies"]["results"]
        assert [int(a["id"]) for a in served] == [e.to_id for e in edges[int(record["id"])]]
        assert {a["type"] for a in served} == {"deal_to_company"}


def test_over_long_url_is_414(hubspot: HubspotClient) -> None:
    properties = ",".join(f"custom_property_{i}" for i in range(600))
    assert hubspot.get("/crm/v3/objects/contacts", properties=properties).status_code == 414


def test_bad_or_missing_token_is_401_invalid_authentication(sb: Sandbox) -> None:
    for headers in ({}, {"Authorization": "Bearer pat-wrong"}):
        response = requests.get(f"{sb.hubspot_base_url}/crm/v3/objects/deals", headers=headers, timeout=10)
        assert response.status_code == 401
        body = response.json()
        assert body["status"] == "error" and body["category"] == "INVALID_AUTHENTICATION"
        assert body["correlationId"] and sb.credentials.hubspot_access_token not in response.text


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/crm/v3/objects/widgets", {}),
        ("/crm/v3/objects/deals", {"after": "%%%"}),
        ("/crm/v3/objects/deals", {"limit": "ten"}),
    ],
)
def test_invalid_parameters_are_400_validation_error(
    hubspot: HubspotClient, path: str, params: dict[str, str]
) -> None:
    response = hubspot.get(path, **params)
    assert response.status_code == 400 and response.json()["category"] == "VALIDATION_ERROR"


# -- search ----------------------------------------------------------------------------------------------
def test_search_pages_to_the_end_sorted_by_object_id(sb: Sandbox, hubspot: HubspotClient) -> None:
    results = _search_all(hubspot, "contacts", {"sorts": BY_OBJECT_ID, "properties": ["email"], "limit": 200})
    assert [int(r["id"]) for r in results] == [r.id for r in _records(sb, "contacts")]
    assert "associations" not in results[0]
    assert set(results[0]["properties"]) == {"email", "createdate", "lastmodifieddate", "hs_object_id"}


def test_search_window_on_modified_date(sb: Sandbox, hubspot: HubspotClient) -> None:
    live = _records(sb, "deals")
    modified = {r.id: parse_iso(r.properties["hs_lastmodifieddate"]) for r in live}
    stamps = sorted(modified.values())
    low, high = stamps[len(stamps) // 3], stamps[2 * len(stamps) // 3]
    results = _search_all(
        hubspot,
        "deals",
        {
            "filterGroups": [
                {
                    "filters": [
                        {
                            "propertyName": "hs_lastmodifieddate",
                            "operator": "GTE",
                            "value": str(epoch_ms(low)),
                        },
                        {
                            "propertyName": "hs_lastmodifieddate",
                            "operator": "LTE",
                            "value": str(epoch_ms(high)),
                        },
                    ]
                }
            ],
            "sorts": BY_OBJECT_ID,
            "limit": 100,
        },
    )
    assert [int(r["id"]) for r in results] == [r.id for r in live if low <= modified[r.id] <= high]


def test_search_operators_and_or_across_groups(sb: Sandbox, hubspot: HubspotClient) -> None:
    live = _records(sb, "deals")
    ids = [r.id for r in live]
    stages = sorted({r.properties.get("dealstage") for r in live} - {None})
    assert len(stages) >= 2
    eq = _search(hubspot, "deals", {"propertyName": "dealstage", "operator": "EQ", "value": stages[0]})
    assert eq["total"] == sum(r.properties.get("dealstage") == stages[0] for r in live)
    not_in = _search(
        hubspot, "deals", {"propertyName": "dealstage", "operator": "NOT_IN", "values": stages[:1]}
    )
    assert eq["total"] + not_in["total"] == len(live)
    between = _search(
        hubspot,
        "deals",
        {
            "propertyName": "hs_object_id",
            "operator": "BETWEEN",
            "value": str(ids[10]),
            "highValue": str(ids[19]),
        },
    )
    assert [int(r["id"]) for r in between["results"]] == ids[10:20]
    either = hubspot.post(
        "/crm/v3/objects/deals/search",
        {
            "filterGroups": [
                {"filters": [{"propertyName": "hs_object_id", "operator": "EQ", "value": str(ids[0])}]},
                {"filters": [{"propertyName": "hs_object_id", "operator": "EQ", "value": str(ids[-1])}]},
            ],
        },
    ).json()
    assert sorted(int(r["id"]) for r in either["results"]) == [ids[0], ids[-1]]
    has_amount = _search(hubspot, "deals", {"propertyName": "amount", "operator": "HAS_PROPERTY"})
    no_amount = _search(hubspot, "deals", {"propertyName": "amount", "operator": "NOT_HAS_PROPERTY"})
    assert has_amount["total"] + no_amount["total"] == len(live)
    newest = _search(
        hubspot, "deals", sorts=[{"propertyName": "hs_object_id", "direction": "DESCENDING"}], limit=3
    )
    assert [int(r["id"]) for r in newest["results"]] == ids[::-1][:3]


def test_search_never_returns_archived_records(sb: Sandbox, hubspot: HubspotClient) -> None:
    object_type = next(t for t in ("deals", "contacts", "companies") if _records(sb, t, archived=True))
    archived_id = _records(sb, object_type, archived=True)[0].id
    found = _search(
        hubspot, object_type, {"propertyName": "hs_object_id", "operator": "EQ", "value": str(archived_id)}
    )
    assert found == {"total": 0, "results": []}


def test_search_refuses_to_page_past_the_result_cap(sb: Sandbox, hubspot: HubspotClient) -> None:
    sb.hubspot_search_cap = 60  # the real cap is 10,000; the rule is the same
    live_ids = [r.id for r in _records(sb, "contacts")]
    assert len(live_ids) > 60
    body: dict[str, Any] = {"sorts": BY_OBJECT_ID, "limit": 20}
    pages = [hubspot.post("/crm/v3/objects/contacts/search", body | {"after": str(a)}) for a in (0, 20, 40)]
    assert [p.status_code for p in pages] == [200, 200, 200]
    assert pages[-1].json()["paging"]["next"]["after"] == "60"  # offered, as HubSpot does, then refused
    refused = hubspot.post("/crm/v3/objects/contacts/search", body | {"after": "60"})
    assert refused.status_code == 400
    assert refused.json()["category"] == "VALIDATION_ERROR" and "60" in refused.json()["message"]
    last_seen = int(pages[-1].json()["results"][-1]["id"])
    restarted = _search(
        hubspot,
        "contacts",
        {"propertyName": "hs_object_id", "operator": "GT", "value": str(last_seen)},
        sorts=BY_OBJECT_ID,
        limit=20,
    )
    assert int(restarted["results"][0]["id"]) == live_ids[60]


def test_search_validation_errors(hubspot: HubspotClient) -> None:
    for body in (
        {"filterGroups": [{"filters": [{"propertyName": "amount", "operator": "ROUGHLY", "value": "1"}]}]},
        {"limit": 201},
        {"sorts": BY_OBJECT_ID * 2},
        {"filterGroups": [{"filters": []}] * 6},
    ):
        response = hubspot.post("/crm/v3/objects/deals/search", body)
        assert response.status_code == 400, body
        assert response.json()["category"] == "VALIDATION_ERROR"


# -- batch read and associations ---------------------------------------------------------------------------
def test_batch_read_with_missing_ids_is_207(sb: Sandbox, hubspot: HubspotClient) -> None:
    ids = [str(r.id) for r in _records(sb, "deals")[:3]]
    ok = hubspot.post(
        "/crm/v3/objects/deals/batch/read",
        {
            "inputs": [{"id": i} for i in ids],
            "properties": ["dealname"],
            "propertiesWithHistory": ["dealstage"],
        },
    )
    assert ok.status_code == 200
    assert [r["id"] for r in ok.json()["results"]] == ids
    assert ok.json()["status"] == "COMPLETE" and "propertiesWithHistory" in ok.json()["results"][0]
    partial = hubspot.post(
        "/crm/v3/objects/deals/batch/read",
        {
            "inputs": [{"id": ids[0]}, {"id": "999"}],
            "properties": [],
            "propertiesWithHistory": [],
        },
    )
    assert partial.status_code == 207
    body = partial.json()
    assert [r["id"] for r in body["results"]] == ids[:1]
    assert body["numErrors"] == 1 and body["errors"][0]["context"] == {"ids": ["999"]}


def test_v4_association_batch_read(sb: Sandbox, hubspot: HubspotClient) -> None:
    edges = sb.business.hubspot_associations("deals", "contacts")
    with_edges = [deal_id for deal_id, found in edges.items() if found][:3]
    response = hubspot.post(
        "/crm/v4/associations/deals/contacts/batch/read",
        {"inputs": [{"id": str(i)} for i in [*with_edges, 1]]},
    )
    assert response.status_code == 207
    body = response.json()
    assert body["status"] == "COMPLETE" and body["numErrors"] == 1
    for result, deal_id in zip(body["results"], with_edges, strict=True):
        assert result["from"] == {"id": str(deal_id)}
        assert [int(t["toObjectId"]) for t in result["to"]] == [e.to_id for e in edges[deal_id]]
        assert result["to"][0]["associationTypes"][0]["category"] == "HUBSPOT_DEFINED"
    assert body["errors"][0]["context"] == {"fromObjectId": ["1"]}
    single = hubspot.get(f"/crm/v4/objects/deals/{with_edges[0]}/associations/contacts").json()
    assert single["results"] == body["results"][0]["to"]


# -- metadata ---------------------------------------------------------------------------------------------
def test_pipelines_stages_owners_and_properties(sb: Sandbox, hubspot: HubspotClient) -> None:
    pipelines = hubspot.get("/crm/v3/pipelines/deals").json()["results"]
    assert pipelines == orjson.loads(dumps(list(sb.business.hubspot_pipelines("deals"))))
    stages = hubspot.get(f"/crm/v3/pipelines/deals/{pipelines[0]['id']}/stages").json()["results"]
    assert [s["id"] for s in stages] == [s["id"] for s in pipelines[0]["stages"]]
    assert hubspot.get("/crm/v3/pipelines/deals/no-such-pipeline").status_code == 404
    owners, _ = _list_all(hubspot, "/crm/v3/owners", limit=2)
    assert [o["id"] for o in owners] == [
        o["id"] for o in sb.business.hubspot_owners() if not o.get("archived")
    ]
    names = {p["name"] for p in hubspot.get("/crm/v3/properties/deals").json()["results"]}
    assert {"dealname", "amount", "dealstage", "hs_lastmodifieddate"} <= names


def test_exchange_rates_page_like_the_settings_api(sb: Sandbox, hubspot: HubspotClient) -> None:
    rates, pages = _list_all(hubspot, "/settings/v3/currencies/exchange-rates", limit=10)
    assert rates == orjson.loads(dumps(list(sb.business.hubspot_exchange_rates())))
    assert pages == -(-len(rates) // 10)
    assert {(r["fromCurrencyCode"], r["toCurrencyCode"]) for r in rates} == {("CAD", "USD")}
    bad = hubspot.get("/settings/v3/currencies/exchange-rates", after="not-a-cursor")
    assert bad.status_code == 400
