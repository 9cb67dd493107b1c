"""The optional ``schedule:`` block of goals.yml: when the daily run materializes everything.

::

    schedule:
      daily_at: "06:00"            # local time; default 06:00
      timezone: Europe/London      # default: the organisation's time zone
      enabled: true                # false: the schedule exists but starts stopped
      catch_up_days: 7             # days back a tick looks for days the run missed; 0: none
      partitions_from: 2024-01-01  # the first as-of day a run can be launched or backfilled for

The run lands the previous day's changes and rebuilds the marts before people read them, so the
time is wall-clock time in the business's own zone by default (06:00 in New York stays 06:00
across daylight saving). Validation is strict, like the rest of goals.yml.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from dagster_project.config.goals_source import read_goals_block
from dagster_project.config.organisation import load_organisation


def clock_time(value: Any) -> Any:
    """YAML 1.1 reads an unquoted ``6:00`` as the base-60 integer 360: take it as minutes.

    Any other value is returned as written, for pydantic to parse (``"06:00"``) or refuse.
    """
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return time(*divmod(value, 60))
    return value


class ScheduleSettings(BaseModel):
    """The ``schedule`` block as written in goals.yml."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    daily_at: time = time(6, 0)
    timezone: str | None = None
    enabled: bool = True
    catch_up_days: int = Field(default=7, ge=0, le=31)
    partitions_from: date = date(2024, 1, 1)

    @field_validator("daily_at", mode="before")
    @classmethod
    def _clock_time(cls, value: Any) -> Any:
        return clock_time(value)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError) as error:
                raise ValueError(f"unknown IANA time zone {value!r}") from error
        return value


@dataclass(frozen=True)
class DailyRun:
    """The resolved schedule: a time of day in a concrete time zone."""

    at: time
    timezone: str
    enabled: bool
    catch_up_days: int = 7
    """How many days back a tick launches the days no run succeeded for (after the last that did)."""
    partitions_from: date = date(2024, 1, 1)
    """The first day of the run's daily partitions (the as-of days a run can be launched for)."""

    @property
    def cron(self) -> str:
        return f"{self.at.minute} {self.at.hour} * * *"

    def cron_after(self, delay: timedelta) -> str:
        """The daily cron ``delay`` after the run starts (e.g. a freshness deadline)."""
        minutes = (self.at.hour * 60 + self.at.minute + int(delay.total_seconds() // 60)) % (24 * 60)
        return f"{minutes % 60} {minutes // 60} * * *"


def load_daily_run(path: Path) -> DailyRun:
    """Read the ``schedule`` block (and the organisation's time zone); absent means the defaults."""
    organisation = load_organisation(path)
    settings = ScheduleSettings.model_validate(read_goals_block(path, "schedule"))
    return DailyRun(
        at=settings.daily_at,
        timezone=settings.timezone or organisation.timezone,
        enabled=settings.enabled,
        catch_up_days=settings.catch_up_days,
        partitions_from=settings.partitions_from,
    )
