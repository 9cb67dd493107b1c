"""Each channel against a real local server: what arrives, and every way delivery fails, redacted."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from alert_receivers import Answer, HttpReceiver, Mailbox, free_port, smtp_server
from alert_setup import (
    FROM,
    SLACK_PATH,
    TEAMS_PATH,
    TO,
    WEBHOOK_PATH,
    channel_environ,
    url_secrets,
    write_goals_file,
)

from dagster_project.alerts import __main__ as test_command
from dagster_project.alerts import channels
from dagster_project.alerts.channels import ChannelError, sender_for
from dagster_project.alerts.dispatch import Dispatcher
from dagster_project.alerts.events import Alert, AlertKind, AlertSeverity, Fact
from dagster_project.alerts.payloads import slack_payload, teams_payload, webhook_body
from dagster_project.alerts.secrets import known_secrets
from dagster_project.alerts.settings import AlertSettings, EmailChannel
from dagster_project.alerts.state import AlertState

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
ALERT = Alert(
    kind=AlertKind.GOAL_STATUS,
    severity=AlertSeverity.WARNING,
    title="Bookings per month: on track → at risk",
    text="At risk (behind pace, pace index 0.88). You need 16,600 a day for the rest of the month.",
    raised_at=NOW,
    facts=(Fact("Actual", "USD 234,000"), Fact("Target", "USD 400,000 <net>")),
    run_id="run-1",
)


def email_channel(port: int, **changes: object) -> EmailChannel:
    fields: dict[str, object] = {
        "type": "email",
        "to": [TO],
        "from": FROM,
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "starttls": False,
    }
    return EmailChannel.model_validate(fields | changes)


def settings_for(*channel_list: dict[str, object]) -> AlertSettings:
    return AlertSettings.model_validate({"channels": list(channel_list)})


def test_an_email_arrives_as_plain_text_with_an_html_alternative(mailbox: Mailbox) -> None:
    assert sender_for(email_channel(mailbox.port), {}, frozenset()).send(ALERT) is None
    ((envelope_from, recipients, message),) = mailbox.messages
    assert (envelope_from, recipients) == (FROM, [TO])
    assert message["Subject"] == "[Milemarker] WARNING: Bookings per month: on track → at risk"
    assert (message["From"], message["To"]) == (FROM, TO)
    assert message.get_content_type() == "multipart/alternative"
    plain, rich = message.iter_parts()
    assert plain.get_content_type() == "text/plain" and rich.get_content_type() == "text/html"
    text, document = plain.get_content(), rich.get_content()
    assert "You need 16,600 a day" in text and "Target: USD 400,000 <net>" in text
    assert "You need 16,600 a day" in document and "<td>USD 400,000 &lt;net&gt;</td>" in document


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_an_email_logs_in_with_the_named_variables() -> None:
    """(The local server takes a login without TLS, as no real server should: aiosmtpd warns so.)"""
    environ = {"SMTP_USER": "alerts@example.com", "SMTP_PASS": "s3cret-smtp-password"}
    with smtp_server(login=("alerts@example.com", "s3cret-smtp-password")) as mailbox:
        channel = email_channel(mailbox.port, username_env="SMTP_USER", password_env="SMTP_PASS")
        sender_for(channel, environ, frozenset(environ.values())).send(ALERT)
        assert mailbox.logins == ["alerts@example.com"] and len(mailbox.messages) == 1

        wrong = {"SMTP_USER": "alerts@example.com", "SMTP_PASS": "not-the-password"}
        with pytest.raises(ChannelError) as raised:
            sender_for(channel, wrong, frozenset(wrong.values())).send(ALERT)
        assert "SMTPAuthenticationError" in str(raised.value) and "not-the-password" not in str(raised.value)
        assert len(mailbox.messages) == 1


def test_host_and_port_may_come_from_the_environment(mailbox: Mailbox) -> None:
    channel = EmailChannel.model_validate({"type": "email", "to": TO, "from": FROM, "starttls": False})
    environ = {"MILEMARKER_SMTP_HOST": "127.0.0.1", "MILEMARKER_SMTP_PORT": str(mailbox.port)}
    sender_for(channel, environ, frozenset()).send(ALERT)
    assert len(mailbox.messages) == 1
    with pytest.raises(
        ChannelError, match=r"no SMTP host: set smtp_host in goals\.yml or MILEMARKER_SMTP_HOST"
    ):
        sender_for(channel, {}, frozenset())
    with pytest.raises(ChannelError, match="MILEMARKER_SMTP_PORT is not a port number"):
        sender_for(channel, environ | {"MILEMARKER_SMTP_PORT": "smtp"}, frozenset())


def test_a_refused_recipient_is_an_error_and_a_partial_refusal_a_warning() -> None:
    with smtp_server(refuse=frozenset({"nobody@example.com"})) as mailbox:
        alone = email_channel(mailbox.port, to=["nobody@example.com"])
        with pytest.raises(ChannelError, match=r"every recipient was refused: nobody@example.com \(550"):
            sender_for(alone, {}, frozenset()).send(ALERT)
        both = email_channel(mailbox.port, to=["nobody@example.com", TO])
        warning = sender_for(both, {}, frozenset()).send(ALERT)
        assert warning is not None and "nobody@example.com (550" in warning
        assert [recipients for _, recipients, _ in mailbox.messages] == [[TO]]


def test_starttls_is_required_unless_turned_off(mailbox: Mailbox) -> None:
    with pytest.raises(ChannelError, match="does not offer STARTTLS"):
        sender_for(email_channel(mailbox.port, starttls=True), {}, frozenset()).send(ALERT)
    assert mailbox.messages == []


def test_a_refused_smtp_port_is_an_error() -> None:
    with pytest.raises(ChannelError, match="ConnectionRefusedError"):
        sender_for(email_channel(free_port()), {}, frozenset()).send(ALERT)


@pytest.mark.parametrize(
    ("channel_type", "path", "render"),
    [
        ("slack", SLACK_PATH, slack_payload),
        ("teams", TEAMS_PATH, teams_payload),
        ("webhook", WEBHOOK_PATH, webhook_body),
    ],
)
def test_webhook_channels_post_their_json(
    receiver: HttpReceiver, channel_type: str, path: str, render: object
) -> None:
    (channel,) = settings_for({"type": channel_type}).channels
    sender_for(channel, channel_environ(receiver), frozenset()).send(ALERT)
    (received,) = receiver.received
    assert (received.path, received.content_type) == (path, "application/json")
    assert received.body == render(ALERT)  # type: ignore[operator]


def test_http_failures_are_errors_without_the_url_token(
    receiver: HttpReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    environ = channel_environ(receiver)
    (slack,) = settings_for({"type": "slack"}).channels
    secrets = known_secrets(settings_for({"type": "slack"}), environ)
    token = SLACK_PATH.rsplit("/", 1)[1]

    receiver.answers[SLACK_PATH] = Answer(500, f"upstream broke while posting to {SLACK_PATH}")
    with pytest.raises(ChannelError) as raised:
        sender_for(slack, environ, secrets).send(ALERT)
    assert str(raised.value).startswith(
        "HTTP 500 Internal Server Error: upstream broke"
    ) and token not in str(raised.value)

    receiver.answers[SLACK_PATH] = Answer(302, "see elsewhere")
    with pytest.raises(ChannelError, match="HTTP 302"):
        sender_for(slack, environ, secrets).send(ALERT)

    monkeypatch.setattr(channels, "HTTP_TIMEOUT_SECONDS", (1.0, 0.3))
    receiver.answers[SLACK_PATH] = Answer(200, "ok", delay_seconds=1.0)
    with pytest.raises(ChannelError, match="ReadTimeout") as raised:
        sender_for(slack, environ, secrets).send(ALERT)
    assert token not in str(raised.value)

    refused = {"MILEMARKER_SLACK_WEBHOOK_URL": f"http://127.0.0.1:{free_port()}{SLACK_PATH}"}
    with pytest.raises(ChannelError, match="ConnectionError") as raised:
        sender_for(slack, refused, known_secrets(settings_for({"type": "slack"}), refused)).send(ALERT)
    assert token not in str(raised.value) and "Max retries exceeded" in str(raised.value)


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_a_busy_endpoint_is_tried_again_and_the_alert_arrives_once(
    receiver: HttpReceiver, status: int
) -> None:
    environ = channel_environ(receiver)
    (slack,) = settings_for({"type": "slack"}).channels
    receiver.answers[SLACK_PATH] = [Answer(status, "busy"), Answer(status, "busy"), Answer(200, "ok")]
    assert sender_for(slack, environ, frozenset()).send(ALERT) is None
    assert len(receiver.bodies(SLACK_PATH)) == 3  # two refusals, then the one delivery


def test_what_may_have_delivered_is_never_sent_twice(
    receiver: HttpReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 500 or a read timeout may follow a post the endpoint took: no retry; a third "busy" is the end."""
    environ = channel_environ(receiver)
    (slack,) = settings_for({"type": "slack"}).channels
    receiver.answers[SLACK_PATH] = [Answer(500, "boom"), Answer(200, "ok")]
    with pytest.raises(ChannelError, match="HTTP 500"):
        sender_for(slack, environ, frozenset()).send(ALERT)
    assert len(receiver.bodies(SLACK_PATH)) == 1

    monkeypatch.setattr(channels, "HTTP_TIMEOUT_SECONDS", (1.0, 0.3))
    receiver.answers[SLACK_PATH] = [Answer(200, "ok", delay_seconds=1.0), Answer(200, "ok")]
    with pytest.raises(ChannelError, match="ReadTimeout"):
        sender_for(slack, environ, frozenset()).send(ALERT)
    time.sleep(1.5)  # the slow answer is recorded once its delay is over
    assert len(receiver.bodies(SLACK_PATH)) == 2

    receiver.answers[SLACK_PATH] = Answer(503, "still busy")
    with pytest.raises(ChannelError, match="HTTP 503"):
        sender_for(slack, environ, frozenset()).send(ALERT)
    assert len(receiver.bodies(SLACK_PATH)) == 2 + 3


def test_a_url_is_masked_by_its_path_and_query_even_where_no_rule_would(receiver: HttpReceiver) -> None:
    """A Teams Workflows URL is a lowercase path and a short ``sig``: it looks like nothing secret,
    yet it is the credential. The settings name it, so it is masked by value."""
    settings = settings_for({"type": "teams"})
    refused = {"MILEMARKER_TEAMS_WEBHOOK_URL": f"http://127.0.0.1:{free_port()}{TEAMS_PATH}"}
    with pytest.raises(ChannelError) as raised:
        sender_for(settings.channels[0], refused, known_secrets(settings, refused)).send(ALERT)
    assert "/workflows/" not in str(raised.value) and "t34msS1gnatur3" not in str(raised.value)

    environ = channel_environ(receiver)
    receiver.answers[TEAMS_PATH] = Answer(400, f"Bad payload for {TEAMS_PATH}")
    with pytest.raises(ChannelError) as raised:
        sender_for(settings.channels[0], environ, known_secrets(settings, environ)).send(ALERT)
    assert str(raised.value).startswith("HTTP 400 Bad Request: Bad payload for [redacted]")


def test_a_variable_missing_or_not_a_url_names_the_variable_only(receiver: HttpReceiver) -> None:
    (webhook,) = settings_for({"type": "webhook", "url_env": "OPS_HOOK"}).channels
    with pytest.raises(ChannelError, match=r"^environment variable OPS_HOOK is not set$"):
        sender_for(webhook, {}, frozenset())
    with pytest.raises(ChannelError, match=r"^environment variable OPS_HOOK is not an http\(s\) URL$"):
        sender_for(webhook, {"OPS_HOOK": "ftp://secret-host/drop"}, frozenset())


def test_a_failing_channel_never_raises_and_the_others_still_deliver(
    tmp_path: Path, mailbox: Mailbox, receiver: HttpReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_for(
        {
            "type": "email",
            "to": ["nobody@example.com"],
            "from": FROM,
            "smtp_host": "127.0.0.1",
            "smtp_port": free_port(),
            "starttls": False,
        },
        {"type": "slack"},
        {"type": "teams"},
        {"type": "webhook"},
        {
            "type": "email",
            "to": [TO],
            "from": FROM,
            "smtp_host": "127.0.0.1",
            "smtp_port": mailbox.port,
            "starttls": False,
        },
    )
    environ = channel_environ(receiver)
    receiver.answers[SLACK_PATH] = Answer(500, "boom")
    log = logging.getLogger("test_alerts")
    dispatcher = Dispatcher(
        settings,
        AlertState.under(tmp_path),
        ZoneInfo("America/New_York"),
        environ,
        known_secrets(settings, environ),
        log,
    )
    with caplog.at_level(logging.WARNING, logger="test_alerts"):
        delivery = dispatcher.dispatch([ALERT, ALERT], NOW)

    assert len(receiver.bodies(SLACK_PATH)) == 1  # failed once, then the channel stops for this batch
    assert len(receiver.bodies(TEAMS_PATH)) == 2 and len(receiver.bodies(WEBHOOK_PATH)) == 2
    assert len(mailbox.messages) == 2
    assert delivery.failed == {"email:nobody@example.com": 2, "slack:MILEMARKER_SLACK_WEBHOOK_URL": 2}
    assert delivery.sent["teams:MILEMARKER_TEAMS_WEBHOOK_URL"] == 2
    logged = caplog.text
    assert "slack:MILEMARKER_SLACK_WEBHOOK_URL failed; 2 alert(s) not sent: HTTP 500" in logged
    assert "ConnectionRefusedError" in logged
    for secret in url_secrets(receiver):
        assert secret not in logged


def test_the_test_command_tries_every_channel_and_says_which_failed(
    tmp_path: Path,
    mailbox: Mailbox,
    receiver: HttpReceiver,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    goals = write_goals_file(tmp_path / "goals.yml", mailbox, 'quiet_hours: {start: "00:00", end: "23:59"}\n')
    monkeypatch.setenv("MILEMARKER_GOALS_FILE", str(goals))
    for name, value in channel_environ(receiver).items():
        monkeypatch.setenv(name, value)
    receiver.answers[TEAMS_PATH] = Answer(500, "boom")

    assert test_command.main() == 1  # quiet hours do not apply to a test
    assert capsys.readouterr().out.splitlines() == [
        f"email:{TO}: sent",
        "slack:MILEMARKER_SLACK_WEBHOOK_URL: sent",
        "teams:MILEMARKER_TEAMS_WEBHOOK_URL: failed: HTTP 500 Internal Server Error: boom",
        "webhook:MILEMARKER_ALERT_WEBHOOK_URL: sent",
    ]
    (body,) = receiver.bodies(WEBHOOK_PATH)
    assert (body["kind"], body["title"]) == ("test", "Test alert from Milemarker")
    assert mailbox.messages[0][2]["Subject"] == "[Milemarker] INFO: Test alert from Milemarker"

    receiver.answers.clear()
    assert test_command.main() == 0

    goals.write_text("alerts: {channels: [], daily_cap: 3}\n")
    assert test_command.main() == 2
    assert "goals.yml:1 alerts.channels: List should have at least 1 item" in capsys.readouterr().err
    goals.write_text("goals: []\n")
    assert test_command.main() == 1
