"""The simulated portal's multi-currency: CAD deals and HubSpot's CAD -> USD exchange rates.

Canadian clients are quoted in CAD, so their deals carry ``deal_currency_code: "CAD"`` and CAD
amounts. HubSpot holds one CAD rate per month, effective at 00:00 UTC on the 1st, as the inverse
of Xero's CAD-per-USD rate that day (:func:`fx_rate`) to HubSpot's six decimals: the two systems
agree, up to rounding, the way a real portal and ledger fed from the same rate source do.

Everything is ``Decimal``: the truth converts deals exactly as the warehouse does (amount x the rate
in effect at the close instant, each value rounded to cents half away from zero, as a DuckDB or
Spark cast to ``DECIMAL(18, 2)`` rounds), so bookings compare exactly rather than within a
tolerance.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sandbox.simulation.clock import epoch_ms, hs_datetime, month_index, month_start, utc_datetime
from sandbox.xero.catalog import fx_rate

HOME_CURRENCY = "USD"
FOREIGN_CURRENCY = "CAD"
_CENT = Decimal("0.01")
_RATE_PLACES = Decimal("0.000001")
"""HubSpot accepts conversion rates with up to six decimals."""


def cents(value: Decimal) -> Decimal:
    """``value`` rounded to cents, half away from zero (what a cast to DECIMAL(18, 2) does)."""
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def conversion_rate(seed: int, month: int) -> Decimal:
    """USD per CAD effective from the 1st of ``month`` (a :func:`month_index`)."""
    return (Decimal(1) / Decimal(str(fx_rate(seed, month_start(month))))).quantize(_RATE_PLACES)


def _effective_ms(month: int) -> int:
    day = month_start(month)
    return epoch_ms(datetime(day.year, day.month, day.day, tzinfo=UTC))


def rate_at(seed: int, ms: int) -> Decimal:
    """The rate in effect at instant ``ms``: the month's rate, as rates change at 00:00 UTC on the 1st."""
    return conversion_rate(seed, month_index(utc_datetime(ms).date()))


def deal_amount(seed: int, usd: float, created_ms: int) -> float:
    """A USD value quoted in CAD at Xero's rate on the deal's creation day, rounded to cents."""
    rate = Decimal(str(fx_rate(seed, utc_datetime(created_ms).date())))
    return float(cents(Decimal(str(usd)) * rate))


def home_value(seed: int, currency: str, value: Decimal, close_ms: int) -> Decimal:
    """A deal value in USD as the warehouse converts it (see the module docstring)."""
    if currency == HOME_CURRENCY:
        return value
    return cents(value * rate_at(seed, close_ms))


def exchange_rates(seed: int, first_month: int, now_ms: int) -> list[dict[str, Any]]:
    """``GET /settings/v3/currencies/exchange-rates`` results: CAD rates in effect by ``now_ms``."""
    rates = []
    month = first_month
    while (effective := _effective_ms(month)) < now_ms:
        at = hs_datetime(effective)
        rates.append(
            {
                "id": str(900_000 + month),
                "fromCurrencyCode": FOREIGN_CURRENCY,
                "toCurrencyCode": HOME_CURRENCY,
                "conversionRate": float(conversion_rate(seed, month)),
                "effectiveAt": at,
                "visibleInUI": True,
                "createdAt": at,
                "updatedAt": at,
            }
        )
        month += 1
    return rates
