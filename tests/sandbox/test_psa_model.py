"""The PSA model: the same past at a later clock, cost rates that add up to the payroll, and a
realistic handful of unprofitable clients (computed from the truth, as the marts will)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date, timedelta

import pytest

from sandbox.simulation.business import SimulatedBusiness
from sandbox.simulation.clock import month_index, month_label, month_start
from sandbox.simulation.config import SandboxConfig
from sandbox.xero.catalog import guid

CONFIGS = [SandboxConfig(seed=seed, scale=0.3, as_of=date(2025, 6, 30)) for seed in (7, 11, 42)]


@pytest.fixture(scope="module", params=CONFIGS, ids=lambda c: f"seed{c.seed}")
def business(request: pytest.FixtureRequest) -> SimulatedBusiness:
    return SimulatedBusiness(request.param)


def test_a_later_clock_derives_the_same_past() -> None:
    config = SandboxConfig(seed=7, scale=0.2, as_of=date(2025, 3, 12))
    early = SimulatedBusiness(config)
    late = SimulatedBusiness(config)
    late.advance(40)
    cut = early.now.timestamp() * 1000
    for entity in ("time_entries", "tickets", "members", "companies", "agreements", "projects"):
        before = {r["id"]: r for r in early.connectwise_records(entity)}
        after = {r["id"]: r for r in late.connectwise_records(entity)}
        for record_id, record in before.items():
            later = after.get(record_id)
            if later is None:  # only hard-deleted time entries may disappear
                assert entity == "time_entries", (entity, record_id)
                continue
            if later["_info"]["lastUpdated"] == record["_info"]["lastUpdated"]:
                assert later == record, (entity, record_id)
        assert len(before) > 3, entity
    new_ids = set(after) - set(before)
    assert new_ids and min(new_ids) > 0
    early_psa, late_psa = early._view().psa, late._view().psa
    entered = [e for e in late_psa.all_entries if e.entered_ms < cut]
    assert [(e.id, e.start_ms, e.hours, e.member_id) for e in entered] == [
        (e.id, e.start_ms, e.hours, e.member_id) for e in early_psa.all_entries if e.entered_ms < cut
    ]


def test_member_cost_rates_add_up_to_the_technicians_wages(business: SimulatedBusiness) -> None:
    """Every month: sum of hourlyCost x dailyCapacity x weekdays employed is within 15% of line 5300."""
    psa = business._view().psa
    wages = business.truth()["realised"]["payroll_by_month"]
    technicians = [m for m in psa.members if m.daily_capacity]
    ratios = []
    for month in range(psa.timeline.start_month, psa.now_month):
        day, cost = month_start(month), 0.0
        while day < month_start(month + 1):
            if day.weekday() < 5:
                cost += sum(
                    m.cost_on(day) * (m.daily_capacity or 0) for m in technicians if m.employed_on(day)
                )
            day += timedelta(days=1)
        ratios.append(cost / wages[month_label(month)]["technicians"])
    assert min(ratios) >= 0.85 and max(ratios) <= 1.15, (min(ratios), max(ratios))
    raised = [m for m in technicians if len(m.rates) > 1]
    assert raised, "yearly raises make old entries' hourlyCost differ from the member's current one"


def test_a_few_clients_are_unprofitable_in_a_typical_month(business: SimulatedBusiness) -> None:
    realised = business.truth()["realised"]
    rows: dict[str, dict[str, float]] = defaultdict(dict)
    for row in realised["client_profit_by_month"]:
        rows[row["month"]][row["contact_id"]] = row["contribution"]
    active: dict[str, set[str]] = defaultdict(set)
    seed = business.config.seed
    for doc in business._view().ledger.docs:
        if doc.kind == "ACCREC" and doc.repeating_key is not None:
            active[f"{doc.day:%Y-%m}"].add(guid(seed, doc.contact_key))
    months = sorted(active)[1:-1]
    shares = [sum(rows[m].get(c, 0.0) < 0 for c in active[m]) / len(active[m]) for m in months]
    assert 0.03 <= statistics.median(shares) <= 0.08, statistics.median(shares)


def test_labour_truth_matches_capacity_and_utilisation(business: SimulatedBusiness) -> None:
    realised = business.truth()["realised"]
    capacity: dict[str, float] = defaultdict(float)
    client_hours: dict[str, float] = defaultdict(float)
    for row in realised["labour_by_member_month"]:
        capacity[row["month"]] += row["capacity_hours"]
    for row in realised["labour_by_client_month"]:
        if row["contact_id"] is not None:
            client_hours[row["month"]] += row["hours"]
    months = sorted(capacity)[:-1]
    utilisation = statistics.median(client_hours[m] / capacity[m] for m in months)
    assert 0.6 <= utilisation <= 0.85, utilisation
    least = realised["least_profitable_clients"]
    as_of = month_index(business.as_of)
    assert least["window"] == [month_label(m) for m in range(as_of - 3, as_of)]
    assert len(least["clients"]) == 5
    crosswalk = realised["psa_crosswalk"]
    assert len({row["company_id"] for row in crosswalk}) == len(crosswalk) > 20


def test_entries_live_edit_bill_and_delete(business: SimulatedBusiness) -> None:
    entries = business.connectwise_records("time_entries")
    assert entries == sorted(entries, key=lambda e: e["id"])
    costs = [e.get("hourlyCost") for e in entries]
    assert all(isinstance(c, str) for c in costs if c is not None)
    assert 0.02 < costs.count(None) / len(costs) < 0.09
    assert {e["status"] for e in entries} == {"Billed", "Open"}
    psa = business._view().psa
    gone = [e for e in psa.all_entries if e.deleted_ms is not None and e.deleted_ms < psa.now_ms]
    served = {e["id"] for e in entries}
    assert gone and not any(e.id in served for e in gone)
    assert any(e.edit_ms is not None and e.edit_ms < psa.now_ms for e in psa.time_entries)
