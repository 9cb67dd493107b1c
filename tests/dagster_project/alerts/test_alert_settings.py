"""The ``alerts`` block of goals.yml: strict, located mistakes, secrets only by variable name, and
never a reason for the goals themselves to be refused."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dagster_project.alerts.events import AlertKind
from dagster_project.alerts.settings import (
    AlertSettings,
    EmailChannel,
    QuietHours,
    SlackChannel,
    TeamsChannel,
    WebhookChannel,
    load_alert_settings,
)
from dagster_project.config.goals import load_goals, load_metric_catalog
from dagster_project.config.goals_source import GoalsFileError
from dagster_project.settings import DBT_PROJECT_DIR, REPO_ROOT, SHIPPED_GOALS_FILE

FULL = """\
organisation: {timezone: Europe/London}
alerts:
  channels:
    - type: email
      to: [owner@example.com, ops@example.com]
      from: milemarker@example.com
      smtp_host: smtp.example.com
      smtp_port: 587
      starttls: true
      username_env: MILEMARKER_SMTP_USERNAME
      password_env: MILEMARKER_SMTP_PASSWORD
    - type: slack
      webhook_url_env: MILEMARKER_SLACK_WEBHOOK_URL
    - type: teams
    - type: webhook
      url_env: OPS_WEBHOOK
  on: [run_failed, goal_status]
  daily_cap: 5
  quiet_hours: {start: 22:00, end: 7:00}
goals: []
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "goals.yml"
    path.write_text(text)
    return path


def test_no_block_no_file_means_no_alerting(tmp_path: Path) -> None:
    assert load_alert_settings(SHIPPED_GOALS_FILE) is None
    assert load_alert_settings(tmp_path / "absent.yml") is None
    assert load_alert_settings(write(tmp_path, "alerts:\ngoals: []\n")) is None


def test_a_full_block_reads_as_written(tmp_path: Path) -> None:
    settings = load_alert_settings(write(tmp_path, FULL))
    assert settings is not None
    email, slack, teams, webhook = settings.channels
    assert isinstance(email, EmailChannel) and email.sender == "milemarker@example.com"
    assert (email.to, email.smtp_port, email.username_env) == (
        ["owner@example.com", "ops@example.com"],
        587,
        "MILEMARKER_SMTP_USERNAME",
    )
    assert isinstance(slack, SlackChannel) and slack.webhook_url_env == "MILEMARKER_SLACK_WEBHOOK_URL"
    assert isinstance(teams, TeamsChannel) and teams.webhook_url_env == "MILEMARKER_TEAMS_WEBHOOK_URL"
    assert isinstance(webhook, WebhookChannel) and webhook.url_env == "OPS_WEBHOOK"
    # the bare key `on` is YAML 1.1's boolean true, and unquoted 22:00 its base-60 integer 1320
    assert settings.on == [AlertKind.RUN_FAILED, AlertKind.GOAL_STATUS]
    assert settings.quiet_hours == QuietHours(start=time(22, 0), end=time(7, 0))
    assert settings.daily_cap == 5


def test_defaults_are_every_kind_and_twenty_a_day() -> None:
    settings = AlertSettings.model_validate({"channels": [{"type": "slack"}]})
    assert (set(settings.on), settings.daily_cap, settings.quiet_hours) == (set(AlertKind), 20, None)


def test_the_documented_example_is_valid(tmp_path: Path) -> None:
    docs = (REPO_ROOT / "docs" / "alerts.md").read_text()
    example = re.search(r"```yaml\n(alerts:\n.*?)```", docs, re.DOTALL)
    assert example is not None, "docs/alerts.md lost its settings example"
    assert load_alert_settings(write(tmp_path, example[1])) is not None


def test_an_alerts_mistake_never_stops_the_goals(tmp_path: Path) -> None:
    """The goals document takes the block as written: a typo there is the alerts' problem only."""
    path = write(tmp_path, "alerts: {channels: [{type: sms}], daily_cpa: 3}\ngoals: []\n")
    load_goals(path, load_metric_catalog(DBT_PROJECT_DIR / "seeds" / "goal_metrics.csv"))
    with pytest.raises(GoalsFileError):
        load_alert_settings(path)


@pytest.mark.parametrize(
    ("block", "line", "field", "message"),
    [
        pytest.param(
            "  channels: [{type: slack}]\n  daily_cpa: 3\n", 4, "alerts.daily_cpa", "unknown field", id="typo"
        ),
        pytest.param(
            "  channels:\n    - type: slack\n      webhook_url: https://hooks.slack.com/services/T/B/x\n",
            5,
            "alerts.channels[0].webhook_url",
            "environment variable",
            id="url-written-in-the-file",
        ),
        pytest.param(
            "  channels:\n    - type: webhook\n      url_env: https://example.com/hook\n",
            5,
            "alerts.channels[0].url_env",
            "name of an environment variable",
            id="value-where-a-name-belongs",
        ),
        pytest.param(
            "  channels:\n    - type: slack\n    - type: sms\n",
            5,
            "alerts.channels[1].type",
            "unknown channel type 'sms'; expected email, slack, teams or webhook",
            id="unknown-type",
        ),
        pytest.param(
            "  channels:\n    - webhook_url_env: X\n",
            4,
            "alerts.channels[0].type",
            "needs a type",
            id="no-type",
        ),
        pytest.param(
            "  channels:\n    - type: email\n      from: a@example.com\n",
            4,
            "alerts.channels[0].to",
            "Field required",
            id="email-without-recipients",
        ),
        pytest.param(
            "  channels:\n    - type: email\n      from: a@example.com\n      to: [owner]\n",
            6,
            "alerts.channels[0].to[0]",
            "'owner' is not an e-mail address",
            id="not-an-address",
        ),
        pytest.param(
            "  channels:\n    - type: email\n      from: a@example.com\n      to: b@example.com\n"
            "      username_env: SMTP_USER\n",
            4,
            "alerts.channels[0]",
            "give both username_env and password_env",
            id="half-a-login",
        ),
        pytest.param(
            "  channels: [{type: slack}, {type: slack}]\n",
            3,
            "alerts.channels",
            "channels[1] sends where channels[0] does",
            id="same-channel-twice",
        ),
        pytest.param("  channels: []\n", 3, "alerts.channels", "at least 1 item", id="no-channel"),
        pytest.param(
            "  channels: [{type: slack}]\n  on: [run_failed, run_fail]\n",
            4,
            "alerts.on[1]",
            "'run_failed', 'run_canceled', 'goal_status' or 'data_quality'",
            id="unknown-kind",
        ),
        pytest.param(
            "  channels: [{type: slack}]\n  daily_cap: 0\n",
            4,
            "alerts.daily_cap",
            "greater than or equal to 1",
            id="cap",
        ),
        pytest.param(
            '  channels: [{type: slack}]\n  quiet_hours: {start: "07:00", end: "07:00"}\n',
            4,
            "alerts.quiet_hours",
            "start and end are the same time",
            id="empty-quiet-hours",
        ),
        pytest.param(
            '  channels: [{type: slack}]\n  quiet_hours: {start: "25:00", end: "07:00"}\n',
            4,
            "alerts.quiet_hours.start",
            "time",
            id="not-a-time",
        ),
        pytest.param(
            "  channels: [{type: slack}]\n  digest:\n    weekly_report: mon\n",
            5,
            "alerts.digest.weekly_report",
            "give a day of the week (monday ... sunday), or false",
            id="digest-day-misspelt",
        ),
        pytest.param(
            "  channels: [{type: slack}]\n  digest: {daily: yes please}\n",
            4,
            "alerts.digest.daily",
            "boolean",
            id="digest-daily-not-a-boolean",
        ),
    ],
)
def test_a_wrong_block_names_line_and_field(
    tmp_path: Path, block: str, line: int, field: str, message: str
) -> None:
    path = write(tmp_path, "goals: []\nalerts:\n" + block)
    with pytest.raises(GoalsFileError) as raised:
        load_alert_settings(path)
    problem = raised.value.problems[0]
    assert (problem.field, problem.line) == (field, line), raised.value.problems
    assert message in problem.message, problem.message


def test_the_located_message_reads_like_the_goals_ones(tmp_path: Path) -> None:
    path = write(tmp_path, "alerts:\n  channels: [{type: slack}]\n  daily_cpa: 3\n")
    with pytest.raises(GoalsFileError) as raised:
        load_alert_settings(path)
    assert raised.value.located == ("goals.yml:3 alerts.daily_cpa: unknown field (check the spelling)",)


@pytest.mark.parametrize(
    ("start", "end", "at", "quiet"),
    [
        (time(22), time(7), time(23, 30), True),
        (time(22), time(7), time(6, 59), True),
        (time(22), time(7), time(7), False),
        (time(22), time(7), time(21, 59), False),
        (time(12), time(14), time(13), True),
        (time(12), time(14), time(14), False),
    ],
)
def test_quiet_hours_may_run_over_midnight(start: time, end: time, at: time, quiet: bool) -> None:
    assert QuietHours(start=start, end=end).holds(at) is quiet


def test_quiet_hours_end_on_the_next_morning_in_local_time() -> None:
    zone = ZoneInfo("America/New_York")
    quiet = QuietHours(start=time(22), end=time(7))
    assert quiet.ends_after(datetime(2026, 3, 7, 23, 0, tzinfo=zone)) == datetime(
        2026, 3, 8, 7, 0, tzinfo=zone
    )
    assert quiet.ends_after(datetime(2026, 3, 8, 1, 0, tzinfo=zone)) == datetime(
        2026, 3, 8, 7, 0, tzinfo=zone
    )
    # 8 March 2026 is the spring-forward night: the quiet night is an hour shorter, still ending at 07:00
    assert quiet.ends_after(datetime(2026, 3, 7, 23, 0, tzinfo=zone)).utcoffset().total_seconds() == -4 * 3600  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("written", "sent_on"),
    [
        ("{}", "monday"),
        ("{weekly_report: Friday}", "friday"),
        ("{weekly_report: false}", None),
        ("{daily: false, weekly_report: sunday}", "sunday"),
    ],
)
def test_the_weekly_report_goes_out_on_its_weekday_only(
    tmp_path: Path, written: str, sent_on: str | None
) -> None:
    settings = load_alert_settings(
        write(tmp_path, f"alerts:\n  channels: [{{type: slack}}]\n  digest: {written}\n")
    )
    assert settings is not None
    week = [date(2026, 11, 23) + timedelta(days=offset) for offset in range(7)]  # Monday to Sunday
    assert [day for day in week if settings.digest.weekly_on(day)] == [
        day for day in week if f"{day:%A}".lower() == sent_on
    ]
    assert settings.digest.daily is ("daily: false" not in written)
