"""goals.yml validation: good files flatten to rows; every broken file names its line and field."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import pytest

from dagster_project.config.goals import GoalsFileError, load_goals, load_metric_catalog, parse_period_label
from dagster_project.settings import DBT_PROJECT_DIR, SHIPPED_GOALS_FILE

CATALOG = load_metric_catalog(DBT_PROJECT_DIR / "seeds" / "goal_metrics.csv")

VALID = """\
version: 1
organisation:
  timezone: America/New_York
  currency: USD
  fiscal_year_start_month: 7
defaults:
  thresholds: {ahead: 1.1, on_track: 0.95, at_risk: 0.8}
goals:
  - id: leads_monthly
    metric: leads
    period: {type: month, from: 2026-01, to: 2026-12}
    target: 60
    overrides: {2026-12: 40}
  - id: appointments_per_rep
    metric: first_appointments
    period: {type: week, from: 2026-01-05}
    per_owner: {alice@example.com: 6, bob@example.com: 4}
  - id: close_rate_q4
    metric: close_rate
    period: {type: quarter, from: 2026-Q4, recurring: false}
    target: 0.3
    pacing: {curve: linear}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "goals.yml"
    path.write_text(textwrap.dedent(text))
    return path


def test_a_file_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "goals.yml"
    path.write_bytes(VALID.encode().replace(b"id: appointments_per_rep", b"id: rendez-vous_\xe9t\xe9", 1))

    with pytest.raises(GoalsFileError) as raised:
        load_goals(path, CATALOG)

    assert "goals.yml:14: not UTF-8 (byte 0xe9)" in str(raised.value)


def test_valid_file_flattens_to_one_row_per_goal(tmp_path: Path) -> None:
    goals = load_goals(write(tmp_path, VALID), CATALOG)
    rows = {row["goal_id"]: row for row in goals.to_rows()}

    assert list(rows) == ["leads_monthly", "appointments_per_rep", "close_rate_q4"]
    leads = rows["leads_monthly"]
    assert (leads["period_from"], leads["period_to"]) == (date(2026, 1, 1), date(2026, 12, 1))
    assert leads["target_overrides"] == {"2026-12": 40}
    assert leads["threshold_ahead"] == 1.1 and leads["pacing_curve"] == "seasonal_last_year"
    assert rows["appointments_per_rep"]["per_owner_targets"] == {"alice@example.com": 6, "bob@example.com": 4}
    assert rows["appointments_per_rep"]["target"] is None
    assert rows["close_rate_q4"]["metric_kind"] == "ratio"
    assert rows["close_rate_q4"]["pacing_curve"] == "linear"
    assert goals.document.organisation.fiscal_year_start_month == 7


def test_shipped_goals_file_is_valid() -> None:
    load_goals(SHIPPED_GOALS_FILE, CATALOG)


def _replace(old: str, new: str) -> str:
    assert old in VALID, old
    return VALID.replace(old, new, 1)


BROKEN = [
    pytest.param("", 1, "", "empty", id="empty-file"),
    pytest.param("- just\n- a list\n", 1, "", "not a mapping", id="not-a-mapping"),
    pytest.param(_replace("target: 60", "target: [60"), 13, "", "YAML syntax error", id="yaml-syntax"),
    pytest.param(
        _replace("metric: leads", "metric: leeds"), 10, "goals[0].metric", "unknown metric", id="metric"
    ),
    pytest.param(
        _replace("target: 60", "target: -60"), 12, "goals[0].target", "greater than 0", id="negative"
    ),
    pytest.param(_replace("target: 60", "target: sixty"), 12, "goals[0].target", "number", id="wrong-type"),
    pytest.param(
        _replace("type: month, from", "type: monthly, from"),
        11,
        "goals[0].period.type",
        "month",
        id="period-type",
    ),
    pytest.param(
        _replace("from: 2026-01, to", "from: 2026-13, to"),
        11,
        "goals[0].period.from",
        "period label",
        id="bad-from",
    ),
    pytest.param(
        _replace("from: 2026-01, to: 2026-12", "from: 2026-06, to: 2026-01"),
        11,
        "goals[0].period",
        "'to' is before 'from'",
        id="to-before-from",
    ),
    pytest.param(
        _replace("id: close_rate_q4", "id: leads_monthly"),
        18,
        "goals[2].id",
        "first used on line 9",
        id="dup-id",
    ),
    pytest.param(_replace("target: 0.3", "target: 30"), 21, "goals[2].target", "fraction", id="rate-over-1"),
    pytest.param(
        _replace("target: 60", "target: 60\n    thresold: 2"), 13, "goals[0].thresold", "unknown", id="typo"
    ),
    pytest.param(
        _replace("    target: 60\n", "    target: 60\n    target: 70\n"),
        13,
        "goals[0].target",
        "duplicate key",
        id="dup-key",
    ),
    pytest.param(
        _replace("at_risk: 0.8}", "at_risk: 0.99}"),
        7,
        "defaults.thresholds",
        "at_risk < on_track",
        id="bands",
    ),
    pytest.param(
        _replace("per_owner: {alice@example.com: 6,", "target: 5\n    per_owner: {alice@example.com: 6,"),
        14,
        "goals[1]",
        "exactly one of 'target'",
        id="target-and-per-owner",
    ),
    pytest.param(
        _replace("timezone: America/New_York", "timezone: Mars/Olympus"),
        3,
        "organisation.timezone",
        "time zone",
        id="timezone",
    ),
    pytest.param("# only a comment\n\n", 1, "", "empty", id="comments-only"),
    pytest.param(_replace("    target: 60", "\ttarget: 60"), 12, "", "YAML syntax error", id="tab-indent"),
    pytest.param(_replace("target: 60", "target: true"), 12, "goals[0].target", "number", id="bool-target"),
    pytest.param(_replace("target: 60", 'target: "60"'), 12, "goals[0].target", "number", id="quoted-target"),
    pytest.param(_replace("    metric: leads\n", ""), 9, "goals[0].metric", "Field required", id="no-metric"),
    pytest.param(
        _replace("{alice@example.com: 6, bob@example.com: 4}", "[6, 4]"),
        17,
        "goals[1].per_owner",
        "dictionary",
        id="per-owner-list",
    ),
    pytest.param(
        _replace("metric: first_appointments", "metric: revenue"),
        17,
        "goals[1].per_owner",
        "not tracked per owner",
        id="per-owner-metric",
    ),
    pytest.param(
        _replace("overrides: {2026-12: 40}", "overrides: {December: 40}"),
        13,
        "goals[0].overrides",
        "not a period label",
        id="bad-override",
    ),
    pytest.param(
        _replace(
            "per_owner: {alice@example.com: 6, bob@example.com: 4}",
            "per_owner:\n      alice@example.com: 6\n      bob@example.com: 4\n      Alice@Example.com: 5",
        ),
        20,
        "goals[1].per_owner",
        "'Alice@Example.com' and 'alice@example.com' differ only in case",
        id="per-owner-same-rep-twice",
    ),
    pytest.param(
        _replace("id: leads_monthly", "id: leads__monthly"),
        9,
        "goals[0].id",
        "'__' separates a goal from its reps",
        id="double-underscore-id",
    ),
    pytest.param(_replace("version: 1", "version: 2"), 1, "version", "Input should be 1", id="version"),
    pytest.param("goals: {id: x}\n", 1, "goals", "valid list", id="goals-not-a-list"),
]


@pytest.mark.parametrize(("text", "line", "field", "message"), BROKEN)
def test_broken_file_names_line_and_field(
    tmp_path: Path, text: str, line: int, field: str, message: str
) -> None:
    path = write(tmp_path, text)

    with pytest.raises(GoalsFileError) as raised:
        load_goals(path, CATALOG)

    problem = raised.value.problems[0]
    assert (problem.line, problem.field) == (line, field), raised.value.problems
    assert message in problem.message
    assert f"goals.yml:{line}" in str(raised.value)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = _replace("target: 60", "target: -1").replace("target: 0.3", "target: 0")
    with pytest.raises(GoalsFileError) as raised:
        load_goals(write(tmp_path, text), CATALOG)
    assert [p.field for p in raised.value.problems] == ["goals[0].target", "goals[2].target"]


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        (2026, date(2026, 1, 1)),
        ("2026-Q3", date(2026, 7, 1)),
        ("2026-07", date(2026, 7, 1)),
        (date(2026, 7, 6), date(2026, 7, 6)),
        ("2026-07-06", date(2026, 7, 6)),
    ],
)
def test_period_labels(label: object, expected: date) -> None:
    assert parse_period_label(label) == expected
