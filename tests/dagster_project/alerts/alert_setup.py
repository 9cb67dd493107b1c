"""A goals file whose alerts go to the test's local servers, and the environment naming them."""

from __future__ import annotations

import textwrap
from pathlib import Path

from alert_receivers import HttpReceiver, Mailbox

SLACK_PATH = "/services/T0ALERTS1/B0ALERTS2/sl4ckW3bh00kT0k3nS3cr3tXyZ"
"""A Slack-shaped webhook path: the token is the last segment, so it must never show in a message."""
TEAMS_PATH = "/workflows/a1b2c3/triggers/manual/paths/invoke?sig=t34msS1gnatur3S3cr3tValue0000"
WEBHOOK_PATH = "/hooks/milemarker?token=w3bh00kS3cr3tT0k3nValue12345"
TO = "owner@example.com"
FROM = "milemarker@example.com"


def write_goals_file(
    path: Path, mailbox: Mailbox, alerts_extra: str = "", goals: str = "goals: []\n"
) -> Path:
    """organisation (New York, USD), an alerts block with all four channels, and ``goals``."""
    text = textwrap.dedent(
        f"""\
        organisation: {{timezone: America/New_York, currency: USD}}
        alerts:
          channels:
            - type: email
              to: [{TO}]
              from: {FROM}
              smtp_host: 127.0.0.1
              smtp_port: {mailbox.port}
              starttls: false
            - type: slack
            - type: teams
            - type: webhook
        """
    )
    text += textwrap.indent(textwrap.dedent(alerts_extra), "  ") + goals
    path.write_text(text)
    return path


def channel_environ(receiver: HttpReceiver) -> dict[str, str]:
    """The three webhook variables pointing at ``receiver`` (their default names)."""
    return {
        "MILEMARKER_SLACK_WEBHOOK_URL": receiver.url(SLACK_PATH),
        "MILEMARKER_TEAMS_WEBHOOK_URL": receiver.url(TEAMS_PATH),
        "MILEMARKER_ALERT_WEBHOOK_URL": receiver.url(WEBHOOK_PATH),
    }


def url_secrets(receiver: HttpReceiver) -> list[str]:
    """What must never appear in a message or a log: the webhook URLs and their token parts."""
    tokens = [SLACK_PATH.rsplit("/", 1)[1], TEAMS_PATH.rsplit("=", 1)[1], WEBHOOK_PATH.rsplit("=", 1)[1]]
    return [*channel_environ(receiver).values(), *tokens]
