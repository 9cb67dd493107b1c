"""A first load (no state) lands exactly what the sandbox business holds, typed."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from connectors.base import Stream
from connectors.hubspot import HubspotConfig, hubspot_streams
from connectors.hubspot.catalog import CATALOG
from connectors.hubspot.objects import OBJECT_KINDS
from connectors.hubspot.values import TIMESTAMP, ValueTypeError, convert_named
from sandbox.service.server import Sandbox

OBJECT_TYPES = [kind.object_type for kind in OBJECT_KINDS]


@pytest.fixture(scope="module")
def loaded_streams(module_sandbox: Sandbox) -> list[Stream]:
    """The streams ``full_load`` drains, kept to compare their declared tables with the catalogue."""
    config = HubspotConfig(
        access_token=module_sandbox.credentials.hubspot_access_token,
        base_url=module_sandbox.hubspot_base_url,
        requests_per_ten_seconds=10_000,
    )
    return hubspot_streams(config)


@pytest.fixture(scope="module")
def full_load(loaded_streams: list[Stream], drain_all):
    return drain_all(loaded_streams)


def test_the_catalogue_is_what_the_streams_write(full_load, loaded_streams, observed_catalogue) -> None:
    _, states = full_load
    assert CATALOG.streams == observed_catalogue(loaded_streams, states)


@pytest.mark.parametrize("object_type", OBJECT_TYPES)
def test_objects_match_the_sandbox(full_load, module_sandbox: Sandbox, object_type: str) -> None:
    tables, states = full_load
    records = module_sandbox.business.hubspot_records(object_type)
    table = tables[object_type]
    assert table.num_rows == len(records)
    ids = table.column("id").to_pylist()
    assert len(set(ids)) == len(ids)
    by_id = {r.id: r for r in records}
    rows = table.select(["id", "updated_at", "_is_deleted"]).to_pylist()
    assert {row["id"]: (row["updated_at"], row["_is_deleted"]) for row in rows} == {
        r.id: (r.updated_at, r.archived) for r in by_id.values()
    }
    assert states[object_type] == {"window_end_ms": int(module_sandbox.business.now.timestamp()) * 1000}


def test_property_columns_follow_the_properties_api(full_load, module_sandbox: Sandbox) -> None:
    deals = full_load[0]["deals"]
    assert deals.schema.field("amount").type == pa.float64()
    assert deals.schema.field("hs_is_closed").type == pa.bool_()
    assert deals.schema.field("closedate").type == TIMESTAMP
    assert deals.schema.field("dealstage").type == pa.string()
    record = next(r for r in module_sandbox.business.hubspot_records("deals") if r.properties.get("amount"))
    row = deals.filter(pc.equal(deals.column("id"), record.id)).to_pylist()[0]
    assert row["amount"] == float(record.properties["amount"])
    assert row["dealstage"] == record.properties["dealstage"]
    assert row["hs_is_closed"] == (record.properties["hs_is_closed"] == "true")
    closedate = record.properties.get("closedate")
    expected = datetime.fromisoformat(closedate.replace("Z", "+00:00")) if closedate else None
    assert row["closedate"] == expected


def test_stage_history_and_metadata_match_the_sandbox(full_load, module_sandbox: Sandbox) -> None:
    tables, _ = full_load
    business = module_sandbox.business
    deals = business.hubspot_records("deals")
    assert tables["deal_stage_history"].num_rows == sum(len(d.history.get("dealstage", ())) for d in deals)
    owners = business.hubspot_owners()
    assert tables["owners"].num_rows == len(owners)
    archived_owners = sum(bool(o.get("archived")) for o in owners)
    assert tables["owners"].column("_is_deleted").to_pylist().count(True) == archived_owners
    pipelines = business.hubspot_pipelines("deals")
    assert tables["deal_pipelines"].num_rows == len(pipelines)
    stages = tables["deal_pipeline_stages"]
    assert stages.num_rows == sum(len(p["stages"]) for p in pipelines)
    assert stages.schema.field("probability").type == pa.float64()
    assert all(0.0 <= p <= 1.0 for p in stages.column("probability").to_pylist())
    assert stages.column("is_closed").to_pylist().count(True) >= 2  # won and lost


def test_exchange_rates_match_the_sandbox(full_load, module_sandbox: Sandbox) -> None:
    tables, states = full_load
    served = module_sandbox.business.hubspot_exchange_rates()
    rates = tables["exchange_rates"].to_pylist()
    assert [(r["id"], r["from_currency_code"], r["conversion_rate"]) for r in rates] == [
        (r["id"], r["fromCurrencyCode"], r["conversionRate"]) for r in served
    ]
    assert all(r["effective_at"] is not None and not r["_is_deleted"] for r in rates)
    assert states["exchange_rates"] == {}


@pytest.mark.parametrize(
    ("table", "from_type", "to_type"),
    [
        ("deal_companies", "deals", "companies"),
        ("deal_contacts", "deals", "contacts"),
        ("contact_companies", "contacts", "companies"),
    ],
)
def test_associations_match_the_sandbox(full_load, module_sandbox, table, from_type, to_type) -> None:
    edges = module_sandbox.business.hubspot_associations(from_type, to_type)
    live = {r.id for r in module_sandbox.business.hubspot_records(from_type) if not r.archived}
    expected = {(f, e.to_id, e.type_id) for f, es in edges.items() if f in live for e in es}
    got = full_load[0][table]
    assert {tuple(row.values())[:3] for row in got.to_pylist()} == expected
    assert got.num_rows == len(expected)


def test_long_property_lists_are_split_and_merged_by_id(sb: Sandbox, config: HubspotConfig, drain) -> None:
    def requests_made() -> int:
        return sb.stats()["requests"]["hubspot"]

    before = requests_made()
    whole, _ = drain(next(s for s in hubspot_streams(config) if s.name == "contacts"))
    plain = requests_made() - before
    chunked_config = dataclasses.replace(config, max_url_length=len(config.base_url) + 420)
    chunked, _ = drain(next(s for s in hubspot_streams(chunked_config) if s.name == "contacts"))
    assert requests_made() - before - plain > plain  # every page was fetched in several chunks
    assert chunked["contacts"].sort_by("id").equals(whole["contacts"].sort_by("id"))


def test_unparseable_values_name_the_record_and_property() -> None:
    with pytest.raises(ValueTypeError, match=r"deals property amount: record 42: cannot read 'lots'"):
        convert_named(
            pa.array(["1.5", "lots"]), pa.float64(), ids=pa.array([41, 42]), what="deals property amount"
        )


def test_empty_strings_and_epoch_millis_are_accepted() -> None:
    values = pa.array(["", "1714557600000", "2024-05-01T10:00:00.123Z", None])
    stamps = convert_named(values, TIMESTAMP, ids=pa.array([1, 2, 3, 4]), what="x")
    assert [v.isoformat() if v else None for v in stamps.to_pylist()] == [
        None,
        "2024-05-01T10:00:00+00:00",
        "2024-05-01T10:00:00.123000+00:00",
        None,
    ]
