"""Manual journals of the organisation: payroll, month-end entries, corrections, mistakes and drafts.

The model only: what was entered and when, in home currency (USD) with debit-positive line amounts.
``sandbox.xero`` shapes them into ``/ManualJournals`` bodies and posts them to ``/Journals``. Like the
other derived documents, every journal draws its randomness from its own key (kind and month), so
deriving them at a later clock gives the same past, and only what was entered before the clock
exists.

Per month ``m`` from the business start:

* payroll, dated the 28th, posted 10:00: Dr 5300 technicians, Dr 6010 sales, Dr 6000 admin, Cr 090;
* depreciation, dated the last day, posted 18:00: Dr 6500 / Cr 720;
* the accounting-fee accrual, dated the last day, posted 18:00: Dr 6600 / Cr 825, reversed by a
  journal dated the 1st of ``m + 1`` posted 09:00 (the bill itself arrives on the 8th, see
  ``Ledger``);
* in some months a reclass (20th, 15:00), a journal entered in error on the 12th and voided 2-5
  days later, or a draft dated the 25th that is never posted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sandbox.simulation.clock import DAY_MS, month_start, rng_for
from sandbox.simulation.entities import status_as_of
from sandbox.simulation.params import MANUAL_JOURNALS
from sandbox.simulation.timeline import Timeline

_HOUR = 3600


@dataclass(frozen=True, slots=True)
class JournalLineFact:
    """One manual-journal line: account, description and amount (USD, debit positive, cents)."""

    account_code: str
    description: str
    amount: float


@dataclass(slots=True)
class ManualJournalFact:
    """A manual journal over its life: ``events`` are ``(ms, status)`` with status DRAFT, POSTED or VOIDED."""

    key: tuple[object, ...]
    kind: str  # payroll, depreciation, accrual, accrual_reversal, reclass, voided, draft
    narration: str
    day: date
    lines: tuple[JournalLineFact, ...]
    events: list[tuple[int, str]]

    @property
    def created_ms(self) -> int:
        return self.events[0][0]

    def status_at(self, now_ms: int) -> tuple[str, int]:
        """The status and the instant it was set, as of ``now_ms`` (creation must precede it)."""
        return status_as_of(self.events, now_ms)

    def event_ms(self, status: str, now_ms: int) -> int | None:
        """When the journal took ``status``, if it did before ``now_ms``."""
        return next((ms for ms, value in self.events if value == status and ms < now_ms), None)


def _cents(value: float) -> float:
    return round(value + 0.0, 2)


def accounting_fee(timeline: Timeline, month: int) -> float:
    """The accountants' fee for month ``month``: accrued at its end and billed on the 8th of the next."""
    rng = rng_for(timeline.seed, "mj", "accounting-fee", month)
    return _cents(MANUAL_JOURNALS.accounting_fee_monthly * timeline.scale * rng.uniform(0.9, 1.1))


def _month_journals(timeline: Timeline, month: int) -> list[ManualJournalFact]:
    """Every manual journal belonging to ``month`` (some dated early next month), whatever the clock."""
    shape, seed, calendar = MANUAL_JOURNALS, timeline.seed, timeline.calendar
    first = month_start(month)
    last = month_start(month + 1) - timedelta(days=1)
    label = f"{first:%B %Y}"
    out = []

    payday = first.replace(day=shape.payroll_day)
    rng = rng_for(seed, "mj", "payroll", month)
    total = shape.payroll_monthly * timeline.scale * timeline.growth(payday) * rng.uniform(0.97, 1.03)
    split = rng_for(seed, "mj", "payroll-split", month)
    wages = [
        JournalLineFact(
            account, f"{team.capitalize()} wages {label}", _cents(total * share * split.uniform(0.97, 1.03))
        )
        for team, account, share in shape.payroll_split
    ]
    bank = JournalLineFact("090", f"Net pay and withholdings {label}", _cents(-sum(w.amount for w in wages)))
    out.append(
        ManualJournalFact(
            ("mj", "payroll", month),
            "payroll",
            f"Payroll {label} (Gusto)",
            payday,
            (*wages, bank),
            [(calendar.at(payday, 10 * _HOUR), "POSTED")],
        )
    )

    month_end = calendar.at(last, 18 * _HOUR)
    depreciation = _cents(shape.depreciation_monthly * timeline.scale * timeline.growth(first))
    out.append(
        ManualJournalFact(
            ("mj", "depreciation", month),
            "depreciation",
            f"Depreciation {label}",
            last,
            (
                JournalLineFact("6500", f"Depreciation {label}", depreciation),
                JournalLineFact("720", f"Depreciation {label}", -depreciation),
            ),
            [(month_end, "POSTED")],
        )
    )

    fee = accounting_fee(timeline, month)
    accrual = f"Accrued accounting fees {label}"
    out.append(
        ManualJournalFact(
            ("mj", "accrual", month),
            "accrual",
            accrual,
            last,
            (JournalLineFact("6600", accrual, fee), JournalLineFact("825", accrual, -fee)),
            [(month_end, "POSTED")],
        )
    )
    next_first = last + timedelta(days=1)
    out.append(
        ManualJournalFact(
            ("mj", "accrual-reversal", month),
            "accrual_reversal",
            f"Reversal: {accrual}",
            next_first,
            (JournalLineFact("825", accrual, fee), JournalLineFact("6600", accrual, -fee)),
            [(calendar.at(next_first, 9 * _HOUR), "POSTED")],
        )
    )

    rng = rng_for(seed, "mj", "reclass", month)
    if rng.random() < shape.reclass_rate:
        day = first.replace(day=20)
        amount = _cents(rng.uniform(*shape.reclass_amount) * timeline.scale)
        narration = "Reclass: security tooling posted to Software Subscriptions"
        out.append(
            ManualJournalFact(
                ("mj", "reclass", month),
                "reclass",
                narration,
                day,
                (JournalLineFact("5050", narration, amount), JournalLineFact("6200", narration, -amount)),
                [(calendar.at(day, 15 * _HOUR), "POSTED")],
            )
        )

    rng = rng_for(seed, "mj", "voided", month)
    if rng.random() < shape.voided_rate:
        day = first.replace(day=12)
        posted = calendar.at(day, rng.uniform(9, 17) * _HOUR)
        amount = _cents(rng.uniform(*shape.voided_amount) * timeline.scale)
        narration = "Bonus accrual (entered in error)"
        out.append(
            ManualJournalFact(
                ("mj", "voided", month),
                "voided",
                narration,
                day,
                (JournalLineFact("6000", narration, amount), JournalLineFact("825", narration, -amount)),
                [(posted, "POSTED"), (posted + int(rng.uniform(2, 5) * DAY_MS), "VOIDED")],
            )
        )

    rng = rng_for(seed, "mj", "draft", month)
    if rng.random() < shape.draft_rate:
        day = first.replace(day=25)
        amount = _cents(rng.uniform(*shape.draft_amount) * timeline.scale)
        narration = f"Prepaid software release {label} (draft)"
        out.append(
            ManualJournalFact(
                ("mj", "draft", month),
                "draft",
                narration,
                day,
                (JournalLineFact("6200", narration, amount), JournalLineFact("825", narration, -amount)),
                [(calendar.at(day, rng.uniform(9, 17) * _HOUR), "DRAFT")],
            )
        )
    return out


def manual_journals(timeline: Timeline, now_ms: int, now_month: int) -> list[ManualJournalFact]:
    """Every manual journal entered before ``now_ms``, in creation order."""
    out = [
        journal
        for month in range(timeline.start_month, now_month + 1)
        for journal in _month_journals(timeline, month)
        if journal.created_ms < now_ms
    ]
    out.sort(key=lambda j: (j.created_ms, repr(j.key)))
    return out
