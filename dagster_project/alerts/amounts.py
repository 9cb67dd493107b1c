"""Amounts as a person reads them in an alert: money with its currency, counts, rates in percent.

The goal checks report amounts rounded to their unit with the unit beside them (``unit``: the
organisation's ISO currency code for money, ``count``, or ``rate (0-1)``). An alert read on a phone
must not leave the reader guessing whether 400000 is dollars or deals, so money always carries its
code (``USD 412,300``), small counts keep a decimal (``11.8`` deals a week differs from ``12``), and
rates read as percentages.
"""

from __future__ import annotations

import re

_CURRENCY = re.compile(r"[A-Z]{3}")
RATE_UNIT = "rate (0-1)"


def is_money(unit: str | None) -> bool:
    """Whether ``unit`` is a currency code (how the goal checks label money)."""
    return unit is not None and _CURRENCY.fullmatch(unit) is not None


def amount(value: float, unit: str | None) -> str:
    """``USD 412,300``, ``USD 45.50``, ``1,204``, ``11.8``, ``35.0%``, or the number and its unit."""
    if is_money(unit):
        return f"{unit} {value:,.2f}" if abs(value) < 100 else f"{unit} {value:,.0f}"
    if unit == RATE_UNIT:
        return f"{value:.1%}"
    number = f"{value:,.1f}" if abs(value) < 100 else f"{value:,.0f}"
    return number if unit in (None, "count") else f"{number} {unit}"


def weekly(value: float, unit: str | None) -> str:
    """A run-rate per week: ``USD 11,843 a week``, ``11.8 a week``."""
    if unit == RATE_UNIT:
        return f"{value * 100:.1f} points a week"
    return f"{amount(value, unit)} a week"
