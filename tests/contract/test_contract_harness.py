"""The contract harness itself, without Prism: vendored specs intact, documents sound, verdicts right.

Fast (not ``slow``): a harness that misjudges a hang or a crash, or a merged document with a
dangling ``$ref``, would make the slow suite's verdicts meaningless.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
import requests
from contract_cases import VENDORS, Case, judge
from contract_runner import INCREMENTAL_REQUEST, null_in_required
from contract_specs import SPECS, cut_cycles

from connectors.connectwise.tables import AGREEMENTS, ENDPOINTS, TIME_ENTRIES


def _blob_id(path: Path) -> str:
    """The git blob id of a file (what ``git hash-object`` prints)."""
    data = path.read_bytes()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def test_vendored_specs_match_their_provenance() -> None:
    rows = re.findall(r"^\| (\S+) \| \S+ \| `[^`]+` \| \w+ \| \w+ \| (\w+) \| \d+ \|$", _provenance(), re.M)
    assert rows, "no rows parsed from PROVENANCE.md"
    listed = {name for name, _ in rows}
    on_disk = {str(p.relative_to(SPECS)) for p in SPECS.rglob("*") if p.suffix in (".json", ".yaml")}
    assert listed == on_disk
    for name, blob in rows:
        assert _blob_id(SPECS / name) == blob, f"{name} differs from the vendor's file"


def _provenance() -> str:
    return (SPECS / "PROVENANCE.md").read_text()


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def _resolves(document: dict[str, Any], ref: str) -> bool:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


@pytest.fixture(scope="module")
def documents() -> dict[str, dict[str, Any]]:
    return {name: vendor.document() for name, vendor in VENDORS.items()}


def test_every_ref_resolves(documents: dict[str, dict[str, Any]]) -> None:
    for vendor, document in documents.items():
        dangling = sorted(ref for ref in _refs(document) if not _resolves(document, ref))
        assert not dangling, f"{vendor}: {dangling[:5]}"


def test_merged_hubspot_serves_what_the_connector_calls(documents: dict[str, dict[str, Any]]) -> None:
    paths = documents["hubspot"]["paths"]
    for path in (
        "/crm/v3/owners",
        "/crm/v3/pipelines/{objectType}",
        "/crm/v3/properties/{objectType}",
        "/crm/v3/objects/deals",
        "/crm/v3/objects/deals/search",
        "/crm/v3/objects/deals/batch/read",
        "/crm/v3/objects/contacts/search",
        "/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read",
    ):
        assert path in paths
    # A component two documents define differently is renamed, not overwritten.
    schemas = documents["hubspot"]["components"]["schemas"]
    assert any(name.endswith("_SimplePublicObject") for name in schemas)


def test_connectwise_document_serves_what_the_connector_calls(documents: dict[str, dict[str, Any]]) -> None:
    paths = documents["connectwise"]["paths"]
    called = {
        *(f"/{endpoint.path}" for endpoint in ENDPOINTS),
        f"/{AGREEMENTS.path}/{{parentId}}/additions",
        f"/{TIME_ENTRIES.path}/count",
    }
    assert called <= set(paths), sorted(called - set(paths))


def test_connectwise_incremental_is_a_last_updated_condition() -> None:
    incremental = INCREMENTAL_REQUEST["connectwise"]
    since = {"conditions": "lastUpdated >= [2026-01-01T00:00:00Z]", "pageSize": 1000}
    window = {"conditions": "timeStart >= [2026-01-01T00:00:00Z]", "pageSize": 1000}
    url = "http://mock/time/entries"
    assert incremental(requests.Request("GET", url, params=since).prepare())
    assert not incremental(requests.Request("GET", url, params=window).prepare())


def test_nulls_in_a_non_nullable_column_are_found() -> None:
    schema = pa.schema([pa.field("id", pa.int64(), nullable=False), pa.field("name", pa.string())])
    batch = pa.RecordBatch.from_arrays([pa.array([1, None]), pa.array([None, "a"])], schema=schema)
    assert batch.schema.equals(schema), "Arrow does not check nullability: the runner must"
    assert null_in_required(batch) == ["id"]


def test_cut_cycles_leaves_no_cycle(documents: dict[str, dict[str, Any]]) -> None:
    document = json.loads(json.dumps(documents["xero"]))
    assert cut_cycles(document), "the Xero document is known to be recursive"
    schemas = document["components"]["schemas"]
    edges = {
        name: {r.rsplit("/", 1)[-1] for r in _refs(s) if r.startswith("#/components/schemas/")}
        for name, s in schemas.items()
    }
    state: dict[str, str] = {}

    def acyclic(name: str) -> bool:
        if state.get(name) == "open":
            return False
        if state.get(name) == "done":
            return True
        state[name] = "open"
        ok = all(acyclic(child) for child in edges[name])
        state[name] = "done"
        return ok

    assert all(acyclic(name) for name in schemas)


CASE = Case("xero", "invoices", "static")


def _job(tmp_path: Path, report: dict[str, Any] | None) -> dict[str, Any]:
    result = tmp_path / "result.json"
    if report is not None:
        base = {"schema_errors": [], "tables": {}, "violations": [], "violation_keys": [], "requests": {}}
        result.write_text(json.dumps({**base, **report}))
    return {"result": str(result)}


def test_hang_and_crash_fail(tmp_path: Path) -> None:
    hang = judge(CASE, "timeout", None, "", 40.0, _job(tmp_path, None))
    crash = judge(CASE, "exited", -11, "Segmentation fault", 1.0, _job(tmp_path, None))
    assert (hang.ok, hang.summary) == (False, "FAIL hang")
    assert (crash.ok, crash.summary) == (False, "FAIL crash") and "signal 11" in crash.detail


def test_named_and_unnamed_errors(tmp_path: Path) -> None:
    last = {"requests": {"last": {"method": "GET", "path": "/Invoices", "status": 200}}}
    named = {
        "outcome": "raised",
        "error_type": "connectors.base.ApiError",
        "error_message": "xero invoices GET /Invoices: bad page",
        **last,
    }
    bare = {**named, "error_type": "builtins.KeyError", "error_message": "'Invoices'"}
    pathless = {**named, "error_message": "xero invoices: bad page"}
    assert judge(CASE, "exited", 0, "", 1.0, _job(tmp_path, named)).ok
    assert not judge(CASE, "exited", 0, "", 1.0, _job(tmp_path, bare)).ok
    assert not judge(CASE, "exited", 0, "", 1.0, _job(tmp_path, pathless)).ok


def test_a_request_the_spec_rejects_fails_even_when_the_stream_lands(tmp_path: Path) -> None:
    violation = {"location": ["request", "header", "if-modified-since"], "severity": "Error"}
    report = {
        "outcome": "landed",
        "violations": [{**violation, "message": "must match format", "status": 422}],
        "violation_keys": ["GET /Invoices: request/header/if-modified-since"],
    }
    verdict = judge(CASE, "exited", 0, "", 1.0, _job(tmp_path, report))
    assert (verdict.ok, verdict.summary) == (False, "FAIL request breaks spec")
