"""``goals.yml``: the organisation's goals, validated before anything reaches the warehouse.

An owner edits this file by hand, so every mistake must come back as one readable line naming the
file, the line and the field (``goals.yml:42 goals[3].target: must be greater than 0``), and a bad
file must never replace the goals already landed. Validation is strict (unknown keys are errors:
a misspelt ``thresold`` silently ignored would be worse than a failed run).

The metrics a goal may name are the rows of ``dbt/seeds/goal_metrics.csv``: the same seed the dbt
metric registry is tested against, so Python and SQL cannot disagree on what exists.

Reading the file (size limit, UTF-8, YAML without anchors, one parse per version of the file) is
:mod:`dagster_project.config.goals_source`'s job; this module validates what was read.
"""

from __future__ import annotations

import csv
import difflib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationError, field_validator, model_validator

from dagster_project.config.goals_source import GoalsFileError, GoalsProblem, read_goals_yaml
from dagster_project.config.organisation import Organisation
from dagster_project.config.run_schedule import ScheduleSettings
from dagster_project.config.source_settings import SourceSettings
from dagster_project.config.yaml_locations import format_path

FILTER_KEYS = ("service_line", "lead_source", "owner", "dealtype")

Target = Annotated[float, Strict()]
"""A target is a number as written: YAML ``true`` or ``"60"`` is a mistake, not 1.0 or 60."""


class PeriodType(StrEnum):
    YEAR = "year"
    FISCAL_YEAR = "fiscal_year"
    QUARTER = "quarter"
    MONTH = "month"
    WEEK = "week"


@dataclass(frozen=True)
class MetricDefinition:
    """One row of the metric catalog seed."""

    name: str
    kind: Literal["flow", "level", "ratio"]
    unit: str
    per_owner: bool


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Thresholds(_Strict):
    """Pace-index bands (formulas: ``fct_goal_pacing_daily.sql``).

    Ordered: at_risk < on_track <= 1 <= ahead.
    """

    ahead: float = 1.05
    on_track: float = 0.95
    at_risk: float = 0.85
    projected_at_risk: float = 0.90
    max_acceleration: float = Field(default=1.5, gt=1)

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if not (0 < self.at_risk < self.on_track <= 1 <= self.ahead):
            raise ValueError("thresholds must satisfy 0 < at_risk < on_track <= 1 <= ahead")
        return self


class Guards(_Strict):
    """When a status would be noise: too early in the period, too few expected events, too small a sample."""

    min_elapsed_fraction: float = Field(default=0.10, ge=0, lt=1)
    min_expected_count: float = Field(default=5, ge=0)
    min_sample: int = Field(default=20, ge=0)


class Drift(_Strict):
    """How a goal that is still on track but sliding is caught, and how an alarm clears (hysteresis)."""

    window_days: int = Field(default=14, ge=1, le=90)
    warn_drop: float = Field(default=0.10, gt=0, lt=1)
    error_after_days: int = Field(default=2, ge=1)
    clear_at: float = Field(default=0.90, gt=0, le=1)


class Pacing(_Strict):
    """The expected-to-date curve: straight line, or last year's shape blended with a line."""

    curve: Literal["linear", "seasonal_last_year"] = "seasonal_last_year"
    linear_blend: float = Field(default=0.3, ge=0, le=1)


class Defaults(_Strict):
    pacing: Pacing = Pacing()
    thresholds: Thresholds = Thresholds()
    guards: Guards = Guards()
    drift: Drift = Drift()


class PeriodSpec(_Strict):
    """Which periods a goal covers: one (``recurring: false``) or every period from ``from`` to ``to``.

    ``from`` and ``to`` name a day (or a label standing for its first day: ``2026``, ``2026-Q3``,
    ``2026-07``); the goal covers the periods *containing* those days, so quarters and fiscal years
    follow ``fiscal_year_start_month`` without a second naming convention.
    """

    type: PeriodType
    from_: date = Field(alias="from")
    to: date | None = None
    recurring: bool = True

    @field_validator("from_", "to", mode="before")
    @classmethod
    def _label_to_date(cls, value: Any) -> Any:
        return parse_period_label(value) if value is not None else None

    @model_validator(mode="after")
    def _consistent(self) -> PeriodSpec:
        if self.to is not None and self.to < self.from_:
            raise ValueError("'to' is before 'from'")
        if not self.recurring and self.to is not None:
            raise ValueError("a one-off goal (recurring: false) takes 'from' only")
        return self


class Goal(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,62}$")
    name: str | None = None
    metric: str
    period: PeriodSpec
    target: Target | None = Field(default=None, gt=0)
    per_owner: dict[str, Target] | None = None
    direction: Literal["increase", "decrease"] = "increase"
    filters: dict[str, list[str]] = Field(default_factory=dict)
    overrides: dict[str, Target] = Field(default_factory=dict)
    pacing: Pacing | None = None
    thresholds: Thresholds | None = None

    @field_validator("id")
    @classmethod
    def _no_double_underscore(cls, value: str) -> str:
        """Check names are ``goal_<id>`` and ``goal_<id>__<rep>``: an id holding ``__`` could take the
        name of another goal's rep check (goal ``calls__alice``, rep alice of goal ``calls``)."""
        if "__" in value:
            raise ValueError("'__' separates a goal from its reps in check names; use a single '_'")
        return value

    @field_validator("filters")
    @classmethod
    def _known_filters(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = sorted(set(value) - set(FILTER_KEYS))
        if unknown:
            raise ValueError(f"unknown filter {unknown[0]!r}; expected one of {', '.join(FILTER_KEYS)}")
        return value

    @field_validator("per_owner", "overrides")
    @classmethod
    def _positive_values(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        for key, target in (value or {}).items():
            if target <= 0:
                raise ValueError(f"target for {key!r} must be greater than 0")
        return value

    @model_validator(mode="after")
    def _one_target(self) -> Goal:
        if (self.target is None) == (self.per_owner is None):
            raise ValueError("give exactly one of 'target' (the whole team) or 'per_owner'")
        return self


class GoalsDocument(_Strict):
    version: Literal[1] = 1
    organisation: Organisation = Organisation()
    schedule: ScheduleSettings = ScheduleSettings()
    sources: SourceSettings = SourceSettings()
    defaults: Defaults = Defaults()
    goals: list[Goal] = Field(default_factory=list)
    alerts: Any = None
    """Taken as written: :mod:`dagster_project.alerts.settings` validates it when alerts are sent, so
    a mistake in where alerts go never stops the goals from landing."""


@dataclass(frozen=True)
class GoalsFile:
    """A validated goals file: the document plus the catalog it was checked against."""

    path: Path
    document: GoalsDocument
    metrics: Mapping[str, MetricDefinition]

    def to_rows(self) -> list[dict[str, Any]]:
        """One flat row per goal for ``raw_config.goals``; nested settings resolved against defaults."""
        defaults = self.document.defaults
        rows = []
        for goal in self.document.goals:
            metric = self.metrics[goal.metric]
            pacing = goal.pacing or defaults.pacing
            thresholds = goal.thresholds or defaults.thresholds
            rows.append(
                {
                    "goal_id": goal.id,
                    "goal_name": goal.name or goal.id.replace("_", " ").capitalize(),
                    "metric_name": goal.metric,
                    "metric_kind": metric.kind,
                    "period_type": goal.period.type.value,
                    "period_from": goal.period.from_,
                    "period_to": goal.period.to,
                    "is_recurring": goal.period.recurring,
                    "target": goal.target,
                    "per_owner_targets": dict(goal.per_owner or {}),
                    "target_overrides": dict(goal.overrides),
                    "direction": goal.direction,
                    "filters": {key: list(values) for key, values in goal.filters.items()},
                    "pacing_curve": pacing.curve,
                    "linear_blend": pacing.linear_blend,
                    **{f"threshold_{name}": value for name, value in thresholds.model_dump().items()},
                    **{f"guard_{name}": value for name, value in defaults.guards.model_dump().items()},
                    **{f"drift_{name}": value for name, value in defaults.drift.model_dump().items()},
                }
            )
        return rows


def parse_period_label(value: Any) -> date:
    """The first day named by a period label: ``2026``, ``2026-Q3``, ``2026-07`` or a date."""
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        if re.fullmatch(r"\d{4}", text):
            return date(int(text), 1, 1)
        if match := re.fullmatch(r"(\d{4})-Q([1-4])", text, flags=re.IGNORECASE):
            return date(int(match[1]), 3 * int(match[2]) - 2, 1)
        if match := re.fullmatch(r"(\d{4})-(\d{2})", text):
            return date(int(match[1]), int(match[2]), 1)
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a period label (2026, 2026-Q3, 2026-07 or 2026-07-06)") from None


def load_metric_catalog(path: Path) -> dict[str, MetricDefinition]:
    """The metric catalog seed, keyed by metric name."""
    with path.open(newline="") as handle:
        return {
            row["metric_name"]: MetricDefinition(
                name=row["metric_name"],
                kind=row["kind"],
                unit=row["unit"],
                per_owner=row["per_owner"] == "true",
            )
            for row in csv.DictReader(handle)
        }


def load_goals(path: Path, metrics: Mapping[str, MetricDefinition]) -> GoalsFile:
    """Parse and validate ``path``; raise ``GoalsFileError`` naming every located mistake."""
    located = read_goals_yaml(path)
    if not isinstance(located.data, dict):
        what = "empty" if located.data is None else f"a {type(located.data).__name__}, not a mapping"
        raise GoalsFileError(
            path, [GoalsProblem(1, "", f"the file is {what}; expected 'organisation' and 'goals'")]
        )

    try:
        document = GoalsDocument.model_validate(located.data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            location = tuple(_yaml_key(step) for step in item["loc"] if step != "[key]")
            problems.append(GoalsProblem(located.line_of(location), format_path(location), _message(item)))
        raise GoalsFileError(path, problems) from None

    problems = list(_document_problems(document, metrics, located.line_of))
    if problems:
        raise GoalsFileError(path, problems)
    return GoalsFile(path=path, document=document, metrics=metrics)


def _document_problems(
    document: GoalsDocument,
    metrics: Mapping[str, MetricDefinition],
    line_of: Callable[[Sequence[str | int]], int],
) -> list[GoalsProblem]:
    """Rules that need the catalog or several values at once: unknown metric, duplicate id, the same
    rep twice, ratio bounds."""
    problems: list[GoalsProblem] = []
    first_line_of_id: dict[str, int] = {}

    def report(index: int, field: str, message: str, *within: str) -> None:
        location = ("goals", index, field)
        problems.append(GoalsProblem(line_of((*location, *within)), format_path(location), message))

    for index, goal in enumerate(document.goals):
        if goal.id in first_line_of_id:
            report(
                index, "id", f"duplicate goal id {goal.id!r} (first used on line {first_line_of_id[goal.id]})"
            )
        else:
            first_line_of_id[goal.id] = line_of(("goals", index, "id"))
        metric = metrics.get(goal.metric)
        if metric is None:
            report(index, "metric", f"unknown metric {goal.metric!r}; known: {', '.join(sorted(metrics))}")
            continue
        if goal.per_owner is not None and not metric.per_owner:
            report(index, "per_owner", f"metric {goal.metric!r} is not tracked per owner")
        for first, again in _same_rep_twice(goal.per_owner or {}):
            message = (
                f"{again!r} and {first!r} differ only in case: e-mail addresses ignore case, so this is "
                "one rep entered twice; keep one of them"
            )
            report(index, "per_owner", message, again)
        if metric.kind == "ratio":
            targets = [goal.target] if goal.target is not None else list((goal.per_owner or {}).values())
            if any(target > 1 for target in targets):
                report(index, "target", "a rate target is a fraction between 0 and 1 (e.g. 0.30 for 30 %)")
        for label in goal.overrides:
            try:
                parse_period_label(label)
            except ValueError as error:
                report(index, "overrides", str(error))
    return problems


@dataclass(frozen=True)
class KnownOwners:
    """The reps a ``per_owner`` key may name: the landed CRM owners' e-mails and owner ids.

    Matched as the pacing marts match them (``int_goal_periods``: the key lower-cased equals the
    e-mail, or the key equals the id, of an owner not deleted), so a key accepted here is a key the
    marts find. ``former`` holds the e-mails and ids of owners archived or deleted in the CRM (a rep
    who left): the marts drop them, so they are refused with their own message.
    """

    emails: frozenset[str]
    ids: frozenset[str]
    former: frozenset[str] = frozenset()

    def knows(self, key: str) -> bool:
        return key.lower() in self.emails or key in self.ids

    def closest(self, key: str) -> str | None:
        """The known e-mail a mistyped ``key`` most likely meant, if one is close."""
        matches = difflib.get_close_matches(key.lower(), self.emails, n=1)
        return matches[0] if matches else None


def check_owners(goals: GoalsFile, owners: KnownOwners) -> None:
    """Raise ``GoalsFileError`` naming the line of every ``per_owner`` rep ``owners`` does not know.

    A rep the marts cannot match has no pacing row: without this check a misspelt e-mail makes the
    rep silently disappear from the goal instead of failing where the typo is.
    """
    located = read_goals_yaml(goals.path)
    problems = [
        GoalsProblem(
            located.line_of(("goals", index, "per_owner", key)),
            format_path(("goals", index, "per_owner")),
            _unknown_owner_message(key, owners),
        )
        for index, goal in enumerate(goals.document.goals)
        for key in goal.per_owner or {}
        if not owners.knows(key)
    ]
    if problems:
        raise GoalsFileError(goals.path, problems)


def _unknown_owner_message(key: str, owners: KnownOwners) -> str:
    if key.lower() in owners.former or key in owners.former:
        return (
            f"rep {key!r} is no longer a HubSpot owner (archived or deleted): remove them from the goal "
            "or give their target to whoever took over"
        )
    closest = owners.closest(key)
    hint = f"; did you mean {closest!r}?" if closest else "; check the spelling"
    return f"unknown rep {key!r}: no landed HubSpot owner has this e-mail or owner id{hint}"


def _same_rep_twice(owners: Iterable[str]) -> list[tuple[str, str]]:
    """(first key, later key) for every owner key equal to an earlier one but for case.

    The marts match a rep by lower-cased e-mail, so both keys would pace the same person twice.
    """
    first_by_folded: dict[str, str] = {}
    pairs = []
    for owner in owners:
        first = first_by_folded.setdefault(owner.casefold(), owner)
        if first != owner:
            pairs.append((first, owner))
    return pairs


def _yaml_key(step: Any) -> str | int:
    """pydantic reports the alias-less name ``from_``; the user wrote ``from``.

    (A mapping's key that is not allowed is reported at that key plus a ``[key]`` step, which the
    caller drops: the user wrote the key.)"""
    return "from" if step == "from_" else step


def _message(item: Mapping[str, Any]) -> str:
    message = str(item["msg"]).removeprefix("Value error, ")
    if item["type"] == "extra_forbidden":
        return "unknown field (check the spelling)"
    return message
