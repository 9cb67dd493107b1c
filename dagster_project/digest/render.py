"""The digest and the weekly report as words: plain text (terminal, chat, the e-mail's text part)
and HTML (the e-mail's rich part, with the weekly chart inline).

Both renderings of a message are built from the same sections, so they cannot disagree; every
value goes into the HTML escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from dagster_project.digest.daily import DailyDigest
from dagster_project.digest.weekly import (
    MIN_SAMPLE,
    STEPS,
    WEEKS,
    WeeklyReport,
    WeekRow,
    rate_text,
    versus_trailing,
)

Section = tuple[str, Sequence[str]]
Table = tuple[Sequence[str], Sequence[Sequence[str]]]
CHART_CID = "weekly-chart"
"""The Content-ID of the weekly chart in the e-mail (the HTML part shows it with ``cid:``)."""


def daily_tables(digest: DailyDigest) -> Sequence[tuple[str, Table]]:
    """Every goal line: its status (and yesterday's when it changed) and how far it moved today."""
    rows = [
        [
            goal.name,
            goal.status + (f" (was {goal.previous_status})" if goal.changed else ""),
            "new period" if goal.moved_by is None else _signed(goal.moved_by, goal.unit),
        ]
        for goal in digest.goals
    ]
    return [("The goal table", (["Goal", "Status", "Since yesterday"], rows))]


def weekly_sections(report: WeeklyReport) -> Sequence[Section]:
    """The latest week against the weeks before, in sentences."""
    latest = report.latest
    if latest is None:
        return [("This week", ["No complete week in the warehouse yet."])]
    won = _money(float(latest["won_amount"]), report.currency)
    summary = [
        f"{latest['leads']} leads, {latest['qualified_leads']} qualified, {latest['first_appointments']} "
        f"first appointments, {latest['proposals']} proposals; {latest['deals_won']} deals won "
        f"({won}), {latest['deals_lost']} lost.",
    ]
    conversion = [
        f"{label}: {versus_trailing(latest, rate, numerator, denominator)}."
        for label, rate, numerator, denominator in STEPS
    ]
    note = [
        f"A rate on fewer than {MIN_SAMPLE} is shown as its counts (3/4). Rates are the week's flow: "
        "a step's arrivals in the week over the step before's, so a busy week after a quiet one can "
        "pass 100%."
    ]
    return [
        ("The week", summary),
        (f"Conversion against the {WEEKS} weeks before", conversion),
        ("How to read it", note),
    ]


def weekly_tables(report: WeeklyReport) -> Sequence[tuple[str, Table]]:
    """By week (the last eight) and by rep (the latest week, and the eight weeks' sums)."""
    by_week_header = [
        "Week",
        "Leads",
        "% qualified",
        "% to appt",
        "% to proposal",
        "Close rate",
        "Days to close",
        "Avg sale",
    ]
    by_week = [
        [
            f"{row.week_start:%-d %b}",
            str(row["leads"]),
            *(rate_text(row[n], row[d]) for _, _, n, d in STEPS),
            "-" if row["median_days_to_close"] is None else f"{row['median_days_to_close']:.0f}",
            "-" if row["avg_sale"] is None else _money(float(row["avg_sale"]), report.currency),
        ]
        for row in reversed(report.weeks)
    ]
    weeks = len(report.weeks)
    by_rep_header = ["Rep", "Leads", *(label for label, *_ in STEPS), "Won", "Avg sale"]
    by_rep = [
        [
            rep.name,
            f"{rep.latest['leads']} / {rep.totals['leads']:.0f}",
            *(
                f"{rate_text(rep.latest[n], rep.latest[d])} / {rate_text(rep.totals[n], rep.totals[d])}"
                for _, _, n, d in STEPS
            ),
            f"{rep.latest['deals_won']} / {rep.totals['deals_won']:.0f}",
            "-"
            if not rep.totals["deals_won"]
            else _money(rep.totals["won_amount"] / rep.totals["deals_won"], report.currency),
        ]
        for rep in report.reps
    ]
    return [
        (f"By week, the last {weeks}", (by_week_header, by_week)),
        (
            f"By rep: the latest week / the {weeks} weeks (average sale: over the {weeks})",
            (by_rep_header, by_rep),
        ),
    ]


def plain_text(title: str, sections: Sequence[Section], tables: Sequence[tuple[str, Table]] = ()) -> str:
    """Title, headed sections of sentences, then aligned tables."""
    lines = [title, "=" * len(title)]
    for heading, sentences in sections:
        lines += ["", heading + ":", *(f"  - {sentence}" for sentence in sentences)]
    for heading, (header, rows) in tables:
        widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]
        lines += ["", heading + ":"]
        lines += [
            "  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            for row in [header, *rows]
        ]
    return "\n".join(lines) + "\n"


def html(
    title: str,
    sections: Sequence[Section],
    tables: Sequence[tuple[str, Table]] = (),
    *,
    chart_src: str | None = None,
) -> str:
    """The same content as :func:`plain_text` as a self-contained HTML document; ``chart_src`` is
    where the chart image is (``cid:...`` in an e-mail, a file name in a preview)."""
    body = [f"<h2>{escape(title)}</h2>"]
    for heading, sentences in sections:
        items = "".join(f"<li>{escape(sentence)}</li>" for sentence in sentences)
        body.append(f"<h3>{escape(heading)}</h3><ul>{items}</ul>")
    if chart_src is not None:
        body.append(f'<p><img src="{escape(chart_src)}" alt="Leads and conversion by week" width="800"></p>')
    for heading, (header, rows) in tables:
        head = "".join(f'<th align="left" style="padding:2px 10px">{escape(cell)}</th>' for cell in header)
        cells = "".join(
            "<tr>" + "".join(f'<td style="padding:2px 10px">{escape(cell)}</td>' for cell in row) + "</tr>"
            for row in rows
        )
        body.append(f"<h3>{escape(heading)}</h3><table><tr>{head}</tr>{cells}</table>")
    return (
        '<!DOCTYPE html><html><body style="font-family:sans-serif">'
        + "".join(body)
        + '<p style="color:#667085">Sent by Milemarker.</p></body></html>'
    )


def _signed(value: float, unit: str | None) -> str:
    """A day's movement: ``+12,300``, ``+1.2``, ``-0.4 pts`` for a rate."""
    if unit == "rate":
        return f"{value * 100:+.1f} pts"
    return f"{value:+,.1f}" if abs(value) < 100 and value != int(value) else f"{value:+,.0f}"


def _money(value: float, currency: str) -> str:
    return f"{currency} {value:,.0f}"


def week_row_facts(row: WeekRow) -> dict[str, str]:
    """The latest week's counts as name/value pairs (the chat channels' facts)."""
    return {
        "Leads": str(row["leads"]),
        "Qualified": str(row["qualified_leads"]),
        "First appointments": str(row["first_appointments"]),
        "Proposals": str(row["proposals"]),
        "Won / lost": f"{row['deals_won']} / {row['deals_lost']}",
    }
