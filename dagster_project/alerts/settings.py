"""The optional ``alerts:`` block of goals.yml: where alerts go, which ones, how many, and when.

::

    alerts:
      channels:
        - type: email                  # SMTP: plain text with an HTML alternative
          to: [owner@example.com]
          from: milemarker@example.com
          smtp_host: smtp.example.com  # or MILEMARKER_SMTP_HOST
          smtp_port: 587               # or MILEMARKER_SMTP_PORT; default 587 (25 without STARTTLS)
          starttls: true
          username_env: MILEMARKER_SMTP_USERNAME
          password_env: MILEMARKER_SMTP_PASSWORD
        - type: slack                  # incoming webhook
          webhook_url_env: MILEMARKER_SLACK_WEBHOOK_URL
        - type: teams                  # Teams incoming webhook or Workflows URL
          webhook_url_env: MILEMARKER_TEAMS_WEBHOOK_URL
        - type: webhook                # generic JSON POST
          url_env: MILEMARKER_ALERT_WEBHOOK_URL
      on: [run_failed, run_canceled, goal_status, data_quality]   # default: all four
      daily_cap: 20
      quiet_hours: {start: "22:00", end: "07:00"}
      digest:                          # after each day's scheduled run (docs/alerts.md)
        daily: true                    # the goal table in words
        weekly_report: monday          # the weekly pipeline report on that day; false: never

Secrets are named, never written: a Slack webhook URL carries its token and an SMTP password is a
password, and goals.yml is a file people share and commit. So each secret is given as the name of
an environment variable, read when an alert is sent; a value pasted where a name belongs is refused
here, before it is used.

Validation is as strict as the rest of goals.yml (unknown keys are errors, each located by line and
field), but it happens here, when alerts are about to be sent, not when the goals load: the goals
document takes the block as written, so a typo in where alerts go never stops the goals landing or
the run; the alert sensors log the located mistakes and send nothing until the file is fixed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from dagster_project.alerts.events import AlertKind
from dagster_project.config.goals_source import (
    GoalsFileError,
    GoalsProblem,
    read_goals_block,
    read_goals_yaml,
)
from dagster_project.config.run_schedule import clock_time
from dagster_project.config.yaml_locations import format_path

BLOCK = "alerts"

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_EMAIL = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+")
INLINE_SECRETS = frozenset({"webhook_url", "url", "password", "username", "smtp_password", "token"})
"""Keys a person may write with the secret itself in it: refused with a pointer to the ``*_env`` key."""


def _env_name(value: str) -> str:
    if not _ENV_NAME.fullmatch(value):
        raise ValueError(
            "give the name of an environment variable (letters, digits and _), not its value: "
            "the value is a secret and is read from the environment when an alert is sent"
        )
    return value


def _email(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise ValueError(f"{value!r} is not an e-mail address")
    return value


def _one_or_many(value: Any) -> Any:
    """``to: owner@example.com`` is one recipient, as ``to: [owner@example.com]`` is."""
    return [value] if isinstance(value, str) else value


EnvName = Annotated[str, AfterValidator(_env_name)]
EmailAddress = Annotated[str, AfterValidator(_email)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class EmailChannel(_Strict):
    """SMTP delivery; host and port may come from ``MILEMARKER_SMTP_HOST``/``MILEMARKER_SMTP_PORT``."""

    type: Literal["email"]
    to: Annotated[list[EmailAddress], BeforeValidator(_one_or_many)] = Field(min_length=1)
    sender: EmailAddress = Field(alias="from")
    smtp_host: str | None = Field(default=None, min_length=1)
    smtp_port: int | None = Field(default=None, ge=1, le=65535)
    starttls: bool = True
    username_env: EnvName | None = None
    password_env: EnvName | None = None

    @model_validator(mode="after")
    def _login_pair(self) -> EmailChannel:
        if (self.username_env is None) != (self.password_env is None):
            raise ValueError("give both username_env and password_env (SMTP login), or neither")
        return self

    @property
    def key(self) -> str:
        """Stable identity for the daily cap: the recipients, never a secret."""
        return "email:" + ",".join(sorted(self.to))


class SlackChannel(_Strict):
    """A Slack incoming webhook; the URL (which carries its token) comes from the environment."""

    type: Literal["slack"]
    webhook_url_env: EnvName = "MILEMARKER_SLACK_WEBHOOK_URL"

    @property
    def key(self) -> str:
        return f"slack:{self.webhook_url_env}"


class TeamsChannel(_Strict):
    """A Microsoft Teams incoming webhook or Workflows ("when a webhook request is received") URL."""

    type: Literal["teams"]
    webhook_url_env: EnvName = "MILEMARKER_TEAMS_WEBHOOK_URL"

    @property
    def key(self) -> str:
        return f"teams:{self.webhook_url_env}"


class WebhookChannel(_Strict):
    """Any HTTP endpoint taking the documented JSON body (docs/alerts.md)."""

    type: Literal["webhook"]
    url_env: EnvName = "MILEMARKER_ALERT_WEBHOOK_URL"

    @property
    def key(self) -> str:
        return f"webhook:{self.url_env}"


Channel = Annotated[EmailChannel | SlackChannel | TeamsChannel | WebhookChannel, Field(discriminator="type")]


class QuietHours(_Strict):
    """A daily span, in the organisation's time zone, when alerts are held rather than sent."""

    start: time
    end: time

    @field_validator("start", "end", mode="before")
    @classmethod
    def _clock_time(cls, value: Any) -> Any:
        return clock_time(value)

    @model_validator(mode="after")
    def _not_empty(self) -> QuietHours:
        if self.start == self.end:
            raise ValueError("start and end are the same time; remove quiet_hours to send alerts at any hour")
        return self

    def holds(self, at: time) -> bool:
        """Whether ``at`` (local wall time) is quiet; a span like 22:00-07:00 runs over midnight."""
        if self.start < self.end:
            return self.start <= at < self.end
        return at >= self.start or at < self.end

    def ends_after(self, local: datetime) -> datetime:
        """When the quiet span holding ``local`` (an aware local datetime) ends, in the same zone."""
        end = local.replace(hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0)
        return end if end > local else end + timedelta(days=1)


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _weekday_or_off(value: Any) -> str | None:
    """``monday`` .. ``sunday`` in any case; ``false`` (or null) turns the weekly report off."""
    if value is False or value is None:
        return None
    if isinstance(value, str) and value.lower() in WEEKDAYS:
        return value.lower()
    raise ValueError("give a day of the week (monday ... sunday), or false for no weekly report")


class DigestSettings(_Strict):
    """The morning digest and the weekly pipeline report: sent to every channel once per day's run.

    They are news the owner asked for, not alarms: the daily cap and quiet hours do not apply (the
    daily run is scheduled for the morning), and ``on`` does not select them.
    """

    daily: bool = True
    weekly_report: Annotated[str | None, BeforeValidator(_weekday_or_off)] = "monday"

    def weekly_on(self, day: date) -> bool:
        """Whether the weekly report goes out with the digest of ``day``."""
        return self.weekly_report == WEEKDAYS[day.weekday()]


class AlertSettings(_Strict):
    """The whole ``alerts`` block."""

    channels: list[Channel] = Field(min_length=1)
    on: list[AlertKind] = Field(default_factory=lambda: list(AlertKind))
    daily_cap: int = Field(default=20, ge=1, le=1000)
    quiet_hours: QuietHours | None = None
    digest: DigestSettings = DigestSettings()

    @model_validator(mode="before")
    @classmethod
    def _on_as_written(cls, value: Any) -> Any:
        """YAML 1.1 reads the bare key ``on`` as the boolean true: take it back as ``on``."""
        return _with_on_key(value)

    @field_validator("channels")
    @classmethod
    def _distinct(cls, value: list[Channel]) -> list[Channel]:
        seen: dict[str, int] = {}
        for index, channel in enumerate(value):
            if channel.key in seen:
                raise ValueError(
                    f"channels[{index}] sends where channels[{seen[channel.key]}] does ({channel.key}); "
                    "give each channel its own recipients or variable"
                )
            seen[channel.key] = index
        return value


def load_alert_settings(path: Path) -> AlertSettings | None:
    """The ``alerts`` block of ``path``, or None when the file or the block is absent (no alerting).

    Raises ``GoalsFileError`` naming the line and field of every mistake (and for a file that is not
    valid YAML), ``OSError`` when the file cannot be read.
    """
    block = read_goals_block(path, BLOCK)
    if block == {}:
        return None
    try:
        return AlertSettings.model_validate(block)
    except ValidationError as error:
        located = read_goals_yaml(path)
        problems = []
        for item in error.errors():
            location = (BLOCK, *_yaml_path(block, item))
            problems.append(GoalsProblem(located.line_of(location), format_path(location), _message(item)))
        raise GoalsFileError(path, problems) from None


def _with_on_key(value: Any) -> Any:
    if isinstance(value, Mapping) and True in value and "on" not in value:
        return {("on" if key is True else key): item for key, item in value.items()}
    return value


def _yaml_path(block: Any, item: Mapping[str, Any]) -> tuple[str | int, ...]:
    """The path in the file of a pydantic error location.

    pydantic inserts steps the file does not have: the discriminator's value of a channel
    (``channels.0.email.to``) and ``[key]``. A step absent from the data is dropped unless it is the
    last and not a channel's type (a missing field, located at its parent). A bad or missing
    ``type`` is located at ``type``.
    """
    node, path = _with_on_key(block), []
    steps = list(item["loc"])
    for position, step in enumerate(steps):
        if isinstance(node, Mapping) and step in node:
            node = _with_on_key(node[step])
        elif isinstance(node, Sequence) and not isinstance(node, str) and isinstance(step, int):
            node = node[step] if 0 <= step < len(node) else None
        elif position < len(steps) - 1 or (isinstance(node, Mapping) and step == node.get("type")):
            continue
        path.append(step)
    if item["type"] in ("union_tag_invalid", "union_tag_not_found"):
        path.append("type")
    return tuple(path)


def _message(item: Mapping[str, Any]) -> str:
    kinds = "email, slack, teams or webhook"
    if item["type"] == "extra_forbidden":
        key = str(item["loc"][-1])
        if key in INLINE_SECRETS:
            return (
                f"'{key}' would put a secret in goals.yml: set it in an environment variable and give "
                f"that variable's name with the channel's *_env key (see docs/alerts.md)"
            )
        return "unknown field (check the spelling)"
    if item["type"] == "union_tag_invalid":
        return f"unknown channel type {item['ctx']['tag']!r}; expected {kinds}"
    if item["type"] == "union_tag_not_found":
        return f"each channel needs a type: {kinds}"
    return str(item["msg"]).removeprefix("Value error, ")
