"""Billing of a client: repeating invoices, one-off sales invoices and their lives, and projects.

Kept apart from the client lives because these write only ledger documents (Xero), never HubSpot
records, and the invoice life (drafts, voids, reissues, credit notes) is its own concern.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from sandbox.simulation.clock import DAY_MS, month_start
from sandbox.simulation.entities import Client, LedgerDoc, Line, Recurring
from sandbox.simulation.params import CLIENT_SHAPE
from sandbox.simulation.timeline.base import HOUR, TimelineState, lag_ms
from sandbox.xero.catalog import SERVICE_ITEMS, SUPPLIERS, fx_rate


class InvoicesMixin(TimelineState):
    """Ledger documents billed to (and bought for) a client."""

    def _billing(self, rng: random.Random, client: Client, ms: int, mrr: float, project: float) -> None:
        """Start a repeating invoice for the recurring value and invoice the one-off project."""
        if mrr > 0:
            self._repeating(client, ms, mrr)
        if project > 0:
            self._project(rng, client, ms, project)

    def _repeating(self, client: Client, ms: int, mrr: float) -> None:
        """A monthly repeating invoice for ``mrr`` (USD), split over the managed-service items."""
        shape = CLIENT_SHAPE
        start_month = max(client.start_month, self.calendar.local_month(ms) + 1)
        rate = fx_rate(self.seed, month_start(start_month)) if client.currency == "CAD" else 1.0
        tax = 0.0 if client.currency == "CAD" else shape.sales_tax_rate
        split = (
            ("MS-SUPPORT", shape.managed_share),
            ("CL-M365", shape.cloud_share),
            ("SEC-EDR", shape.security_share),
        )
        lines = []
        for code, share in split:
            item = SERVICE_ITEMS[code]
            amount = round(mrr * share * rate, 2)
            quantity = float(client.seats) if code == "MS-SUPPORT" else 1.0
            lines.append(
                Line(
                    code,
                    item.description,
                    quantity,
                    round(amount / quantity, 2),
                    item.account,
                    item.service_line,
                    None,
                    tax,
                )
            )
        self.recurring.append(Recurring(len(self.recurring), client.serial, ms, start_month, tuple(lines)))

    def _invoice_life(
        self, rng: random.Random, created: int
    ) -> tuple[list[tuple[int, str]], int | None, bool]:
        """Status transitions, payment instant and whether it was voided, for a one-off sales invoice."""
        shape = CLIENT_SHAPE
        events = [(created, "AUTHORISED")]
        if rng.random() < 0.1:  # drafted first; half go through approval (SUBMITTED) before authorising
            events = [(created, "DRAFT")]
            if rng.random() < 0.5:
                events.append((created + int(rng.uniform(0.1, 1) * DAY_MS), "SUBMITTED"))
            events.append((events[-1][0] + int(rng.uniform(0.2, 2) * DAY_MS), "AUTHORISED"))
        if rng.random() < shape.void_rate:
            events.append((events[-1][0] + int(rng.uniform(3, 10) * DAY_MS), "VOIDED"))
            return events, None, True
        paid = (
            None if rng.random() < shape.unpaid_rate else events[-1][0] + lag_ms(rng, shape.payment_lag_days)
        )
        return events, paid, False

    def _sales_invoice(
        self,
        rng: random.Random,
        client: Client,
        key: tuple[Any, ...],
        created: int,
        lines: tuple[Line, ...],
        reference: str,
    ) -> None:
        """A one-off sales invoice with its life, plus any reissue, credit note or deleted draft."""
        day = self.calendar.local_day(created)
        rate = fx_rate(self.seed, day) if client.currency == "CAD" else 1.0
        events, paid, voided = self._invoice_life(rng, created)
        self.docs.append(
            LedgerDoc(
                key,
                "ACCREC",
                client.key,
                day,
                day + timedelta(days=30),
                lines,
                client.currency,
                rate,
                events,
                reference,
                None,
                paid,
                self.calendar.local_day(paid) if paid else None,
            )
        )
        if voided:  # reissued the day it was voided
            self._sales_invoice(rng, client, (*key, "reissue"), events[-1][0] + 2 * HOUR, lines, reference)
        elif rng.random() < CLIENT_SHAPE.credit_note_rate:
            credit_ms = created + int(rng.uniform(5, 20) * DAY_MS)
            first = lines[0]
            credit = Line(
                first.item_code,
                f"Credit: {first.description}",
                1.0,
                round(first.line_amount * rng.uniform(0.1, 0.3), 2),
                first.account_code,
                first.service_line,
                None,
                first.tax_rate,
            )
            credit_day = self.calendar.local_day(credit_ms)
            self.docs.append(
                LedgerDoc(
                    (*key, "credit"),
                    "ACCRECCREDIT",
                    client.key,
                    credit_day,
                    None,
                    (credit,),
                    client.currency,
                    fx_rate(self.seed, credit_day) if client.currency == "CAD" else 1.0,
                    [(credit_ms, "AUTHORISED")],
                    reference,
                )
            )
        if rng.random() < CLIENT_SHAPE.deleted_draft_rate:
            self.docs.append(
                LedgerDoc(
                    (*key, "draft"),
                    "ACCREC",
                    client.key,
                    day,
                    day + timedelta(days=30),
                    lines,
                    client.currency,
                    rate,
                    [(created - HOUR, "DRAFT"), (created - HOUR // 2, "DELETED")],
                    reference,
                )
            )

    def _project(self, rng: random.Random, client: Client, ms: int, project_usd: float) -> None:
        """Invoice a project (deposit and/or completion) and book its contractor and hardware costs."""
        shape = CLIENT_SHAPE
        item = SERVICE_ITEMS["PRJ-FIXED"]
        tax = 0.0 if client.currency == "CAD" else shape.sales_tax_rate
        finish = ms + int(rng.uniform(30, 75) * DAY_MS)
        parts = (
            [(0.5, ms + HOUR, "deposit"), (0.5, finish, "completion")]
            if rng.random() < shape.project_deposit_share
            else [(1.0, finish, "completion")]
        )
        serial = len(self.docs)
        for share, created, label in parts:
            day = self.calendar.local_day(created)
            rate = fx_rate(self.seed, day) if client.currency == "CAD" else 1.0
            amount = round(project_usd * share * rate, 2)
            line = Line(
                "PRJ-FIXED",
                f"{item.description} ({label})",
                1.0,
                amount,
                item.account,
                item.service_line,
                None,
                tax,
            )
            self._sales_invoice(rng, client, ("project", serial, label), created, (line,), f"Project {label}")
        option = client.name
        if rng.random() < shape.contractor_share:
            billed = finish + int(rng.uniform(1, 10) * DAY_MS)
            day = self.calendar.local_day(billed)
            cost = round(project_usd * shape.contractor_cost_ratio * rng.uniform(0.8, 1.2), 2)
            line = Line(
                None, f"Contract engineering - {client.name}", 1.0, cost, "5100", "Projects", option, 0.0
            )
            paid = billed + lag_ms(rng, 30)
            self.docs.append(
                LedgerDoc(
                    ("contractor", serial),
                    "ACCPAY",
                    ("supplier", SUPPLIERS["5100"]),
                    day,
                    day + timedelta(days=30),
                    (line,),
                    "USD",
                    1.0,
                    [(billed, "AUTHORISED")],
                    f"CE-{serial:06d}",
                    None,
                    paid,
                    self.calendar.local_day(paid),
                )
            )
        if rng.random() < shape.hardware_share:
            spent = ms + int(rng.uniform(3, 15) * DAY_MS)
            day = self.calendar.local_day(spent)
            cost = round(project_usd * shape.hardware_cost_ratio * rng.uniform(0.7, 1.3), 2)
            line = Line(None, f"Hardware for {client.name}", 1.0, cost, "5200", "Projects", option, 0.0)
            events = [(spent, "AUTHORISED")]
            if rng.random() < 0.05:
                events.append((spent + int(rng.uniform(1, 5) * DAY_MS), "DELETED"))
            self.docs.append(
                LedgerDoc(
                    ("hardware", serial),
                    "SPEND",
                    ("supplier", SUPPLIERS["5200"]),
                    day,
                    None,
                    (line,),
                    "USD",
                    1.0,
                    events,
                    f"HW-{serial:06d}",
                )
            )
