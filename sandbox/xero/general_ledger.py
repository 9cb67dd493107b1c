"""The general ledger: every posting of the organisation as Xero ``/Journals`` bodies.

Xero writes an immutable journal whenever something posts: an invoice, bill, credit note or bank
transaction when it is first AUTHORISED, a reversing journal (same source, same JournalDate, every
line negated) when it is later VOIDED or DELETED, one per payment, and one per POSTED manual journal
(reversed when voided). Journals are numbered 1, 2, 3... in order of (creation instant, key), so a
later clock only appends: every journal created before the old clock keeps its number and body.

Amounts are in the home currency at 2 dp, ``NetAmount`` debit-positive. Amounts are kept in integer
cents while a journal is assembled, so each one balances to exactly 0.00: the control line
(Accounts Receivable, Accounts Payable or the bank account) takes minus the sum of the others.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, Any

from sandbox.simulation.clock import utc_datetime, xero_date
from sandbox.simulation.entities import LedgerDoc
from sandbox.simulation.journals import ManualJournalFact
from sandbox.simulation.model import XeroDocument
from sandbox.xero.catalog import ACCOUNTS_BY_CODE, guid

if TYPE_CHECKING:
    from sandbox.xero.view import XeroView

SOURCE_TYPES = {"ACCREC": "ACCREC", "ACCRECCREDIT": "ACCRECCREDIT", "ACCPAY": "ACCPAY", "SPEND": "CASHPAID"}
"""Journal SourceType by ledger document kind."""
CONTROL_ACCOUNTS = {"ACCREC": "610", "ACCRECCREDIT": "610", "ACCPAY": "800", "SPEND": "090"}
"""The balancing line of a document's journal: receivables, payables or the bank account."""
_SIGNS = {"ACCREC": -1, "ACCRECCREDIT": 1, "ACCPAY": 1, "SPEND": 1}
"""Sign of a document's own lines in its journal (sales credit income; costs and credit notes debit)."""
_POSTING_END = {"VOIDED", "DELETED"}

# (account code, description, net cents, tax cents, tax type, tracking)
_Line = tuple[str, str, int, int, str, list[dict[str, str]]]
# (created ms, sort key, key, journal date ms, source type, source id, reference, lines)
_Entry = tuple[int, str, tuple[Any, ...], int, str, str, str, list[_Line]]


def cents(amount: float, rate: float = 1.0) -> int:
    """``round(amount / rate, 2)`` in integer cents: how Xero converts a line to the base currency."""
    return round(round(amount / rate, 2) * 100)


def document_lines(doc: LedgerDoc, tracking: Any = None) -> list[_Line]:
    """The lines of a document's posting journal (tracking shaped by ``tracking(line)`` when given)."""
    sign, rate = _SIGNS[doc.kind], doc.rate
    lines: list[_Line] = []
    net_total = tax_total = 0
    for line in doc.lines:
        net = sign * cents(line.line_amount, rate)
        tax = sign * cents(line.tax_amount, rate)
        net_total += net
        tax_total += tax
        lines.append(
            (
                line.account_code,
                line.description,
                net,
                tax,
                "OUTPUT" if line.tax_rate else "NONE",
                tracking(line) if tracking else [],
            )
        )
    if any(line[3] for line in lines):
        lines.append(("820", "Sales Tax", tax_total, 0, "NONE", []))
    lines.append((CONTROL_ACCOUNTS[doc.kind], "", -(net_total + tax_total), 0, "NONE", []))
    return lines


def _negated(lines: list[_Line]) -> list[_Line]:
    return [
        (code, text, -net, -tax, tax_type, tracking) for code, text, net, tax, tax_type, tracking in lines
    ]


def _manual_lines(journal: ManualJournalFact) -> list[_Line]:
    return [
        (line.account_code, line.description, cents(line.amount), 0, "NONE", []) for line in journal.lines
    ]


def journal_entries(view: XeroView, now_ms: int) -> list[_Entry]:
    """Every journal created before ``now_ms``, unnumbered, in JournalNumber order."""
    ledger, seed = view.ledger, view.seed
    date_ms = view.calendar.date_only_ms
    entries: list[_Entry] = []
    control: dict[tuple[Any, ...], int] = {}

    def add(
        created: int,
        key: tuple[Any, ...],
        day_ms: int,
        source: str,
        source_id: str,
        ref: str,
        lines: list[_Line],
    ) -> None:
        entries.append((created, repr(key), key, day_ms, source, source_id, ref, lines))

    for doc in ledger.docs:
        posted = reversed_at = None
        for ms, status in doc.events:
            if ms >= now_ms:
                break
            if posted is None and status == "AUTHORISED":
                posted = ms
            elif posted is not None and status in _POSTING_END:
                reversed_at = ms
                break
        if posted is None:
            continue
        lines = document_lines(doc, view.tracking)
        control[doc.key] = lines[-1][2]
        source, source_id = SOURCE_TYPES[doc.kind], view.document_id(doc.key)
        reference, day_ms = view.document_number(doc.key), date_ms(doc.day)
        add(posted, (*doc.key, "post"), day_ms, source, source_id, reference, lines)
        if reversed_at is not None:
            add(reversed_at, (*doc.key, "reverse"), day_ms, source, source_id, reference, _negated(lines))

    for payment in ledger.payments:
        doc = payment.doc
        amount = control[doc.key]
        lines = [
            ("090", "", amount, 0, "NONE", []),
            (CONTROL_ACCOUNTS[doc.kind], "", -amount, 0, "NONE", []),
        ]
        add(
            payment.paid_ms,
            (*doc.key, "payment"),
            date_ms(payment.paid_on),
            "ACCRECPAYMENT" if doc.kind == "ACCREC" else "ACCPAYPAYMENT",
            guid(seed, ("payment", *doc.key)),
            view.document_number(doc.key),
            lines,
        )

    for journal in ledger.manual_journals:
        posted = journal.event_ms("POSTED", now_ms)
        if posted is None:
            continue
        lines = _manual_lines(journal)
        source_id, day_ms = guid(seed, journal.key), date_ms(journal.day)
        add(posted, (*journal.key, "post"), day_ms, "MANJOURNAL", source_id, journal.narration, lines)
        voided = journal.event_ms("VOIDED", now_ms)
        if voided is not None:
            add(
                voided,
                (*journal.key, "void"),
                day_ms,
                "MANJOURNAL",
                source_id,
                journal.narration,
                _negated(lines),
            )

    entries.sort(key=lambda e: (e[0], e[1]))
    return entries


def journal_documents(view: XeroView, now_ms: int) -> list[XeroDocument]:
    """``GET /Journals`` bodies in JournalNumber order (1..N), as ``XeroDocument``s keyed by JournalID.

    The cyclic garbage collector is paused meanwhile: the build allocates millions of small, acyclic
    objects, and the collections it triggers took two thirds of the time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _journal_documents(view, now_ms)
    finally:
        if enabled:
            gc.enable()


def _journal_documents(view: XeroView, now_ms: int) -> list[XeroDocument]:
    seed = view.seed
    account_refs = {
        code: (view.static_guid(("account", code)), account.type, account.name)
        for code, account in ACCOUNTS_BY_CODE.items()
    }
    out = []
    for number, (created, _, key, day_ms, source, source_id, reference, lines) in enumerate(
        journal_entries(view, now_ms), start=1
    ):
        journal_id = guid(seed, ("journal", *key))
        stem = journal_id[:-4]
        body_lines = []
        for index, (code, text, net, tax, tax_type, tracking) in enumerate(lines):
            account_id, account_type, account_name = account_refs[code]
            body_lines.append(
                {
                    "JournalLineID": f"{stem}{index:04x}",
                    "AccountID": account_id,
                    "AccountCode": code,
                    "AccountType": account_type,
                    "AccountName": account_name,
                    "Description": text,
                    "NetAmount": net / 100,
                    "GrossAmount": (net + tax) / 100,
                    "TaxAmount": tax / 100,
                    "TaxType": tax_type,
                    "TaxName": "Sales Tax" if tax_type == "OUTPUT" else "No Tax",
                    "TrackingCategories": tracking,
                }
            )
        body = {
            "JournalID": journal_id,
            "JournalDate": xero_date(day_ms),
            "JournalNumber": number,
            "CreatedDateUTC": xero_date(created),
            "Reference": reference,
            "SourceID": source_id,
            "SourceType": source,
            "JournalLines": body_lines,
        }
        out.append(XeroDocument(id=journal_id, updated_at=utc_datetime(created), body=body))
    return out
