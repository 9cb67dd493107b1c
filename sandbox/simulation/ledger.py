"""The accounting ledger as of one instant: explicit documents plus everything billed on a schedule.

Recurring documents are not stored: monthly invoices from repeating templates, the monthly
distributor bill for resold licences, overheads and marketing spend are derived here for every
month up to the clock. Each derived document draws its randomness from its own key (template and
month, account and month), so deriving them at any later clock gives the same documents.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sandbox.simulation.clock import DAY_MS, month_index, month_start, rng_for
from sandbox.simulation.entities import Client, LedgerDoc, Line, Recurring
from sandbox.simulation.journals import ManualJournalFact, accounting_fee, manual_journals
from sandbox.simulation.params import CLIENT_SHAPE, LEAD_SOURCES, MANUAL_JOURNALS, OVERHEADS
from sandbox.simulation.timeline import Timeline
from sandbox.xero.catalog import ACCOUNTS_BY_CODE, SUPPLIERS, fx_rate

_HOUR = 3_600_000


@dataclass(frozen=True, slots=True)
class PaymentFact:
    """A full payment of one invoice or bill, recorded at ``paid_ms`` and dated ``paid_on``."""

    doc: LedgerDoc
    paid_ms: int
    paid_on: date


class Ledger:
    """All Xero documents, payments and manual journals created before ``now_ms``, in creation order."""

    def __init__(self, timeline: Timeline, now_ms: int) -> None:
        self._timeline = timeline
        self._now = now_ms
        self.now_month = timeline.calendar.local_month(now_ms - 1)
        self.clients: list[Client] = [c for c in timeline.clients if c.created_ms < now_ms]
        docs = [d for d in timeline.docs if d.created_ms < now_ms]
        docs += self._recurring_invoices()
        docs += self._licence_bills()
        docs += self._overheads()
        docs += self._accounting_fee_bills()
        docs.sort(key=lambda d: (d.created_ms, repr(d.key)))
        self.docs = docs
        self.manual_journals: list[ManualJournalFact] = manual_journals(timeline, now_ms, self.now_month)
        self.payments = sorted(
            (
                PaymentFact(d, d.paid_ms, d.paid_on)
                for d in docs
                if d.paid_ms is not None and d.paid_on is not None and d.status_at(now_ms)[0] == "PAID"
            ),
            key=lambda p: (p.paid_ms, repr(p.doc.key)),
        )

    def _rate(self, client: Client, day: date) -> float:
        return fx_rate(self._timeline.seed, day) if client.currency == "CAD" else 1.0

    def active_months(self, template: Recurring) -> range:
        """Months the template bills in, up to the clock's month (the client's churn ends it)."""
        client = self._timeline.clients[template.client_serial]
        end = client.churn_month if client.churn_month is not None else self.now_month + 1
        return range(template.start_month, min(end, self.now_month + 1))

    def _recurring_invoices(self) -> list[LedgerDoc]:
        seed, calendar = self._timeline.seed, self._timeline.calendar
        docs = []
        for template in self._timeline.recurring:
            if template.created_ms >= self._now:
                continue
            client = self._timeline.clients[template.client_serial]
            for month in self.active_months(template):
                day = month_start(month)
                created = calendar.at(day, 6 * 3600)
                if created >= self._now:
                    break
                rng = rng_for(seed, "rinv", template.serial, month)
                paid = (
                    None
                    if rng.random() < CLIENT_SHAPE.unpaid_rate
                    else created + int(rng.gammavariate(2.0, CLIENT_SHAPE.payment_lag_days / 2) * DAY_MS)
                )
                rate = self._rate(client, day)
                docs.append(
                    LedgerDoc(
                        ("rinv", template.serial, month),
                        "ACCREC",
                        client.key,
                        day,
                        day + timedelta(days=30),
                        template.lines,
                        client.currency,
                        rate,
                        [(created, "AUTHORISED")],
                        f"Managed services {day:%B %Y}",
                        template.key,
                        paid,
                        calendar.local_day(paid) if paid else None,
                    )
                )
                if rng.random() < CLIENT_SHAPE.credit_note_rate:
                    credit_ms = created + int(rng.uniform(5, 20) * DAY_MS)
                    if credit_ms < self._now:
                        first = template.lines[0]
                        credit_day = calendar.local_day(credit_ms)
                        line = Line(
                            first.item_code,
                            "Service credit (SLA)",
                            1.0,
                            round(first.line_amount * rng.uniform(0.1, 0.3), 2),
                            first.account_code,
                            first.service_line,
                            None,
                            first.tax_rate,
                        )
                        docs.append(
                            LedgerDoc(
                                ("rinv", template.serial, month, "credit"),
                                "ACCRECCREDIT",
                                client.key,
                                credit_day,
                                None,
                                (line,),
                                client.currency,
                                self._rate(client, credit_day),
                                [(credit_ms, "AUTHORISED")],
                                f"SLA credit {day:%B %Y}",
                            )
                        )
        return docs

    def _licence_bills(self) -> list[LedgerDoc]:
        """One distributor bill a month: licences and security tooling resold to each recurring client."""
        calendar = self._timeline.calendar
        by_month: dict[int, list[Line]] = {}
        for template in self._timeline.recurring:
            if template.created_ms >= self._now:
                continue
            client = self._timeline.clients[template.client_serial]
            for month in self.active_months(template):
                rate = self._rate(client, month_start(month))
                for line in template.lines:
                    if line.item_code == "CL-M365":
                        account, ratio = "5000", CLIENT_SHAPE.licence_cost_ratio
                    elif line.item_code == "SEC-EDR":
                        account, ratio = "5050", CLIENT_SHAPE.security_cost_ratio
                    else:
                        continue
                    cost = round(line.line_amount / rate * ratio, 2)
                    by_month.setdefault(month, []).append(
                        Line(
                            None,
                            f"{ACCOUNTS_BY_CODE[account].name} - {client.name}",
                            1.0,
                            cost,
                            account,
                            line.service_line,
                            client.name,
                            0.0,
                        )
                    )
        docs = []
        for month, lines in sorted(by_month.items()):
            day = month_start(month)
            created = calendar.at(day, 11 * 3600)
            if created >= self._now:
                continue
            paid = created + 15 * DAY_MS
            docs.append(
                LedgerDoc(
                    ("licences", month),
                    "ACCPAY",
                    ("supplier", SUPPLIERS["5000"]),
                    day,
                    day + timedelta(days=20),
                    tuple(lines),
                    "USD",
                    1.0,
                    [(created, "AUTHORISED")],
                    f"PAX8-{month}",
                    None,
                    paid,
                    calendar.local_day(paid),
                )
            )
        return docs

    def _overheads(self) -> list[LedgerDoc]:
        """Rent, payroll, software, insurance and marketing spend per lead source, every month."""
        timeline, calendar = self._timeline, self._timeline.calendar
        docs = []
        for month in range(timeline.start_month, self.now_month + 1):
            first = month_start(month)
            # fixed costs vary little month to month (3%); marketing campaigns a lot (20%)
            items = [
                (o.account, o.supplier, o.document, o.day_of_month, o.monthly_amount, 0.03) for o in OVERHEADS
            ]
            items += [
                (
                    s.marketing_account,
                    SUPPLIERS[s.marketing_account],
                    "SPEND",
                    15,
                    s.monthly_marketing_spend,
                    0.2,
                )
                for s in LEAD_SOURCES
            ]
            for account, supplier, kind, day_of_month, monthly, spread in items:
                day = first.replace(day=day_of_month)
                created = calendar.at(day, 10 * 3600)
                if created >= self._now:
                    continue
                rng = rng_for(timeline.seed, "overhead", account, month)
                amount = round(
                    monthly * timeline.scale * timeline.growth(day) * rng.uniform(1 - spread, 1 + spread), 2
                )
                line = Line(
                    None,
                    f"{ACCOUNTS_BY_CODE[account].name} {day:%B %Y}",
                    1.0,
                    amount,
                    account,
                    None,
                    None,
                    0.0,
                )
                paid = created + 10 * DAY_MS if kind == "ACCPAY" else None
                docs.append(
                    LedgerDoc(
                        ("overhead", account, month),
                        kind,
                        ("supplier", supplier),
                        day,
                        day + timedelta(days=14) if kind == "ACCPAY" else None,
                        (line,),
                        "USD",
                        1.0,
                        [(created, "AUTHORISED")],
                        f"{account}-{month}",
                        None,
                        paid,
                        calendar.local_day(paid) if paid else None,
                    )
                )
        return docs

    def _accounting_fee_bills(self) -> list[LedgerDoc]:
        """The accountants' bill for month ``m`` (the amount accrued at its end), dated the 8th of m + 1."""
        timeline, calendar = self._timeline, self._timeline.calendar
        supplier = MANUAL_JOURNALS.accounting_fee_supplier
        docs = []
        for month in range(timeline.start_month, self.now_month):
            day = month_start(month + 1).replace(day=8)
            created = calendar.at(day, 10 * 3600)
            if created >= self._now:
                continue
            line = Line(
                None,
                f"{ACCOUNTS_BY_CODE['6600'].name} {month_start(month):%B %Y}",
                1.0,
                accounting_fee(timeline, month),
                "6600",
                None,
                None,
                0.0,
            )
            paid = created + 10 * DAY_MS
            docs.append(
                LedgerDoc(
                    ("accounting-fee", month),
                    "ACCPAY",
                    ("supplier", supplier),
                    day,
                    day + timedelta(days=14),
                    (line,),
                    "USD",
                    1.0,
                    [(created, "AUTHORISED")],
                    f"LL-{month}",
                    None,
                    paid,
                    calendar.local_day(paid),
                )
            )
        return docs

    def month_of(self, doc: LedgerDoc) -> int:
        """The month a document counts in: its ``Date`` month."""
        return month_index(doc.day)
