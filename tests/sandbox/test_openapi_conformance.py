"""Real sandbox responses validated against the vendors' official OpenAPI response schemas.

Each served endpoint is called (a few pages, success and error cases) and its body is checked against
the schema the spec declares for that path, method and status, with ``$ref``s resolved inside the
spec and formats (date-time, uuid) checked. Where the published spec is stricter than the live API
the deviation is listed in ``KNOWN_SPEC_GAPS`` with the reason; nothing else is relaxed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from server_clients import ConnectwiseClient, HubspotClient, XeroClient

from sandbox.service.server import Sandbox

SPECS = Path(__file__).resolve().parents[1] / "contract" / "specs"
"""The vendors' OpenAPI documents, vendored for the contract suite (see its PROVENANCE.md)."""

_NULLABLE = {"nullable": True}
_NO_OFFSET_DATETIME = {"format": None}

KNOWN_SPEC_GAPS: dict[str, tuple[tuple[str, dict[str, Any]], ...]] = {
    "hubspot": (
        # The API returns null for a requested property without a value; the spec types values as strings.
        ("SimplePublicObject/properties/properties/additionalProperties", _NULLABLE),
        ("SimplePublicObjectWithAssociations/properties/properties/additionalProperties", _NULLABLE),
        # v4 association types carry "label": null for unlabeled (default) associations.
        ("AssociationSpecWithLabel/properties/label", _NULLABLE),
    ),
    "xero": (
        # /connections dates have no offset ("2019-12-07T18:46:19.5165400", the spec's own example),
        # which JSON Schema's date-time format rejects.
        ("Connection/properties/createdDateUtc", _NO_OFFSET_DATETIME),
        ("Connection/properties/updatedDateUtc", _NO_OFFSET_DATETIME),
    ),
    # The trimmed ConnectWise subset (reconstructed from the generated Go client, see its README) has
    # no error responses; the served entities conform as published, so nothing is relaxed.
    "connectwise": (),
}
"""Where the published spec is stricter than the live API: (schema pointer, patch; ``None`` deletes)."""


@cache
def _spec(relative: str) -> dict[str, Any]:
    """Load a spec once per session (the Xero YAML is ~1 MB) and apply the documented gaps."""
    path = SPECS / relative
    text = path.read_text()
    spec = json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=yaml.CSafeLoader)
    schemas = spec.get("components", {}).get("schemas", {})
    for pointer, patch in KNOWN_SPEC_GAPS[relative.split("/")[0]]:
        name, *rest = pointer.split("/")
        if name not in schemas:
            continue
        node = schemas[name]
        for key in rest:
            node = node[key]
        for key, value in patch.items():
            if value is None:
                node.pop(key, None)
            else:
                node[key] = value
    return spec


def _response_schema(spec: dict[str, Any], path: str, method: str, status: int) -> dict[str, Any]:
    responses = spec["paths"][path][method]["responses"]
    response = responses.get(str(status)) or responses["default"]
    if "$ref" in response:  # HubSpot's shared "#/components/responses/Error"
        response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
    content = response["content"]
    # ConnectWise publishes every body under its versioned vendor type only
    return (content.get("application/json") or content.get("*/*") or next(iter(content.values())))["schema"]


def _validate(spec_file: str, path: str, method: str, response: requests.Response) -> None:
    spec = _spec(spec_file)
    schema = _response_schema(spec, path, method, response.status_code)
    validator = OAS30Validator(
        schema | {"components": spec["components"]}, format_checker=oas30_format_checker
    )
    errors = sorted(validator.iter_errors(response.json()), key=lambda e: list(e.absolute_path))
    assert not errors, f"{method.upper()} {path} {response.status_code}: " + "; ".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5]
    )


def _pages(hubspot: HubspotClient, path: str, pages: int, **params: Any) -> Iterator[requests.Response]:
    after = None
    for _ in range(pages):
        response = hubspot.get(path, **params, **({"after": after} if after else {}))
        yield response
        after = response.json().get("paging", {}).get("next", {}).get("after")
        if after is None:
            return


HUBSPOT_OBJECT_SPECS = {
    "contacts": ("hubspot/contacts.v3.json", "/crm/v3/objects/contacts"),
    "companies": ("hubspot/companies.v3.json", "/crm/v3/objects/companies"),
    "deals": ("hubspot/deals.v3.json", "/crm/v3/objects/0-3"),
    "calls": ("hubspot/calls.v3.json", "/crm/v3/objects/calls"),
    "emails": ("hubspot/emails.v3.json", "/crm/v3/objects/emails"),
    "meetings": ("hubspot/meetings.v3.json", "/crm/v3/objects/meetings"),
    "tasks": ("hubspot/tasks.v3.json", "/crm/v3/objects/tasks"),
}


@pytest.mark.parametrize("object_type", list(HUBSPOT_OBJECT_SPECS))
def test_hubspot_objects_conform(sb: Sandbox, hubspot: HubspotClient, object_type: str) -> None:
    spec_file, spec_path = HUBSPOT_OBJECT_SPECS[object_type]
    extras = (
        {"propertiesWithHistory": "dealstage", "associations": "companies"} if object_type == "deals" else {}
    )
    for response in _pages(hubspot, f"/crm/v3/objects/{object_type}", 3, limit=50, **extras):
        assert response.status_code == 200
        _validate(spec_file, spec_path, "get", response)
    archived = hubspot.get(f"/crm/v3/objects/{object_type}", archived="true", limit=20)
    _validate(spec_file, spec_path, "get", archived)
    ids = [r["id"] for r in hubspot.get(f"/crm/v3/objects/{object_type}", limit=3).json()["results"]]
    for body in (
        {"limit": 100, "after": "100", "properties": ["hs_object_id"]},
        {
            "filterGroups": [
                {"filters": [{"propertyName": "hs_object_id", "operator": "GT", "value": ids[0]}]}
            ]
        },
    ):
        search = hubspot.post(f"/crm/v3/objects/{object_type}/search", body)
        assert search.status_code == 200
        _validate(spec_file, f"{spec_path}/search", "post", search)
    for inputs in (ids, [*ids, "1"]):
        batch = hubspot.post(
            f"/crm/v3/objects/{object_type}/batch/read",
            {
                "inputs": [{"id": i} for i in inputs],
                "properties": [],
                "propertiesWithHistory": [],
            },
        )
        assert batch.status_code == (200 if inputs == ids else 207)
        _validate(spec_file, f"{spec_path}/batch/read", "post", batch)


def test_hubspot_errors_conform(sb: Sandbox, hubspot: HubspotClient) -> None:
    spec_file, spec_path = HUBSPOT_OBJECT_SPECS["deals"]
    sb.hubspot_search_cap = 50
    capped = hubspot.post("/crm/v3/objects/deals/search", {"after": "40", "limit": 20})
    unauthorised = requests.get(f"{sb.hubspot_base_url}/crm/v3/objects/deals", timeout=10)
    invalid = hubspot.get("/crm/v3/objects/deals", limit="x")
    for response, status in ((capped, 400), (unauthorised, 401), (invalid, 400)):
        assert response.status_code == status
        _validate(spec_file, spec_path, "get", response)


def test_hubspot_associations_conform(sb: Sandbox, hubspot: HubspotClient) -> None:
    edges = sb.business.hubspot_associations("contacts", "companies")
    ids = [str(i) for i, found in edges.items() if found][:5]
    for inputs in (ids, [*ids, "1"]):
        batch = hubspot.post(
            "/crm/v4/associations/contacts/companies/batch/read", {"inputs": [{"id": i} for i in inputs]}
        )
        _validate(
            "hubspot/associations.v4.json",
            "/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read",
            "post",
            batch,
        )
    single = hubspot.get(f"/crm/v4/objects/contacts/{ids[0]}/associations/companies")
    _validate(
        "hubspot/associations.v4.json",
        "/crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}",
        "get",
        single,
    )


def test_hubspot_metadata_conforms(hubspot: HubspotClient) -> None:
    pipelines = hubspot.get("/crm/v3/pipelines/deals")
    _validate("hubspot/pipelines.v3.json", "/crm/v3/pipelines/{objectType}", "get", pipelines)
    pipeline_id = pipelines.json()["results"][0]["id"]
    _validate(
        "hubspot/pipelines.v3.json",
        "/crm/v3/pipelines/{objectType}/{pipelineId}",
        "get",
        hubspot.get(f"/crm/v3/pipelines/deals/{pipeline_id}"),
    )
    _validate(
        "hubspot/pipelines.v3.json",
        "/crm/v3/pipelines/{objectType}/{pipelineId}/stages",
        "get",
        hubspot.get(f"/crm/v3/pipelines/deals/{pipeline_id}/stages"),
    )
    for response in _pages(hubspot, "/crm/v3/owners", 2, limit=3):
        _validate("hubspot/crmOwners.v3.json", "/crm/v3/owners", "get", response)
    for object_type in HUBSPOT_OBJECT_SPECS:
        _validate(
            "hubspot/properties.v3.json",
            "/crm/v3/properties/{objectType}",
            "get",
            hubspot.get(f"/crm/v3/properties/{object_type}"),
        )


XERO_ENDPOINTS = {
    "/Invoices": {"page": 1, "pageSize": 50},
    "/Contacts": {"page": 2, "pageSize": 20},
    "/Payments": {"page": 1},
    "/CreditNotes": {"page": 1},
    "/BankTransactions": {"page": 1},
    "/ManualJournals": {"page": 1},
    "/Journals": {"offset": 0},
    "/Accounts": {},
    "/Items": {},
    "/RepeatingInvoices": {},
    "/TrackingCategories": {},
    "/Currencies": {},
    "/Organisation": {},
    "/Reports/ProfitAndLoss": {"fromDate": "2025-01-01", "toDate": "2025-03-31"},
}


@pytest.mark.parametrize("path", list(XERO_ENDPOINTS))
def test_xero_endpoints_conform(xero: XeroClient, path: str) -> None:
    response = xero.get(path, **XERO_ENDPOINTS[path])
    assert response.status_code == 200
    _validate("xero/xero_accounting.yaml", path, "get", response)


def test_xero_errors_and_identity_conform(sb: Sandbox, xero: XeroClient) -> None:
    spec = _spec("xero/xero_accounting.yaml")
    error_schema = {"$ref": "#/components/schemas/Error", "components": spec["components"]}
    for response in (xero.get("/Invoices", where="Total ~ 3"), xero.get("/Invoices", page="zero")):
        assert response.status_code == 400
        errors = list(OAS30Validator(error_schema).iter_errors(response.json()))
        assert not errors, errors[0].message
    connections = xero.session.get(
        sb.xero_connections_url, headers={"Authorization": f"Bearer {xero.access_token}"}
    )
    _validate("xero/xero-identity.yaml", "/Connections", "get", connections)


def test_xero_journals_conform_across_sources(sb: Sandbox, xero: XeroClient) -> None:
    """Later journals carry every SourceType (payments, manual journals, reversals): validate a spread."""
    total = len(sb.business.xero_collection("Journals"))
    source_types = set()
    for offset in range(0, total, max(100, total // 8)):
        response = xero.get("/Journals", offset=offset)
        _validate("xero/xero_accounting.yaml", "/Journals", "get", response)
        source_types |= {j["SourceType"] for j in response.json()["Journals"]}
    assert {"ACCREC", "ACCRECPAYMENT", "MANJOURNAL"} <= source_types
    for status in ("POSTED", "VOIDED", "DRAFT"):
        response = xero.get("/ManualJournals", where=f'Status=="{status}"')
        assert response.json()["ManualJournals"], status
        _validate("xero/xero_accounting.yaml", "/ManualJournals", "get", response)


CONNECTWISE_SPEC = "connectwise/connectwise_psa_subset.json"
CONNECTWISE_PATHS = (
    "/time/entries",
    "/system/members",
    "/finance/agreements",
    "/finance/agreements/types",
    "/company/companies",
    "/service/tickets",
    "/project/projects",
    "/time/workRoles",
    "/time/workTypes",
)


@pytest.mark.parametrize("path", CONNECTWISE_PATHS)
def test_connectwise_endpoints_conform(connectwise: ConnectwiseClient, path: str) -> None:
    """First, middle and last pages of each list (old, edited, billed, cancelled, deleted records)."""
    count = connectwise.get(f"{path}/count")
    _validate(CONNECTWISE_SPEC, f"{path}/count", "get", count)
    last = max(1, -(-count.json()["count"] // 1000))
    for page in sorted({1, (last + 1) // 2, last}):
        response = connectwise.get(path, pageSize=1000, page=page)
        assert response.status_code == 200
        _validate(CONNECTWISE_SPEC, path, "get", response)


def test_connectwise_additions_conform(connectwise: ConnectwiseClient) -> None:
    agreements = connectwise.get("/finance/agreements", pageSize=50, conditions="cancelledFlag = true").json()
    for agreement in agreements[:5]:
        path = f"/finance/agreements/{agreement['id']}/additions"
        _validate(CONNECTWISE_SPEC, "/finance/agreements/{parentId}/additions", "get", connectwise.get(path))
        _validate(
            CONNECTWISE_SPEC,
            "/finance/agreements/{parentId}/additions/count",
            "get",
            connectwise.get(f"{path}/count"),
        )
