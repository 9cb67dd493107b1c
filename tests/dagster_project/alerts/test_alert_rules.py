"""When an alert is raised and what it says: changes only, the check's own advice, no secret."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from goal_outcomes import (
    AHEAD,
    AT_RISK,
    OFF_TRACK_DAY_1,
    OFF_TRACK_DAY_2,
    ON_TRACK,
    earlier,
    goal_outcome,
    quality_outcome,
)

from dagster_project.alerts.events import Alert, AlertKind, AlertSeverity
from dagster_project.alerts.messages import html, plain_text, subject
from dagster_project.alerts.payloads import slack_payload, teams_payload, webhook_body
from dagster_project.alerts.run_alerts import EndedRun, RunEnd
from dagster_project.alerts.secrets import known_secrets
from dagster_project.alerts.service import raise_alerts
from dagster_project.alerts.settings import AlertSettings
from dagster_project.alerts.state import AlertState

NOW = datetime(2026, 11, 20, 11, 0, tzinfo=UTC)


@pytest.fixture
def state(tmp_path: Path) -> AlertState:
    return AlertState.under(tmp_path / "dagster_home")


def titles(alerts: list[Alert]) -> list[str]:
    return [alert.title for alert in alerts]


def test_a_goal_alerts_when_its_status_changes_not_every_day(state: AlertState) -> None:
    days = [
        ([goal_outcome(ON_TRACK)], []),  # first seen, passing: nothing to say
        ([goal_outcome(ON_TRACK)], []),
        ([goal_outcome(AT_RISK)], ["Bookings per month: on track → at risk"]),
        ([goal_outcome(AT_RISK)], []),
        ([goal_outcome(OFF_TRACK_DAY_1)], ["Bookings per month: at risk → off track"]),
        ([goal_outcome(OFF_TRACK_DAY_2)], []),  # WARN -> ERROR: still off track, no repeat
        # at risk again, but the check's hysteresis keeps the ERROR open: still off track
        ([goal_outcome(AT_RISK, [earlier(OFF_TRACK_DAY_2, 1)])], []),
        ([goal_outcome(ON_TRACK)], ["Bookings per month recovered: off track → on track"]),
        ([goal_outcome(AHEAD)], []),  # passing to passing is not news
    ]
    for day, (outcomes, expected) in enumerate(days):
        raised = raise_alerts(None, outcomes, state, frozenset(), NOW + timedelta(days=day))
        assert titles(raised) == expected, f"day {day}"


def test_a_goal_first_seen_failing_alerts_once(state: AlertState) -> None:
    (alert,) = raise_alerts(None, [goal_outcome(OFF_TRACK_DAY_2)], state, frozenset(), NOW)
    assert (alert.title, alert.severity) == ("Bookings per month: off track", AlertSeverity.ERROR)
    assert raise_alerts(None, [goal_outcome(OFF_TRACK_DAY_2)], state, frozenset(), NOW) == []


def test_a_goal_alert_carries_the_checks_advice_and_its_numbers_in_the_currency(state: AlertState) -> None:
    raise_alerts(None, [goal_outcome(ON_TRACK)], state, frozenset(), NOW)
    outcome = goal_outcome(AT_RISK, run_id="run-2")
    (alert,) = raise_alerts(None, [outcome], state, frozenset(), NOW)

    assert (alert.kind, alert.severity, alert.run_id) == (
        AlertKind.GOAL_STATUS,
        AlertSeverity.WARNING,
        "run-2",
    )
    assert alert.text == outcome.description
    assert "you need 16,600 a day for the rest of the month" in alert.text
    assert dict((fact.name, fact.value) for fact in alert.facts) == {
        "Status": "at risk (was on track)",
        "Actual": "USD 234,000",
        "Target": "USD 400,000",
        "Expected by now": "USD 266,667",
        "Projected finish": "USD 351,000",
        "Required run-rate": "USD 116,200 a week",
        "Current run-rate": "USD 81,900 a week",
        "As of": "2026-11-20",
    }
    assert alert.goal is not None
    assert (
        alert.goal.goal_id,
        alert.goal.unit,
        alert.goal.actual,
        alert.goal.required_run_rate_per_week,
    ) == (
        "bookings_monthly",
        "USD",
        234_000.0,
        116_200.0,
    )
    assert alert.as_of_date == "2026-11-20"


def test_a_data_check_alerts_when_it_starts_failing_again(state: AlertState) -> None:
    steps = [
        (quality_outcome(passed=True), []),
        (quality_outcome(passed=False, description="2 rows share a key"), ["failed"]),
        (quality_outcome(passed=False, description="2 rows share a key"), []),  # still failing: no repeat
        (quality_outcome(passed=True), []),  # a recovery is not announced
        (quality_outcome(passed=False, severity="WARN"), ["warns"]),  # failing again after passing
        (quality_outcome(passed=False, severity="ERROR"), ["failed"]),  # escalated
    ]
    for step, (outcome, expected) in enumerate(steps):
        raised = raise_alerts(None, [outcome], state, frozenset(), NOW)
        assert [alert.title.split(":")[0].removeprefix("Data check ") for alert in raised] == expected, step
    (alert,) = raise_alerts(
        None,
        [quality_outcome(passed=False, run_id="r9")],
        AlertState.under(state.path.parent / "x"),
        frozenset(),
        NOW,
    )
    assert alert.title == "Data check failed: primary_key_unique on raw_hubspot/deals"
    assert alert.text == "The check did not pass; its result in the Dagster UI says why."


def test_a_run_is_alerted_on_once(state: AlertState) -> None:
    run = EndedRun("0d9c3e1a-run", "materialize_all", RunEnd.FAILED, "Execution of run failed.")
    (alert,) = raise_alerts(run, [], state, frozenset(), NOW)
    assert (alert.kind, alert.severity, alert.title) == (
        AlertKind.RUN_FAILED,
        AlertSeverity.ERROR,
        "Run of materialize_all failed",
    )
    assert raise_alerts(run, [], state, frozenset(), NOW) == []  # the same run seen by a second tick
    canceled = EndedRun("1e0d4f2b-run", "land_raw", RunEnd.CANCELED, "")
    (alert,) = raise_alerts(canceled, [], state, frozenset(), NOW)
    assert (alert.kind, alert.title) == (AlertKind.RUN_CANCELED, "Run of land_raw was canceled")
    assert alert.text.startswith("Dagster recorded no error message.")


def test_no_secret_reaches_any_message_even_when_the_failure_quotes_it(state: AlertState) -> None:
    environ = {
        "HUBSPOT_ACCESS_TOKEN": "pat-na1-11111111-2222-3333-4444-555555555555",
        "XERO_CLIENT_SECRET": "xs-Plain-Words-Secret",
        "MILEMARKER_SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T0AAA/B0BBB/s3cr3tSlackT0ken",
    }
    settings = AlertSettings.model_validate({"channels": [{"type": "slack"}]})
    secrets = known_secrets(settings, environ)
    failure = (
        'Execution of run for "materialize_all" failed.\n'
        "hubspot_deals: HTTPError: 401 for https://api.hubapi.com/crm/v3/objects/deals "
        "(Authorization: Bearer pat-na1-11111111-2222-3333-4444-555555555555)\n"
        "xero_invoices: token endpoint said client_secret=xs-Plain-Words-Secret&grant_type=refresh_token\n"
        "alerts: could not POST to https://hooks.slack.com/services/T0AAA/B0BBB/s3cr3tSlackT0ken "
        "nor /services/T0AAA/B0BBB/s3cr3tSlackT0ken; "
        "refresh_token=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl"
    )
    run = EndedRun("5f1e2d3c-run", "materialize_all", RunEnd.FAILED, failure)
    dq = quality_outcome(
        passed=False, description="row with password=hunter2hunter2 and xs-Plain-Words-Secret"
    )
    alerts = raise_alerts(run, [dq], state, secrets, NOW)
    assert len(alerts) == 2
    rendered = [
        text
        for alert in alerts
        for text in (
            subject(alert),
            plain_text(alert),
            html(alert),
            json.dumps(slack_payload(alert)),
            json.dumps(teams_payload(alert)),
            json.dumps(webhook_body(alert)),
        )
    ]
    leaks = [
        "pat-na1-11111111",
        "xs-Plain-Words-Secret",
        "s3cr3tSlackT0ken",
        "hunter2hunter2",
        "eyJhbGciOiJSUzI1NiJ9",
    ]
    for text in rendered:
        for leak in leaks:
            assert leak not in text, (leak, text)
    assert "HTTPError: 401 for https://api.hubapi.com/crm/v3/objects/deals" in alerts[0].text
