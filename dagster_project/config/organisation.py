"""The organisation block of ``goals.yml``: time zone, home currency, fiscal year start.

The time zone decides what "today" is for dbt's ``as_of_date`` (a New York business must not roll
over to tomorrow at 7 pm local time because the server runs on UTC). The goals themselves, and the
rest of the file's schema, belong to the goals issue; this module validates only what the
backbone needs and ignores other keys.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from dagster_project.config.goals_source import read_goals_block


class Organisation(BaseModel):
    """Who the warehouse is for: the calendar and currency every mart is expressed in."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    timezone: str = "America/New_York"
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    fiscal_year_start_month: int = Field(default=1, ge=1, le=12)
    employees: int | None = Field(default=None, ge=1)
    """Full-time-equivalent headcount, for revenue per employee (none: that KPI stays empty)."""

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown IANA time zone {value!r}") from error
        return value

    def today(self, now: datetime | None = None) -> date:
        """The current calendar day in the organisation's time zone (``now`` for tests)."""
        return (now or datetime.now(ZoneInfo("UTC"))).astimezone(ZoneInfo(self.timezone)).date()


def load_organisation(path: Path) -> Organisation:
    """Read the ``organisation`` block; a missing file or block means the documented defaults."""
    return Organisation.model_validate(read_goals_block(path, "organisation"))
