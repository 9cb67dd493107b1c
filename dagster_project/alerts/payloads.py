"""An alert as the JSON each webhook channel takes: Slack, Microsoft Teams, and a documented generic body.

* Slack incoming webhooks take ``{"text", "blocks"}``: ``text`` is the notification and the fallback,
  the blocks (Block Kit: header, section, fields, context) the message. Slack's ``mrkdwn`` reads
  ``&``, ``<`` and ``>`` as markup, so every value is escaped; each block's text is cut to Slack's
  limits (a header of 150 characters, a section of 3,000, ten fields).
* Teams incoming webhooks and Workflows ("post to a channel when a webhook request is received")
  both take a ``message`` whose attachment is an Adaptive Card; version 1.4 renders in both.
* The generic body is :meth:`Alert.to_dict` plus ``source`` and ``version``: its fields are listed
  in docs/alerts.md, and ``version`` changes if one is ever renamed or removed.
"""

from __future__ import annotations

from typing import Any

from dagster_project.alerts.events import Alert, AlertSeverity
from dagster_project.alerts.messages import one_line

WEBHOOK_BODY_VERSION = 1
SLACK_HEADER_CHARS = 150
SLACK_SECTION_CHARS = 3000
SLACK_FIELD_CHARS = 2000
SLACK_MAX_FIELDS = 10
ADAPTIVE_CARD_VERSION = "1.4"

_SLACK_ICONS = {
    AlertSeverity.ERROR: ":red_circle:",
    AlertSeverity.WARNING: ":large_orange_circle:",
    AlertSeverity.INFO: ":large_green_circle:",
}
_TEAMS_COLOURS = {
    AlertSeverity.ERROR: "Attention",
    AlertSeverity.WARNING: "Warning",
    AlertSeverity.INFO: "Good",
}


def webhook_body(alert: Alert) -> dict[str, Any]:
    """The generic webhook's JSON body (docs/alerts.md describes every field)."""
    return {"source": "milemarker", "version": WEBHOOK_BODY_VERSION, **alert.to_dict()}


def slack_payload(alert: Alert) -> dict[str, Any]:
    """A Slack incoming-webhook message."""
    icon = _SLACK_ICONS[alert.severity]
    title = one_line(alert.title)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _cut(title, SLACK_HEADER_CHARS)}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": _cut(_mrkdwn(alert.text), SLACK_SECTION_CHARS)},
        },
    ]
    if alert.facts:
        fields = [
            {
                "type": "mrkdwn",
                "text": _cut(f"*{_mrkdwn(fact.name)}*\n{_mrkdwn(fact.value)}", SLACK_FIELD_CHARS),
            }
            for fact in alert.facts[:SLACK_MAX_FIELDS]
        ]
        blocks.append({"type": "section", "fields": fields})
    raised = alert.raised_at.isoformat(timespec="seconds")
    blocks.append(
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": f"{icon} {alert.severity.value} · Milemarker · {raised}"}
            ],
        }
    )
    return {"text": f"{icon} {_mrkdwn(title)}", "blocks": blocks}


def teams_payload(alert: Alert) -> dict[str, Any]:
    """A Teams message carrying one Adaptive Card."""
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": one_line(alert.title),
            "weight": "Bolder",
            "size": "Medium",
            "color": _TEAMS_COLOURS[alert.severity],
            "wrap": True,
        },
        # a card's markdown joins single newlines: a blank line keeps each sentence on its own line
        {"type": "TextBlock", "text": "\n\n".join(alert.text.strip().splitlines()), "wrap": True},
    ]
    if alert.facts:
        body.append({"type": "FactSet", "facts": [{"title": f.name, "value": f.value} for f in alert.facts]})
    body.append(
        {
            "type": "TextBlock",
            "text": f"{alert.severity.value} · Milemarker · {alert.raised_at.isoformat(timespec='seconds')}",
            "isSubtle": True,
            "size": "Small",
            "wrap": True,
        }
    )
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": ADAPTIVE_CARD_VERSION,
        "msteams": {"width": "Full"},
        "body": body,
    }
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }


def _mrkdwn(text: str) -> str:
    """Text for Slack's mrkdwn: the three characters it reads as markup, escaped as Slack documents."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
