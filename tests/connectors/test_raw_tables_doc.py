"""docs/raw-tables.md is what dbt staging is written from: it must match the code's declarations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from connectors.base import TableSpec
from connectors.catalog import SourceCatalog
from connectors.connectwise.tables import AGREEMENT_ADDITIONS, TIME_ENTRY_IDS
from connectors.connectwise.tables import ENDPOINTS as CONNECTWISE_ENDPOINTS
from connectors.hubspot.associations import ASSOCIATIONS
from connectors.hubspot.metadata import DEAL_PIPELINE_STAGES, DEAL_PIPELINES, EXCHANGE_RATES, OWNERS
from connectors.hubspot.objects import FIXED_FIELDS, STAGE_HISTORY
from connectors.registry import SOURCES
from connectors.xero.reports import PROFIT_AND_LOSS
from connectors.xero.tables import ENDPOINTS

DOC = Path(__file__).parents[2] / "docs" / "raw-tables.md"
SOURCE_OF_SCHEMA = {source.catalog.raw_schema: source.catalog.source for source in SOURCES}


def _sections() -> dict[str, dict[str, list[str]]]:
    """``{source: {table: [columns in order]}}`` from the document's headings and tables.

    A source's section is the ``## `` heading naming its raw schema: ``## HubSpot (`raw_hubspot`)``.
    """
    vendor, table = "", ""
    sections: dict[str, dict[str, list[str]]] = {}
    for line in DOC.read_text().splitlines():
        if line.startswith("## "):
            schema = re.search(r"\(`(\w+)`\)", line)
            vendor = SOURCE_OF_SCHEMA[schema[1]] if schema else ""
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
XERO = [*(spec for endpoint in ENDPOINTS for spec in endpoint.specs), PROFIT_AND_LOSS.spec]
CONNECTWISE = [
    *(endpoint.spec for endpoint in CONNECTWISE_ENDPOINTS),
    AGREEMENT_ADDITIONS.spec,
    TIME_ENTRY_IDS.spec,
]


@pytest.mark.parametrize(
    ("vendor", "spec"),
    [("hubspot", s) for s in HUBSPOT_FIXED]
    + [("xero", s) for s in XERO]
    + [("connectwise", s) for s in CONNECTWISE],
    ids=lambda v: v.name if isinstance(v, TableSpec) else v,
)
def test_documented_columns_match_the_schema(vendor: str, spec: TableSpec) -> None:
    assert _sections()[vendor][spec.name] == spec.schema.names


@pytest.mark.parametrize("catalog", [source.catalog for source in SOURCES], ids=lambda c: c.source)
def test_every_table_of_the_catalogue_is_documented_and_nothing_else(catalog: SourceCatalog) -> None:
    assert set(_sections()[catalog.source]) == {table.name for table in catalog.tables}


def test_hubspot_object_fixed_columns_are_documented() -> None:
    text = DOC.read_text()
    for field in FIXED_FIELDS:
        assert f"| `{field.name}` |" in text


LANDED_STREAMS = {
    "hubspot": {
        "owners", "deal_pipelines", "exchange_rates", "contacts", "companies", "deals",
        "calls", "emails", "meetings", "tasks", "associations",
    },
    "xero": {
        "accounts", "items", "tracking_categories", "currencies", "contacts",
        "invoices", "credit_notes", "payments", "bank_transactions", "repeating_invoices",
    },
}  # fmt: skip
"""Streams that have landed data: their names key stored cursors and op names (``hubspot_deals``)
in the run history, so they may be added to but never renamed or dropped silently."""


@pytest.mark.parametrize("catalog", [source.catalog for source in SOURCES], ids=lambda c: c.source)
def test_stream_names_are_stable_and_tables_unique_per_source(catalog: SourceCatalog) -> None:
    assert LANDED_STREAMS.get(catalog.source, set()) <= {stream.name for stream in catalog.streams}
    tables = [table.name for table in catalog.tables]
    assert len(tables) == len(set(tables))
