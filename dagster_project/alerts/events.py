"""What an alert is, whichever event raised it and whichever channel carries it.

An alert is built once, already worded and already redacted, and every channel renders the same
fields: so an e-mail, a Slack message and a webhook body cannot disagree, and a secret removed
here is removed everywhere. It also round-trips through JSON, which is how alerts held during
quiet hours wait in the state file.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal


class AlertKind(StrEnum):
    """The events that raise alerts: the values of the settings' ``on`` list."""

    RUN_FAILED = "run_failed"
    RUN_CANCELED = "run_canceled"
    GOAL_STATUS = "goal_status"
    DATA_QUALITY = "data_quality"


SUPPRESSED: Literal["suppressed"] = "suppressed"
"""The kind of the daily-cap note ("N more alerts suppressed"): not an event, so not a value of ``on``."""
TEST: Literal["test"] = "test"
"""The kind of the alert ``python -m dagster_project.alerts`` sends to try the channels."""

DIGEST: Literal["digest"] = "digest"
"""The kind of the daily digest and the weekly report on the chat and webhook channels
(:mod:`dagster_project.digest`): news the owner asked for, not an event, so not a value of ``on``."""


class AlertSeverity(StrEnum):
    """How loud: ``error`` for a failed run or an ERROR check, ``warning`` for a WARN, ``info`` for a
    recovery or the cap note."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class Fact:
    """One labelled value, already formatted for a person (``Target``: ``USD 400,000``)."""

    name: str
    value: str


@dataclass(frozen=True)
class GoalFigures:
    """A goal alert's numbers as the check reported them, unformatted and in ``unit``: for machines
    reading the webhook body (people read the formatted facts)."""

    check_name: str
    goal_id: str | None
    owner: str | None
    status: str
    previous_status: str | None
    unit: str | None
    actual: float | None
    target: float | None
    expected: float | None
    projected_finish: float | None
    required_run_rate_per_week: float | None
    current_run_rate_per_week: float | None


@dataclass(frozen=True)
class Alert:
    """One message to send, identical on every channel."""

    kind: AlertKind | Literal["suppressed", "test", "digest"]
    severity: AlertSeverity
    title: str
    """One line: an e-mail subject, a Slack header."""
    text: str
    """What happened and what to do, in sentences."""
    raised_at: datetime
    facts: tuple[Fact, ...] = ()
    run_id: str | None = None
    job_name: str | None = None
    goal: GoalFigures | None = None
    asset: str | None = None
    check: str | None = None
    as_of_date: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (the webhook body's, and how a held alert is stored)."""
        data = asdict(self)
        data["kind"] = str(self.kind)
        data["severity"] = str(self.severity)
        data["raised_at"] = self.raised_at.isoformat()
        data["facts"] = [{"name": fact.name, "value": fact.value} for fact in self.facts]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Alert:
        """The alert :meth:`to_dict` returned."""
        kind = data["kind"]
        return cls(
            **{
                **data,
                "kind": kind if kind in (SUPPRESSED, TEST, DIGEST) else AlertKind(kind),
                "severity": AlertSeverity(data["severity"]),
                "raised_at": datetime.fromisoformat(data["raised_at"]),
                "facts": tuple(Fact(**fact) for fact in data["facts"]),
                "goal": GoalFigures(**data["goal"]) if data["goal"] else None,
            }
        )
