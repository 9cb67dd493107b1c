"""The benchmark harness (``bench/``) without dlt: figures, the run split, a tiny real ingest
session and the generated page. The benchmark itself runs behind ``make bench``, never here."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import dagster as dg
import pytest
from xero_report_rows import landed_report_rows

from bench.__main__ import DOCS, RESULTS
from bench.e2e import SLICES, Step, split, steps_from_events
from bench.report import render
from bench.runner import ScalePlan, Settings, carry_over, flatten_ingest, ingest_session
from bench.stats import Figure
from connectors.hubspot.objects import OBJECT_KINDS
from connectors.xero.tables import ENDPOINTS
from dagster_project.defs.resources import CREDENTIAL_VARS
from sandbox.connectwise.api import RESOURCES as CONNECTWISE_RESOURCES
from sandbox.simulation.business import SimulatedBusiness
from sandbox.simulation.config import SandboxConfig

TINY = ScalePlan("tiny", 0.02, ours_runs=2, dlt_runs=0, e2e_runs=0)
SETTINGS = Settings(plans=(TINY,), seed=5, as_of=date(2025, 9, 30))


def test_a_figure_is_the_median_with_min_and_max() -> None:
    assert Figure.of([3.0, 1.0, 2.0]) == Figure(median=2.0, min=1.0, max=3.0, runs=3)
    assert Figure.of([4.0, 1.0]) == Figure(median=2.5, min=1.0, max=4.0, runs=2)
    assert Figure.from_json(Figure.of([7.0]).as_json()) == Figure(7.0, 7.0, 7.0, 1)
    with pytest.raises(ValueError):
        Figure.of([])


def test_the_split_accounts_for_every_second_of_the_run() -> None:
    steps = [
        Step(
            "hubspot_deals",
            10.0,
            14.0,
            {"raw_hubspot"},
            {"fetch_seconds": 2.0, "parse_seconds": 0.5, "land_seconds": 0.5},
        ),
        Step("xero_invoices", 14.5, 16.5, {"raw_xero"}),
        Step("milemarker_dbt", 17.0, 27.0, {"staging", "marts"}),
        Step("hubspot_raw_table_checks", 27.0, 28.0),
        Step("export_marts", 28.0, 29.5, {"exports"}),
    ]
    slices = split(steps, run_seconds=21.0, sandbox_seconds=1.5)
    assert set(slices) == set(SLICES)
    assert slices["fetch"] == 2.0 and slices["parse"] == 0.5 and slices["land"] == 0.5
    # deals: 1 s not covered by its stage timings; invoices: 2 s, none reported; minus the sandbox
    assert slices["ingest_other"] == pytest.approx(1.5) and slices["sandbox_build"] == 1.5
    assert (slices["dbt"], slices["checks"], slices["export"]) == (10.0, 1.0, 1.5)
    assert slices["overhead"] == pytest.approx(2.5)
    assert sum(slices.values()) == pytest.approx(21.0)


def _api_records(business: SimulatedBusiness) -> int:
    """What the sandbox serves as HubSpot and Xero records: HubSpot objects (live and archived),
    owners, pipelines and exchange rates, Xero documents -- counted from the simulation, not from
    either client."""
    hubspot = sum(len(business.hubspot_records(kind.object_type)) for kind in OBJECT_KINDS)
    hubspot += len(business.hubspot_owners()) + len(business.hubspot_pipelines("deals"))
    hubspot += len(business.hubspot_exchange_rates())
    xero = sum(len(business.xero_collection(endpoint.path)) for endpoint in ENDPOINTS)
    return hubspot + xero + landed_report_rows(business)


def _psa_records(business: SimulatedBusiness) -> int:
    """What the sandbox serves as ConnectWise records: every listed entity and every agreement's
    additions (a full load reads them all; the id listing of recent time entries is not records)."""
    entities = (*CONNECTWISE_RESOURCES.values(), "additions")
    return sum(len(business.connectwise_records(entity)) for entity in entities)


def test_ours_vs_dlt_sums_only_the_vendors_dlt_reads() -> None:
    """ConnectWise counts in ours' total but not in the ``compared`` sum every ratio with dlt uses."""
    counts = {
        "seconds": 2.0,
        "cpu_seconds": 1.0,
        "records": 100,
        "rows": 150,
        "requests": 4,
        "token_requests": 0,
    }
    result = {
        "vendors": {vendor: counts for vendor in ("hubspot", "xero", "connectwise")},
        "peak_rss_bytes": 1,
    }
    flat = flatten_ingest(result)
    assert (flat["total.records"], flat["compared.records"], flat["connectwise.records"]) == (300, 200, 100)
    assert flat["compared.records_per_second"] == 200 / 4.0
    assert flat["total.requests"] == 12 and flat["compared.requests"] == 8


def test_a_partial_run_keeps_the_other_scales_marked_as_carried_over() -> None:
    previous = {
        "schema": 1,
        "started_at": "2026-12-01T12:42:55+00:00",
        "settings": {"seed": 42, "as_of": "2026-06-16"},
        "scales": {"small": {"scale": 0.2, "old": True}, "large": {"scale": 10.0}},
    }
    document = {
        "schema": 2,
        "started_at": "2027-01-01T00:00:00+00:00",
        "settings": {"seed": 42, "as_of": "2026-06-16"},
        "scales": {"small": {"scale": 0.2, "measured_at": "2027-01-01T00:00:00+00:00"}},
    }
    merged = carry_over(document, previous)
    assert merged["scales"]["small"] == document["scales"]["small"]
    assert merged["scales"]["large"]["carried_from"] == {
        "measured_at": "2026-12-01T12:42:55+00:00",
        "schema": 1,
        "seed": 42,
        "as_of": "2026-06-16",
    }
    again = carry_over({**document, "scales": {}}, merged)
    assert again["scales"]["large"]["carried_from"] == merged["scales"]["large"]["carried_from"]
    assert again["scales"]["small"]["carried_from"]["measured_at"] == "2027-01-01T00:00:00+00:00"
    assert carry_over(document, None) is document


def test_a_tiny_ingest_session_reports_medians_of_its_real_runs(tmp_path: Path) -> None:
    session = ingest_session(TINY, SETTINGS, tmp_path)
    ours = session["ours"]
    assert "dlt" not in session and session["order"] == ["ours", "ours"]
    full, daily = ours["samples"]["full"], ours["samples"]["daily"]
    assert len(full) == len(daily) == TINY.ours_runs
    business = SimulatedBusiness(SandboxConfig(seed=5, scale=0.02, as_of=SETTINGS.as_of))
    assert full[0]["compared.records"] == _api_records(business)
    assert full[0]["connectwise.records"] == _psa_records(business)
    assert full[0]["total.records"] == full[0]["compared.records"] + full[0]["connectwise.records"]
    for phase, samples in ours["samples"].items():
        for key in ("total.seconds", "total.records_per_second", "hubspot.requests", "peak_rss_bytes"):
            assert ours[phase][key] == Figure.of(s[key] for s in samples).as_json(), (phase, key)
        for count in ("records", "rows", "seconds", "records_per_second", "requests"):
            key = f"connectwise.{count}"
            assert ours[phase][key] == Figure.of(s[key] for s in samples).as_json(), (phase, key)
            assert ours[phase][key]["min"] > 0, (phase, key)
    assert all(d["total.requests"] < f["total.requests"] for f, d in zip(full, daily, strict=True))
    assert (
        ours["full_over_daily_requests"]
        == Figure.of(
            f["total.requests"] / d["total.requests"] for f, d in zip(full, daily, strict=True)
        ).as_json()
    )
    assert (
        ours["compared"]["full_over_daily_requests"]
        == Figure.of(
            f["compared.requests"] / d["compared.requests"] for f, d in zip(full, daily, strict=True)
        ).as_json()
    )
    limits = ours["api_limit_seconds"]["full"]
    assert limits["hubspot_100_per_10s"] == pytest.approx(ours["full"]["hubspot.requests"]["median"] / 10)
    assert limits["connectwise_60_per_minute"] == pytest.approx(
        ours["full"]["connectwise.requests"]["median"]
    )
    assert session["sandbox"]["start_seconds"] > 0


@pytest.mark.slow
def test_the_split_of_a_real_run_adds_up_to_its_wall_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two raw streams through the real definitions and the embedded sandbox (no dbt: seconds)."""
    from dagster_project.definitions import defs as load_definitions

    for name in CREDENTIAL_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MILEMARKER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("MILEMARKER_DUCKDB", raising=False)
    job = load_definitions().resolve_implicit_global_asset_job_def()
    selection = [dg.AssetKey(["raw_hubspot", "owners"]), dg.AssetKey(["raw_xero", "currencies"])]
    with dg.DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(
            asset_selection=selection,
            instance=instance,
            run_config={"resources": {"sandbox": {"config": {"scale": 0.02, "as_of": "2025-09-30"}}}},
        )
        assert result.success
        steps = steps_from_events(instance.all_logs(result.run_id))
        run = instance.get_run_stats(result.run_id)
    run_seconds = run.end_time - run.start_time
    kinds = {step.key: step.kind for step in steps}
    assert kinds["hubspot_owners"] == kinds["xero_currencies"] == "ingest"
    assert set(kinds.values()) == {"ingest", "checks"}  # the raw tables' blocking checks ran too
    slices = split(steps, run_seconds)
    assert sum(slices.values()) == pytest.approx(run_seconds)
    assert slices["dbt"] == slices["export"] == 0.0
    checks = sum(s.seconds for s in steps if s.kind == "checks")
    assert checks > 0 and slices["checks"] == pytest.approx(checks)
    ingest = sum(slices[key] for key in ("fetch", "parse", "land", "ingest_other"))
    assert ingest == pytest.approx(sum(s.seconds for s in steps if s.kind == "ingest"))
    assert 0.0 < ingest <= run_seconds


def test_the_committed_page_is_generated_from_the_committed_results() -> None:
    assert DOCS.read_text() == render(json.loads(RESULTS.read_text()))
