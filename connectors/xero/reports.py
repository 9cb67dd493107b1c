"""Xero's own Profit and Loss report, landed month by month: the books' independent check.

The warehouse builds its P&L from the general-ledger journals; Xero computes this report inside
Xero. Landing the report lets a test hold the two to each other per month and account (a journal
the pipeline misses, a sign or a currency mistake shows as a difference).

``GET /Reports/ProfitAndLoss`` answers one column per period: with ``periods=11&timeframe=MONTH``
a month and the 11 before it, most recent first, so three years take four calls. The first call
names no dates: Xero reports the organisation's current month, and the report's ``ReportDate`` (the
organisation-local day it was run) says which month that is; the earlier blocks ask by date. Every
run re-reads the whole window (``XeroConfig.report_months``): a month can change after it closed
(a back-dated bill, a void), and the report must show the books as they are today.

Rows land as ``profit_and_loss``: one per month and report row, keyed by the account's id (the
row's ``account`` attribute) or, for a summary row, by section and label ("Gross Profit").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pyarrow as pa

from connectors.base import ResponseShapeError, Stream, StreamOutput, TableSpec, names_stream
from connectors.columns import Column, Table
from connectors.shapes import json_reader, mismatch, objects, optional_string, required_object
from connectors.xero.client import XeroClient

PATH = "Reports/ProfitAndLoss"
MONTHS_PER_CALL = 12
"""One month and ``periods=11`` comparison months: the most the report answers at once."""

PROFIT_AND_LOSS = Table(
    "profit_and_loss",
    (
        Column("MonthStart", "date"),
        Column("MonthEnd", "date"),
        Column("RowKey"),
        Column("Section"),
        Column("RowType"),
        Column("AccountID"),
        Column("Label"),
        Column("Amount", "float"),
    ),
    ("MonthStart", "RowKey"),
    replace_by=("MonthStart",),
)


@dataclass(frozen=True)
class ReportBlock:
    """One answer: the month of its first column and its rows (one amount per month, newest first)."""

    first_month: date
    rows: list[dict[str, Any]]


def report_blocks(months: int) -> list[tuple[int, int]]:
    """The calls that cover ``months`` months back from the current one: ``(months before the
    previous call's first month, periods)`` each (the first call names no dates: 0)."""
    blocks, done = [], 0
    while done < months:
        periods = min(MONTHS_PER_CALL, months - done)
        blocks.append((MONTHS_PER_CALL if done else 0, periods))
        done += periods
    return blocks


def month_start(day: date, months_back: int = 0) -> date:
    """The first day of ``day``'s month, ``months_back`` months earlier."""
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def month_end(first: date) -> date:
    """The last day of the month starting on ``first``."""
    return month_start(first + timedelta(days=31)) - timedelta(days=1)


def _report_date(value: Any, path: str) -> date:
    """``ReportDate`` as Xero writes it: ``16 June 2026`` (the organisation's day)."""
    text = optional_string(value, path)
    try:
        return datetime.strptime(text or "", "%d %B %Y").date()
    except ValueError:
        raise mismatch(path, "a date such as '16 June 2026'", value) from None


def _amount(value: Any, path: str) -> float | None:
    """A cell's amount: a decimal string (``"-1234.50"``); an empty cell is no amount."""
    text = optional_string(value, path)
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise mismatch(path, "a decimal amount", value) from None


def _account_id(cells: list[tuple[str, dict[str, Any]]]) -> str | None:
    """The id in the ``account`` attribute of a row's cells (Xero repeats it on every cell)."""
    for path, cell in cells:
        attributes = objects(cell.get("Attributes"), f"{path}.Attributes", required=False)
        for attribute_path, attribute in attributes:
            if optional_string(attribute.get("Id"), f"{attribute_path}.Id") == "account":
                return optional_string(attribute.get("Value"), f"{attribute_path}.Value")
    return None


def read_report(body: Any, periods: int, first_month: date | None) -> ReportBlock:
    """The one report of a response as rows; ``first_month`` ``None``: take it from ``ReportDate``.

    A header whose column count is not the periods asked for is a shape error: the amounts could
    not be told apart by month.
    """
    reports = objects(required_object(body, "$").get("Reports"), "$.Reports")
    if len(reports) != 1:
        raise ResponseShapeError("$.Reports", f"expected one report, got {len(reports)}")
    path, report = reports[0]
    first = first_month or month_start(_report_date(report.get("ReportDate"), f"{path}.ReportDate"))
    rows: list[dict[str, Any]] = []
    for section_path, section in objects(report.get("Rows"), f"{path}.Rows"):
        kind = optional_string(section.get("RowType"), f"{section_path}.RowType")
        if kind == "Header":
            columns = objects(section.get("Cells"), f"{section_path}.Cells")
            if len(columns) != periods + 1:
                raise ResponseShapeError(
                    f"{section_path}.Cells", f"expected {periods + 1} columns (a label and {periods} months)"
                )
            continue
        title = optional_string(section.get("Title"), f"{section_path}.Title") or ""
        for row_path, row in objects(section.get("Rows"), f"{section_path}.Rows", required=False):
            cells = objects(row.get("Cells"), f"{row_path}.Cells")
            if len(cells) != periods + 1:
                raise ResponseShapeError(f"{row_path}.Cells", f"expected {periods + 1} cells")
            label = optional_string(cells[0][1].get("Value"), f"{cells[0][0]}.Value") or ""
            account = _account_id(cells)
            row_type = optional_string(row.get("RowType"), f"{row_path}.RowType") or ""
            for offset, (cell_path, cell) in enumerate(cells[1:]):
                month = month_start(first, offset)
                rows.append(
                    {
                        "MonthStart": month,
                        "MonthEnd": month_end(month),
                        "RowKey": account or f"{title}/{label}",
                        "Section": title,
                        "RowType": row_type,
                        "AccountID": account,
                        "Label": label,
                        "Amount": _amount(cell.get("Value"), f"{cell_path}.Value"),
                        "_is_deleted": False,
                    }
                )
    return ReportBlock(first, rows)


class XeroProfitAndLossStream(Stream):
    """``profit_and_loss``: the last ``report_months`` months of Xero's P&L (see the module docstring)."""

    vendor = "xero"
    name = "profit_and_loss"

    def __init__(self, client: XeroClient) -> None:
        self._client = client

    def tables(self) -> tuple[TableSpec, ...]:
        return (PROFIT_AND_LOSS.spec,)

    @names_stream
    def read(self, state: Mapping[str, Any] | None) -> StreamOutput:
        schema = PROFIT_AND_LOSS.spec.schema
        first_month: date | None = None
        for months_back, periods in report_blocks(self._client.config.report_months):
            params: dict[str, Any] = {"periods": periods - 1, "timeframe": "MONTH"} if periods > 1 else {}
            if first_month is not None:
                first_month = month_start(first_month, months_back)
                params |= {"fromDate": first_month.isoformat(), "toDate": month_end(first_month).isoformat()}
            block = self._client.get(
                PATH,
                decode=json_reader(lambda body, p=periods, m=first_month: read_report(body, p, m)),
                params=params,
            )
            first_month = block.first_month
            if block.rows:
                yield PROFIT_AND_LOSS.name, pa.RecordBatch.from_pylist(block.rows, schema=schema)
        return {}
