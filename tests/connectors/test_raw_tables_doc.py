"""docs/raw-tables.md is what dbt staging is written from: it must match the code's declarations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from connectors.base import TableSpec
from connectors.hubspot.associations import ASSOCIATIONS
from connectors.hubspot.metadata import DEAL_PIPELINE_STAGES, DEAL_PIPELINES, EXCHANGE_RATES, OWNERS
from connectors.hubspot.objects import FIXED_FIELDS, OBJECT_KINDS, STAGE_HISTORY
from connectors.xero.tables import ENDPOINTS

DOC = Path(__file__).parents[2] / "docs" / "raw-tables.md"


def _sections() -> dict[str, dict[str, list[str]]]:
    """``{vendor: {table: [columns in order]}}`` from the document's headings and tables."""
    vendor, table = "", ""
    sections: dict[str, dict[str, list[str]]] = {}
    for line in DOC.read_text().splitlines():
        if line.startswith("## "):
            vendor = "hubspot" if "HubSpot" in line else "xero"
            sections[vendor] = {}
        elif heading := re.match(r"^#{3,4} `(\w+)`$", line):
            table = heading[1]
            sections[vendor][table] = []
        elif (cell := re.match(r"^\| `(\w+)` \|", line)) and table:
            sections[vendor][table].append(cell[1])
    return sections


HUBSPOT_FIXED = [
    OWNERS,
    DEAL_PIPELINES,
    DEAL_PIPELINE_STAGES,
    EXCHANGE_RATES,
    STAGE_HISTORY,
    *(a.spec for a in ASSOCIATIONS),
]
XERO = [spec for e in ENDPOINTS for spec in (e.table.spec, *(c.table.spec for c in e.children))]


@pytest.mark.parametrize(
    ("vendor", "spec"),
    [("hubspot", s) for s in HUBSPOT_FIXED] + [("xero", s) for s in XERO],
    ids=lambda v: v.name if isinstance(v, TableSpec) else v,
)
def test_documented_columns_match_the_schema(vendor: str, spec: TableSpec) -> None:
    assert _sections()[vendor][spec.name] == spec.schema.names


def test_every_documented_table_exists_in_code() -> None:
    sections = _sections()
    object_tables = {"contacts", "companies", "deals", "calls", "emails", "meetings", "tasks"}
    assert set(sections["hubspot"]) == object_tables | {s.name for s in HUBSPOT_FIXED}
    assert set(sections["xero"]) == {s.name for s in XERO}


def test_hubspot_object_fixed_columns_are_documented() -> None:
    text = DOC.read_text()
    for field in FIXED_FIELDS:
        assert f"| `{field.name}` |" in text


def test_stream_names_are_stable_and_tables_unique_per_vendor(tmp_path: Path) -> None:
    from connectors.hubspot import HubspotConfig, hubspot_streams
    from connectors.xero import XeroConfig, xero_streams

    hubspot = [s.name for s in hubspot_streams(HubspotConfig(access_token="unused"))]
    assert hubspot == [
        "owners", "deal_pipelines", "exchange_rates", "contacts", "companies", "deals",
        "calls", "emails", "meetings", "tasks", "associations",
    ]  # fmt: skip
    xero_config = XeroConfig(
        client_id="id", client_secret="s", refresh_token="r", token_store_path=tmp_path / "t"
    )
    xero = xero_streams(xero_config)
    assert [s.name for s in xero] == [
        "accounts", "items", "tracking_categories", "currencies", "contacts",
        "invoices", "credit_notes", "payments", "bank_transactions", "repeating_invoices",
    ]  # fmt: skip
    xero_tables = [spec.name for stream in xero for spec in stream.tables()]
    assert len(xero_tables) == len(set(xero_tables))
    hubspot_tables = [s.name for s in HUBSPOT_FIXED] + [k.object_type for k in OBJECT_KINDS]
    assert len(hubspot_tables) == len(set(hubspot_tables))
