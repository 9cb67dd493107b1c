"""The organisation block of goals.yml and the "today" it defines for dbt's as_of_date."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pydantic
import pytest

from dagster_project.config.organisation import Organisation, load_organisation
from dagster_project.settings import SHIPPED_GOALS_FILE


def test_repository_goals_file_declares_the_documented_organisation() -> None:
    assert load_organisation(SHIPPED_GOALS_FILE) == Organisation(
        timezone="America/New_York", currency="USD", fiscal_year_start_month=1, employees=40
    )


def test_today_is_the_calendar_day_in_the_organisation_time_zone() -> None:
    evening_in_new_york = datetime(2024, 3, 1, 2, 30, tzinfo=UTC)  # 21:30 on Feb 29 in New York
    assert Organisation(timezone="America/New_York").today(evening_in_new_york) == date(2024, 2, 29)
    assert Organisation(timezone="Europe/Berlin").today(evening_in_new_york) == date(2024, 3, 1)


def test_missing_file_or_block_means_defaults(tmp_path: Path) -> None:
    assert load_organisation(tmp_path / "absent.yml") == Organisation()
    (tmp_path / "goals.yml").write_text("goals: []\n")
    assert load_organisation(tmp_path / "goals.yml") == Organisation()


@pytest.mark.parametrize(
    "block",
    [
        "timezone: Mars/Olympus_Mons",
        "currency: dollars",
        "fiscal_year_start_month: 13",
        "fiscal_year_starts: 4",  # a typo must not be silently ignored
    ],
)
def test_invalid_organisation_is_rejected(tmp_path: Path, block: str) -> None:
    path = tmp_path / "goals.yml"
    path.write_text(f"organisation:\n  {block}\n")
    with pytest.raises(pydantic.ValidationError):
        load_organisation(path)
