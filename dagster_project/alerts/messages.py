"""An alert as an e-mail: a one-line subject, a plain-text body and the same content as HTML.

Plain text is what every mail client and every pager gateway shows; HTML is the readable version
with a table of facts. Both are built from the same fields, and every value goes into the HTML
escaped: a goal name or a failure message with ``<`` in it is text, not markup.
"""

from __future__ import annotations

from html import escape

from dagster_project.alerts.events import Alert, AlertSeverity

SUBJECT_PREFIX = "[Milemarker]"
_COLOURS = {AlertSeverity.ERROR: "#b42318", AlertSeverity.WARNING: "#b54708", AlertSeverity.INFO: "#067647"}


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (newlines included) made one space: a header must not
    span lines."""
    return " ".join(text.split())


def subject(alert: Alert) -> str:
    """``[Milemarker] ERROR: Run of materialize_all failed``."""
    return one_line(f"{SUBJECT_PREFIX} {alert.severity.value.upper()}: {alert.title}")


def plain_text(alert: Alert) -> str:
    """Title, text, then one ``Name: value`` line per fact."""
    lines = [one_line(alert.title), "", alert.text.strip(), ""]
    width = max((len(fact.name) for fact in alert.facts), default=0)
    lines += [f"{fact.name + ':':<{width + 1}} {fact.value}" for fact in alert.facts]
    lines += ["", f"Raised {alert.raised_at.isoformat(timespec='seconds')} by Milemarker."]
    return "\n".join(lines)


def html(alert: Alert) -> str:
    """The same content as :func:`plain_text`, as a small self-contained HTML document."""
    colour = _COLOURS[alert.severity]
    paragraphs = "".join(f"<p>{escape(line)}</p>" for line in alert.text.strip().splitlines() if line.strip())
    rows = "".join(
        f'<tr><th align="left" style="padding:2px 12px 2px 0">{escape(fact.name)}</th>'
        f"<td>{escape(fact.value)}</td></tr>"
        for fact in alert.facts
    )
    return (
        '<!DOCTYPE html><html><body style="font-family:sans-serif">'
        f'<h2 style="color:{colour}">{escape(one_line(alert.title))}</h2>'
        f"{paragraphs}<table>{rows}</table>"
        f'<p style="color:#667085">Raised {escape(alert.raised_at.isoformat(timespec="seconds"))} '
        "by Milemarker.</p></body></html>"
    )
