"""Volume shifts: a simulated slowdown or surge of new leads that leaves the past untouched."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from sandbox.simulation.business import SimulatedBusiness
from sandbox.simulation.config import SandboxConfig

BASE = SandboxConfig(seed=7, scale=0.2, as_of=date(2025, 6, 10))
STOP, SURGE = date(2025, 4, 1), date(2025, 5, 1)
SHIFTED = SandboxConfig(seed=7, scale=0.2, as_of=BASE.as_of, volume_shifts=((STOP, 0.0), (SURGE, 3.0)))


def leads_by_month(business: SimulatedBusiness) -> dict[str, int]:
    months = business.truth()["realised"]["leads_by_month_source"]
    return {month: sum(by_source.values()) for month, by_source in months.items()}


def contacts_before(business: SimulatedBusiness, day: date) -> list[tuple[int, dict[str, str | None]]]:
    """Contacts created before ``day``, without ``hs_merged_object_ids``: a contact merged later
    names its later duplicate, a new record whose id depends on how many records came before it."""
    cutoff = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return [
        (record.id, {k: v for k, v in record.properties.items() if k != "hs_merged_object_ids"})
        for record in business.hubspot_records("contacts")
        if record.created_at < cutoff
    ]


@pytest.fixture(scope="module")
def base() -> SimulatedBusiness:
    return SimulatedBusiness(BASE)


@pytest.fixture(scope="module")
def shifted() -> SimulatedBusiness:
    return SimulatedBusiness(SHIFTED)


def test_everything_before_the_first_shift_is_unchanged(
    base: SimulatedBusiness, shifted: SimulatedBusiness
) -> None:
    before = contacts_before(base, STOP)

    assert before and contacts_before(shifted, STOP) == before
    assert {m: n for m, n in leads_by_month(shifted).items() if m < "2025-04"} == {
        m: n for m, n in leads_by_month(base).items() if m < "2025-04"
    }


def test_leads_stop_at_factor_zero_and_triple_at_factor_three(
    base: SimulatedBusiness, shifted: SimulatedBusiness
) -> None:
    shifted_leads, base_leads = leads_by_month(shifted), leads_by_month(base)

    assert shifted_leads.get("2025-04", 0) == 0
    assert 2.4 < shifted_leads["2025-05"] / base_leads["2025-05"] < 3.6


def test_the_factor_in_force_is_the_latest_shift_started() -> None:
    assert [SHIFTED.volume_factor(day) for day in (date(2025, 3, 31), STOP, date(2025, 4, 30), SURGE)] == [
        1.0,
        0.0,
        0.0,
        3.0,
    ]


@pytest.mark.parametrize(
    "shifts",
    [((SURGE, 1.0), (STOP, 0.5)), ((STOP, 1.0), (STOP, 0.5)), ((STOP, -0.5),)],
    ids=["out of order", "same day twice", "negative factor"],
)
def test_bad_shifts_are_rejected(shifts: tuple[tuple[date, float], ...]) -> None:
    with pytest.raises(ValueError, match="volume_shifts"):
        SandboxConfig(volume_shifts=shifts)
