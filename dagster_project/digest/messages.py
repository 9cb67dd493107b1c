"""The digest and the weekly report as messages, and their delivery to the alert channels.

A message is rendered once per form from the same sections and tables: e-mail gets the HTML with
the chart inline and the plain text as its text part; Slack, Teams and the webhook get the
sentences as an alert of kind ``digest`` (a chat message cannot hold a wide table). A channel that
fails is reported, never raised, as for alerts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from dagster_project.alerts.channels import ChannelError, EmailSender, sender_for
from dagster_project.alerts.events import DIGEST, Alert, AlertSeverity, Fact
from dagster_project.alerts.messages import SUBJECT_PREFIX
from dagster_project.alerts.settings import Channel
from dagster_project.digest.chart import weekly_chart_png
from dagster_project.digest.daily import DailyDigest, digest_paragraphs
from dagster_project.digest.render import (
    CHART_CID,
    Section,
    Table,
    daily_tables,
    html,
    plain_text,
    week_row_facts,
    weekly_sections,
    weekly_tables,
)
from dagster_project.digest.weekly import WeeklyReport


@dataclass(frozen=True)
class Message:
    """One message, ready to render for any channel."""

    name: str
    """``daily-digest`` or ``weekly-report``: the preview's file names and the logs' word for it."""
    title: str
    sections: Sequence[Section]
    tables: Sequence[tuple[str, Table]]
    facts: tuple[Fact, ...] = ()
    chart_png: bytes | None = None

    def text(self) -> str:
        return plain_text(self.title, self.sections, self.tables)

    def html(self, chart_src: str) -> str:
        """The HTML, showing the chart (if any) from ``chart_src``."""
        return html(self.title, self.sections, self.tables, chart_src=chart_src if self.chart_png else None)

    def as_alert(self, now: datetime) -> Alert:
        """The chat and webhook form: the sentences, headed, and the facts."""
        text = "\n\n".join(
            heading + ":\n" + "\n".join(f"- {line}" for line in lines) for heading, lines in self.sections
        )
        return Alert(
            kind=DIGEST,
            severity=AlertSeverity.INFO,
            title=self.title,
            text=text,
            raised_at=now,
            facts=self.facts,
        )


def daily_message(digest: DailyDigest) -> Message:
    return Message("daily-digest", digest.title, digest_paragraphs(digest), daily_tables(digest))


def weekly_message(report: WeeklyReport) -> Message:
    facts = (
        () if report.latest is None else tuple(Fact(k, v) for k, v in week_row_facts(report.latest).items())
    )
    return Message(
        "weekly-report",
        report.title,
        weekly_sections(report),
        weekly_tables(report),
        facts,
        weekly_chart_png(report),
    )


def send_message(
    message: Message,
    channels: Sequence[Channel],
    environ: Mapping[str, str],
    secrets: frozenset[str],
    now: datetime,
) -> dict[str, str]:
    """Send ``message`` to every channel: each channel's label and ``sent`` or its redacted error."""
    results = {}
    for channel in channels:
        try:
            sender = sender_for(channel, environ, secrets)
            if isinstance(sender, EmailSender):
                warning = sender.deliver(_email(sender, message))
            else:
                warning = sender.send(message.as_alert(now))
        except ChannelError as error:
            results[channel.key] = f"failed: {error}"
        else:
            results[channel.key] = f"sent ({warning})" if warning else "sent"
    return results


def _email(sender: EmailSender, message: Message) -> EmailMessage:
    email = sender.new_message(f"{SUBJECT_PREFIX} {message.title}")
    email.set_content(message.text())
    email.add_alternative(message.html(f"cid:{CHART_CID}"), subtype="html")
    if message.chart_png is not None:
        email.get_payload()[1].add_related(
            message.chart_png,
            maintype="image",
            subtype="png",
            cid=f"<{CHART_CID}>",
            filename="weekly-report.png",
        )
    return email
