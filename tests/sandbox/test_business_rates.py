"""At scale 1 the realised funnel, volumes and churn recover the true parameters.

Tolerances are four binomial standard errors (plus a small floor) of each observed rate, over
cohorts old enough to have matured (six months before ``as_of``): a fair simulation passes, a
parameter that is not wired through (or wired twice) fails.
"""

from __future__ import annotations

import itertools
import math
from datetime import date
from typing import Any

import pytest

from sandbox.simulation.business import SimulatedBusiness
from sandbox.simulation.config import SandboxConfig
from sandbox.simulation.params import CLIENT_SHAPE, LEAD_SOURCES, MONTH_WEIGHTS

AS_OF = date(2026, 6, 30)
MATURE_BEFORE = "2025-12"


@pytest.fixture(scope="module")
def realised() -> dict[str, Any]:
    return SimulatedBusiness(SandboxConfig(seed=42, scale=1.0, as_of=AS_OF)).truth()["realised"]


def _close(observed_hits: int, trials: int, expected: float) -> None:
    assert trials > 50
    tolerance = 4 * math.sqrt(expected * (1 - expected) / trials) + 0.01
    assert observed_hits / trials == pytest.approx(expected, abs=tolerance)


@pytest.mark.parametrize("source", LEAD_SOURCES, ids=lambda s: s.name)
def test_funnel_rates_match_parameters(realised: dict[str, Any], source: Any) -> None:
    cohorts = [
        row
        for month, row in realised["funnel_by_cohort_source"][source.name].items()
        if month < MATURE_BEFORE
    ]
    total = {stage: sum(row[stage] for row in cohorts) for stage in cohorts[0]}
    _close(total["qualified"], total["leads"], source.qualify_rate)
    _close(total["appointment"], total["qualified"], source.appointment_rate)
    _close(total["proposal"], total["appointment"], source.proposal_rate)
    _close(total["won"], total["proposal"], source.win_rate)


def test_lead_volume_matches_parameters(realised: dict[str, Any]) -> None:
    year = {s.name: 0 for s in LEAD_SOURCES}
    for month, by_source in realised["leads_by_month_source"].items():
        if month.startswith("2024"):
            for name, count in by_source.items():
                year[name] += count
    growth = 1.12**1.5  # mid-2024 is 1.5 years after the business start (2023-01-01)
    for source in LEAD_SOURCES:
        expected = source.monthly_leads * 12 * (1 - source.junk_rate) * growth * sum(MONTH_WEIGHTS) / 12
        assert year[source.name] == pytest.approx(expected, rel=4 / math.sqrt(expected) + 0.03)


def test_seasonality_shows_in_lead_flow(realised: dict[str, Any]) -> None:
    leads = {m: sum(v.values()) for m, v in realised["leads_by_month_source"].items()}
    assert leads["2024-01"] + leads["2024-02"] > 1.2 * (leads["2024-07"] + leads["2024-08"])


def test_monthly_churn_matches_parameter(realised: dict[str, Any]) -> None:
    active, churned = realised["active_clients_by_month"], realised["churned_clients_by_month"]
    months = sorted(active)
    exposed = sum(active[prev] for prev, month in itertools.pairwise(months))
    lost = sum(churned[month] for month in months[1:])
    _close(lost, exposed, CLIENT_SHAPE.monthly_churn)


def test_sizes_at_scale_one(realised: dict[str, Any]) -> None:
    counts = realised["record_counts"]
    hubspot = {t: c["live"] + c["archived"] for t, c in counts["hubspot"].items()}
    assert 6_000 < hubspot["contacts"] < 20_000
    assert 1_000 < hubspot["deals"] < 4_000
    assert 20_000 < hubspot["calls"] + hubspot["emails"] + hubspot["meetings"] + hubspot["tasks"] < 150_000
    xero = sum(
        sum(counts["xero"][c].values()) for c in ("Invoices", "Payments", "CreditNotes", "BankTransactions")
    )
    assert 10_000 < xero < 40_000
