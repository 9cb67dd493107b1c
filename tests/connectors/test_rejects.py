"""A bad record inside a page is set aside, not fatal, when someone collects rejects.

The decoders (``connectors.arrow_json``, Xero's ``collection_decoder``) and HubSpot's value typing
report each bad record to :func:`connectors.rejects.collect_rejects` and keep the rest of the page;
the record stays on the page as a stub holding only its id, so the page keeps its length. With
nobody collecting, the same record still stops the stream (test_response_shapes.py).
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa
import pytest

from connectors.arrow_json import page_decoder, records
from connectors.base import ResponseShapeError
from connectors.hubspot.client import page_schema, record_schema
from connectors.hubspot.record_checks import batch_read_check
from connectors.hubspot.values import ValueTypeError, convert_named
from connectors.rejects import collect_rejects, payload_hash
from connectors.xero.records import collection_decoder, documents
from connectors.xero.tables import ENDPOINTS

RESULTS = pa.schema(
    [
        (
            "results",
            pa.list_(pa.struct([("id", pa.string()), ("properties", pa.struct([("amount", pa.string())]))])),
        ),
        ("paging", pa.struct([("next", pa.struct([("after", pa.string())]))])),
    ]
)
decode = page_decoder(RESULTS, required=("results",))


def deal(record_id: str, amount: Any) -> dict[str, Any]:
    return {"id": record_id, "properties": {"amount": amount}}


def page_of(*deals: dict[str, Any]) -> bytes:
    return json.dumps({"results": list(deals)}).encode()


def test_a_record_of_the_wrong_json_type_becomes_an_id_stub_and_a_reject() -> None:
    bad = deal("2", 12345)
    with collect_rejects() as rejects:
        page = decode(page_of(deal("1", "10"), bad, deal("3", "30")))

    assert records(page, "results").to_pylist() == [
        deal("1", "10"),
        {"id": "2", "properties": None},
        deal("3", "30"),
    ]
    ((reject,),) = [rejects]
    assert (reject.record_id, reject.reason, reject.field) == ("2", "wrong_type", "properties.amount")
    assert reject.detail == (
        "$.results[1].properties.amount: record 1 of the page (id '2'): properties.amount is a JSON number; "
        "the API documents a string"
    )
    assert reject.payload_hash == payload_hash(bad)


def test_every_record_with_bytes_that_are_not_utf8_is_set_aside() -> None:
    body = page_of(deal("1", "CAFE1"), deal("2", "ok"), deal("3", "CAFE3"))
    body = body.replace(b"CAFE1", b"Caf\xe9").replace(b"CAFE3", b"Cr\xe8me")
    with collect_rejects() as rejects:
        page = decode(body)

    assert [r["id"] for r in records(page, "results").to_pylist()] == ["1", "2", "3"]
    assert records(page, "results").to_pylist()[1] == deal("2", "ok")
    assert [(r.record_id, r.reason, r.field) for r in rejects] == [
        ("1", "not_utf8", "properties.amount"),
        ("3", "not_utf8", "properties.amount"),
    ]


def test_a_wrong_type_outside_the_records_stays_fatal() -> None:
    body = json.dumps({"results": [deal("1", "10")], "paging": []}).encode()
    with (
        collect_rejects() as rejects,
        pytest.raises(ResponseShapeError, match=r"\$\.paging: expected an object"),
    ):
        decode(body)
    assert rejects == []


def test_a_xero_document_with_a_date_that_is_not_a_date_is_set_aside() -> None:
    endpoint = next(e for e in ENDPOINTS if e.stream == "invoices")
    good = {"InvoiceID": "inv-1", "DueDate": "/Date(1539993600000+0000)/", "LineItems": []}
    bad = {"InvoiceID": "inv-2", "DueDate": "2018-10-20", "LineItems": []}
    bad_stamp = {"InvoiceID": "inv-3", "UpdatedDateUTC": "soon", "LineItems": [{"LineItemID": "l1"}]}
    body = json.dumps({"Invoices": [good, bad, bad_stamp]}).encode()
    with collect_rejects() as rejects:
        docs = documents(collection_decoder(endpoint)(body), endpoint)

    assert [d["InvoiceID"] for d in docs.to_pylist()] == ["inv-1", "inv-2", "inv-3"]
    assert docs.to_pylist()[2]["LineItems"] is None  # a stub: the landing leaves out its id
    assert docs.to_pylist()[1]["DueDate"] is None
    assert [(r.record_id, r.reason) for r in rejects] == [("inv-2", "bad_date"), ("inv-3", "bad_date")]
    assert rejects[0].detail == (
        "$.Invoices[1].DueDate: record 1 of the page (id 'inv-2'): DueDate is not a /Date()/ value: "
        "'2018-10-20'"
    )
    assert rejects[1].field == "UpdatedDateUTC"


def test_a_xero_bad_date_without_a_collector_stops_the_stream() -> None:
    endpoint = next(e for e in ENDPOINTS if e.stream == "invoices")
    body = json.dumps({"Invoices": [{"InvoiceID": "inv-2", "DueDate": "2018-10-20"}]}).encode()
    with pytest.raises(ResponseShapeError, match=r"\$\.Invoices\[0\]\.DueDate: .* is not a /Date\(\)/ value"):
        collection_decoder(endpoint)(body)


def test_an_unparseable_hubspot_value_is_set_aside_and_left_null() -> None:
    with collect_rejects() as rejects:
        typed = convert_named(
            pa.array(["1.5", "lots", "2"]),
            pa.float64(),
            ids=pa.array([41, 42, 43]),
            what="deals property amount",
        )
    assert typed.to_pylist() == [1.5, None, 2.0]
    ((reject,),) = [rejects]
    assert (reject.record_id, reject.reason, reject.field) == ("42", "unparseable_value", "property amount")
    assert reject.detail == "hubspot deals property amount: record 42: cannot read 'lots' as double"


def test_without_a_collector_an_unparseable_value_still_stops_the_stream() -> None:
    with pytest.raises(ValueTypeError, match="record 42"):
        convert_named(pa.array(["lots"]), pa.float64(), ids=pa.array([42]), what="deals property amount")


def change(value: Any = "won", timestamp: Any = "2025-01-01T00:00:00Z") -> dict[str, Any]:
    return {"value": value, "timestamp": timestamp}


def with_history(record_id: Any, *changes: dict[str, Any]) -> dict[str, Any]:
    return {"id": record_id, "propertiesWithHistory": {"dealstage": list(changes)}}


def test_each_bad_record_of_a_stage_history_batch_read_is_set_aside_once() -> None:
    decode_history = page_decoder(
        page_schema(record_schema([], ["dealstage"])),
        required=("results",),
        check=batch_read_check(["dealstage"]),
        table="deal_stage_history",
    )
    good = with_history("1", change(), change("lost", "1735689600000"))
    bad_stamp = with_history("2", change(), change(timestamp="soon"), change(timestamp="later"))
    no_value = with_history("3", change(value=None))
    body = page_of(good, bad_stamp, no_value, with_history("x7", change()), with_history(None, change()))
    with collect_rejects() as rejects:
        page = decode_history(body)

    landed = records(page, "results").to_pylist()
    assert [(c["value"], c["timestamp"]) for c in landed[0]["propertiesWithHistory"]["dealstage"]] == [
        ("won", "2025-01-01T00:00:00Z"),
        ("lost", "1735689600000"),
    ]
    assert [(r["id"], r["propertiesWithHistory"]) for r in landed[1:]] == [
        ("2", None),
        ("3", None),
        (None, None),
        (None, None),
    ]
    assert [(r.record_id, r.reason, r.field) for r in rejects] == [
        ("2", "bad_date", "propertiesWithHistory.dealstage[1].timestamp"),
        ("3", "missing_key", "propertiesWithHistory.dealstage[0].value"),
        (None, "unparseable_value", "id"),
        (None, "missing_key", "id"),
    ]
    assert {r.table for r in rejects} == {"deal_stage_history"}
    assert rejects[0].detail == (
        "$.results[1].propertiesWithHistory.dealstage[1].timestamp: record 1 of the page (id '2'): "
        "propertiesWithHistory.dealstage[1].timestamp is not a timestamp: 'soon'"
    )
    assert rejects[0].payload_hash == payload_hash(bad_stamp)
    assert rejects[2].detail == "$.results[3].id: record 3 of the page has an id that is not digits: 'x7'"
