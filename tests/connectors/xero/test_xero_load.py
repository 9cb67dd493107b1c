"""Full and incremental Xero loads land exactly what the sandbox organisation holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from connectors.base import Stream
from connectors.xero import xero_streams
from connectors.xero.catalog import CATALOG
from connectors.xero.client import if_modified_since
from connectors.xero.tables import ENDPOINTS
from sandbox.service.server import Sandbox

ENDPOINT = {e.stream: e for e in ENDPOINTS}


def ms_date(value: str) -> int:
    return int(value.removeprefix("/Date(").split("+")[0].split(")")[0])


@pytest.fixture(scope="module")
def loaded_streams(module_sandbox: Sandbox, tmp_path_factory) -> list[Stream]:
    """The streams ``full_load`` drains, kept to compare their declared tables with the catalogue."""
    from connectors.xero import XeroConfig

    credentials = module_sandbox.credentials
    config = XeroConfig(
        client_id=credentials.xero_client_id,
        client_secret=credentials.xero_client_secret,
        refresh_token=credentials.xero_refresh_token,
        token_store_path=tmp_path_factory.mktemp("store") / "token.json",
        api_url=module_sandbox.xero_api_url,
        token_url=module_sandbox.xero_token_url,
        connections_url=module_sandbox.xero_connections_url,
        requests_per_minute=10_000,
    )
    return xero_streams(config)


@pytest.fixture(scope="module")
def full_load(loaded_streams: list[Stream], drain_all):
    return drain_all(loaded_streams)


def test_the_catalogue_is_what_the_streams_write(full_load, loaded_streams, observed_catalogue) -> None:
    _, states = full_load
    assert CATALOG.streams == observed_catalogue(loaded_streams, states)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.stream)
def test_collections_and_children_match_the_sandbox(full_load, module_sandbox: Sandbox, endpoint) -> None:
    tables, states = full_load
    documents = [d.body for d in module_sandbox.business.xero_collection(endpoint.path)]
    table = tables[endpoint.table.name]
    ids = table.column(endpoint.id_column).to_pylist()
    assert sorted(ids) == sorted(d[endpoint.id_column] for d in documents)
    for child in endpoint.children:
        assert tables[child.table.name].num_rows == sum(len(d.get(child.list_field) or ()) for d in documents)
    if endpoint.status_column:
        deleted = sum(d.get(endpoint.status_column) == "DELETED" for d in documents)
        assert table.column("_is_deleted").to_pylist().count(True) == deleted
    if endpoint.modified_since:
        newest = max(ms_date(d["UpdatedDateUTC"]) for d in documents)
        assert states[endpoint.stream] == {"modified_since_ms": newest}
    elif endpoint.offset_column:
        assert states[endpoint.stream] == {"offset": max(d[endpoint.offset_column] for d in documents)}
    else:
        assert states[endpoint.stream] == {}


def test_manual_journal_lines_are_numbered_in_their_journal(full_load, module_sandbox: Sandbox) -> None:
    """Manual journal lines have no id of their own: each is keyed by its place in its journal."""
    tables, _ = full_load
    lines = tables["manual_journal_lines"].to_pylist()
    served = {
        d.body["ManualJournalID"]: d.body["JournalLines"]
        for d in module_sandbox.business.xero_collection("ManualJournals")
    }
    assert lines
    for line in lines:
        source = served[line["ManualJournalID"]][line["LineNumber"]]
        assert (line["AccountCode"], line["LineAmount"]) == (source["AccountCode"], source["LineAmount"])


def test_the_profit_and_loss_report_lands_month_by_month(full_load, module_sandbox: Sandbox) -> None:
    """Four calls of twelve months cover 48 months back from the organisation's current month, and
    each month's rows are that month's own report."""
    tables, states = full_load
    rows = tables["profit_and_loss"].to_pylist()
    months = sorted({row["MonthStart"] for row in rows})
    current = module_sandbox.business.as_of.replace(day=1)
    assert months[-1] == current and len(months) == 48
    for month in (months[-1], months[-13], months[-30]):
        end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        report = module_sandbox.business.xero_profit_and_loss(month, end)
        expected = {
            row["Cells"][0]["Attributes"][0]["Value"]: float(row["Cells"][1]["Value"])
            for section in report["Rows"][1:]
            for row in section["Rows"]
            if row["RowType"] == "Row"
        }
        landed = {r["AccountID"]: r["Amount"] for r in rows if r["MonthStart"] == month and r["AccountID"]}
        assert {a: v for a, v in landed.items() if v} == {a: v for a, v in expected.items() if v}
    assert states["profit_and_loss"] == {}


def test_values_are_typed_and_flattened(full_load, module_sandbox: Sandbox) -> None:
    tables, _ = full_load
    invoices = tables["invoices"]
    assert invoices.schema.field("Date").type == pa.date32()
    assert invoices.schema.field("UpdatedDateUTC").type == pa.timestamp("ms", tz="UTC")
    document = next(
        d.body for d in module_sandbox.business.xero_collection("Invoices") if d.body.get("LineItems")
    )
    row = invoices.filter(pc.equal(invoices.column("InvoiceID"), document["InvoiceID"])).to_pylist()[0]
    assert row["ContactID"] == document["Contact"]["ContactID"]
    assert row["Total"] == pytest.approx(document["Total"])
    assert row["Date"] == datetime.fromtimestamp(ms_date(document["Date"]) / 1000, UTC).date()
    assert row["UpdatedDateUTC"] == datetime.fromtimestamp(ms_date(document["UpdatedDateUTC"]) / 1000, UTC)
    lines = tables["invoice_line_items"]
    mine = lines.filter(pc.equal(lines.column("InvoiceID"), document["InvoiceID"])).to_pylist()
    first = document["LineItems"][0]
    line = next(r for r in mine if r["LineItemID"] == first["LineItemID"])
    assert line["LineAmount"] == pytest.approx(first["LineAmount"])
    tracking = first.get("Tracking") or [{}]
    assert (line["TrackingCategory1"], line["TrackingOption1"]) == (
        tracking[0].get("Name"),
        tracking[0].get("Option"),
    )
    assert line["UpdatedDateUTC"] == row["UpdatedDateUTC"]
    payments = tables["payments"]
    assert pc.count(payments.column("InvoiceID")).as_py() > 0


def test_incremental_load_after_the_clock_moves(sb: Sandbox, make_config, drain_all, merged) -> None:
    streams = xero_streams(make_config())
    first, states = drain_all(streams)
    sb.advance(10)
    second, new_states = drain_all(streams, states)
    for endpoint in ENDPOINTS:
        key = list(endpoint.table.primary_key)
        documents = {d.id: d.body for d in sb.business.xero_collection(endpoint.path)}
        table = merged(first[endpoint.table.name], second[endpoint.table.name], key)
        assert sorted(table.column(key[0]).to_pylist()) == sorted(documents), endpoint.stream
        fetched = second[endpoint.table.name].column(key[0]).to_pylist()
        assert len(set(fetched)) == len(fetched), f"{endpoint.stream}: duplicated ids"
        if endpoint.offset_column:
            numbers = {d[endpoint.offset_column] for d in documents.values()}
            offset = states[endpoint.stream]["offset"]
            served_numbers = dict(
                zip(
                    table.column(key[0]).to_pylist(),
                    table.column(endpoint.offset_column).to_pylist(),
                    strict=True,
                )
            )
            assert {served_numbers[i] for i in fetched} == {n for n in numbers if n > offset}, endpoint.stream
            assert new_states[endpoint.stream] == {"offset": max(numbers)}
        if endpoint.modified_since:
            versions = dict(
                zip(
                    table.column(key[0]).to_pylist(),
                    table.column("UpdatedDateUTC").cast(pa.int64()).to_pylist(),
                    strict=True,
                )
            )
            assert versions == {i: ms_date(d["UpdatedDateUTC"]) for i, d in documents.items()}, (
                endpoint.stream
            )
            since_ms = (states[endpoint.stream]["modified_since_ms"] - 5 * 60_000) // 1000 * 1000
            window = {i for i, d in documents.items() if ms_date(d["UpdatedDateUTC"]) > since_ms}
            assert set(fetched) == window, f"{endpoint.stream}: fetched more or less than modified since"
            assert (
                new_states[endpoint.stream]["modified_since_ms"]
                >= states[endpoint.stream]["modified_since_ms"]
            )


def test_if_modified_since_is_whole_seconds_utc_with_its_zone() -> None:
    """A full RFC 3339 date-time, as the spec's ``format: date-time`` requires (no zone was a 422)."""
    assert if_modified_since(1_751_234_567_891) == "2025-06-29T22:02:47Z"
