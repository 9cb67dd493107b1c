"""How an alert reads on each channel: amounts with their unit, escaped markup, channel limits."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from dagster_project.alerts.amounts import amount, weekly
from dagster_project.alerts.events import Alert, AlertKind, AlertSeverity, Fact
from dagster_project.alerts.messages import html, plain_text, subject
from dagster_project.alerts.payloads import (
    SLACK_HEADER_CHARS,
    SLACK_MAX_FIELDS,
    slack_payload,
    teams_payload,
    webhook_body,
)

ALERT = Alert(
    kind=AlertKind.DATA_QUALITY,
    severity=AlertSeverity.ERROR,
    title="Data check failed: <b>accepted_values</b> & more\non two lines",
    text="Value <script>alert(1)</script> is not one of A & B.\nSecond sentence.",
    raised_at=datetime(2026, 11, 20, 11, 0, tzinfo=UTC),
    facts=(Fact("Asset", "marts/fct_deals"), Fact("Check", "accepted_values_status")),
    run_id="run-1",
    job_name="materialize_all",
    asset="marts/fct_deals",
    check="accepted_values_status",
)


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (412_300.0, "USD", "USD 412,300"),
        (45.5, "EUR", "EUR 45.50"),
        (-1_250.0, "GBP", "GBP -1,250"),
        (11.83, "count", "11.8"),
        (1_204.0, "count", "1,204"),
        (0.35, "rate (0-1)", "35.0%"),
        (2.5, "hours", "2.5 hours"),
    ],
)
def test_amounts_carry_their_unit(value: float, unit: str, expected: str) -> None:
    assert amount(value, unit) == expected


def test_run_rates_are_per_week() -> None:
    assert (weekly(11_843.4, "USD"), weekly(11.8, "count"), weekly(0.012, "rate (0-1)")) == (
        "USD 11,843 a week",
        "11.8 a week",
        "1.2 points a week",
    )


def test_the_subject_is_one_line_with_the_severity() -> None:
    assert subject(ALERT) == (
        "[Milemarker] ERROR: Data check failed: <b>accepted_values</b> & more on two lines"
    )


def test_plain_text_lists_the_facts() -> None:
    text = plain_text(ALERT)
    assert "Asset: marts/fct_deals\nCheck: accepted_values_status" in text
    assert "Second sentence." in text


def test_html_escapes_every_value() -> None:
    document = html(ALERT)
    assert "<script>" not in document and "&lt;script&gt;" in document
    assert "<b>accepted_values</b>" not in document
    assert "<td>marts/fct_deals</td>" in document


def test_slack_escapes_markup_and_keeps_to_its_limits() -> None:
    many = replace(ALERT, title="x" * 400, facts=tuple(Fact(f"F{i}", "v") for i in range(15)))
    payload = slack_payload(many)
    header, _, fields, context = payload["blocks"]
    assert len(header["text"]["text"]) == SLACK_HEADER_CHARS
    assert len(fields["fields"]) == SLACK_MAX_FIELDS
    assert context["type"] == "context"
    escaped = slack_payload(ALERT)
    assert escaped["blocks"][1]["text"]["text"].startswith(
        "Value &lt;script&gt;alert(1)&lt;/script&gt; is not one of A &amp; B."
    )
    assert (
        escaped["text"]
        == ":red_circle: Data check failed: &lt;b&gt;accepted_values&lt;/b&gt; &amp; more on two lines"
    )


def test_teams_gets_an_adaptive_card_in_a_message() -> None:
    payload = teams_payload(ALERT)
    assert payload["type"] == "message"
    (attachment,) = payload["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
    title, text, facts, footer = card["body"]
    assert (title["color"], title["weight"]) == ("Attention", "Bolder")
    assert text["text"] == "Value <script>alert(1)</script> is not one of A & B.\n\nSecond sentence."
    assert facts["facts"] == [
        {"title": "Asset", "value": "marts/fct_deals"},
        {"title": "Check", "value": "accepted_values_status"},
    ]
    assert footer["isSubtle"] is True


def test_the_webhook_body_has_the_documented_fields() -> None:
    body = json.loads(json.dumps(webhook_body(ALERT)))
    assert set(body) == {
        "source",
        "version",
        "kind",
        "severity",
        "title",
        "text",
        "raised_at",
        "facts",
        "run_id",
        "job_name",
        "goal",
        "asset",
        "check",
        "as_of_date",
    }
    assert (body["source"], body["version"], body["kind"], body["severity"]) == (
        "milemarker",
        1,
        "data_quality",
        "error",
    )
    assert body["facts"][0] == {"name": "Asset", "value": "marts/fct_deals"}
    assert body["raised_at"] == "2026-11-20T11:00:00+00:00"
    assert Alert.from_dict({key: body[key] for key in body if key not in ("source", "version")}) == ALERT
