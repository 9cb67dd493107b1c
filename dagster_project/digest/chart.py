"""The weekly report's chart as a PNG: leads per week as bars, the four conversion rates as lines.

A PNG because e-mail clients show images and not SVG or scripts; drawn with matplotlib's Agg
backend (no display needed). Rates on a sample below ``MIN_SAMPLE`` are left out of the lines
(a gap), as the tables show them as counts.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

from matplotlib import pyplot

from dagster_project.digest.weekly import MIN_SAMPLE, STEPS, WeeklyReport

_RATE_COLOURS = ("#2e90fa", "#12b76a", "#f79009", "#7a5af8")


def weekly_chart_png(report: WeeklyReport) -> bytes:
    """The chart of ``report``'s weeks (an empty frame with a note when there are none)."""
    figure, leads_axis = pyplot.subplots(figsize=(8, 4), dpi=100)
    try:
        labels = [f"{row.week_start:%-d %b}" for row in report.weeks]
        positions = range(len(labels))
        leads_axis.bar(positions, [row["leads"] for row in report.weeks], color="#d0d5dd", label="Leads")
        leads_axis.set_ylabel("Leads")
        leads_axis.set_xticks(list(positions), labels)
        rate_axis = leads_axis.twinx()
        highest = 1.0
        for (label, _, numerator, denominator), colour in zip(STEPS, _RATE_COLOURS, strict=True):
            values = [
                row[numerator] / row[denominator] if row[denominator] >= MIN_SAMPLE else float("nan")
                for row in report.weeks
            ]
            highest = max([highest, *(value for value in values if value == value)])
            rate_axis.plot(list(positions), values, marker="o", color=colour, label=label)
        rate_axis.set_ylim(0, highest * 1.05)  # a week's flow can exceed 100 % (the mart's YAML says why)
        rate_axis.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        handles = leads_axis.get_legend_handles_labels()[0] + rate_axis.get_legend_handles_labels()[0]
        rate_axis.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.12),
            fontsize=8,
            ncols=5,
            frameon=False,
        )
        if not report.weeks:
            leads_axis.text(0.5, 0.5, "No complete week yet", ha="center", transform=leads_axis.transAxes)
        leads_axis.set_title(report.title, fontsize=10)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        pyplot.close(figure)
