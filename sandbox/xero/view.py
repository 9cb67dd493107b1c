"""Xero as of one instant: the ledger shaped into Accounting API JSON bodies.

Bodies follow ``xero_accounting.yaml``: ``/Date(ms+0000)/`` dates (date-only fields at 00:00 UTC of
the organisation-local date), amounts as numbers with two decimals, ``LineAmountTypes`` Exclusive,
``CurrencyRate`` in Xero's direction (1 home = rate foreign). A document's ``UpdatedDateUTC`` is the
instant of its latest status change (authorised, paid, voided, deleted).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import Any

from sandbox.simulation.clock import OrgCalendar, month_start, utc_datetime, xero_date
from sandbox.simulation.entities import Client, LedgerDoc, Line
from sandbox.simulation.journals import ManualJournalFact
from sandbox.simulation.ledger import Ledger, PaymentFact
from sandbox.simulation.model import XeroDocument
from sandbox.simulation.timeline import Timeline
from sandbox.xero.catalog import (
    ACCOUNTS,
    ACCOUNTS_BY_CODE,
    BANK_ACCOUNT,
    CURRENCIES,
    DIRECT_COST_TYPES,
    OVERHEAD_TYPES,
    PNL_TYPES,
    REVENUE_TYPES,
    SERVICE_ITEMS,
    SERVICE_LINES,
    SUPPLIER_NAMES,
    TRACKING_CLIENT,
    TRACKING_SERVICE_LINE,
    XERO_TIMEZONES,
    guid,
)
from sandbox.xero.general_ledger import cents, journal_documents

ORGANISATION_NAME = "Northbridge IT Services"
COLLECTIONS = (
    "Accounts",
    "Contacts",
    "Invoices",
    "CreditNotes",
    "Payments",
    "BankTransactions",
    "Items",
    "RepeatingInvoices",
    "TrackingCategories",
    "Currencies",
    "ManualJournals",
    "Journals",
)
COUNTED_STATUSES = frozenset({"AUTHORISED", "PAID"})


@lru_cache(maxsize=65_536)
def _static_guid(seed: int, key: tuple[Any, ...]) -> str:
    """GUIDs of reference data (accounts, items, tracking options) repeat on every line: memoised."""
    return guid(seed, key)


def _money(value: float) -> float:
    return round(value + 0.0, 2)


def _date_string(day: date) -> str:
    return f"{day.isoformat()}T00:00:00"


class XeroView:
    """The Xero side of the business at ``now_ms``; each collection is shaped on first use."""

    def __init__(self, timeline: Timeline, ledger: Ledger, now_ms: int) -> None:
        self._timeline = timeline
        self._ledger = ledger
        self._now = now_ms
        self._seed = timeline.seed
        self._setup_ms = timeline.calendar.day_start_ms(timeline.start) - 45 * 86_400_000
        self._cache: dict[str, list[XeroDocument]] = {}
        self._ids: dict[tuple[Any, ...], str] = {}
        self._numbers = self._number_documents()
        self._contacts = {c.key: c for c in ledger.clients}
        self._builders: dict[str, Callable[[], list[XeroDocument]]] = {
            "Accounts": self._accounts,
            "Contacts": self._contact_docs,
            "Invoices": self._invoices,
            "CreditNotes": self._credit_notes,
            "Payments": self._payments,
            "BankTransactions": self._bank_transactions,
            "Items": self._items,
            "RepeatingInvoices": self._repeating_invoices,
            "TrackingCategories": self._tracking_categories,
            "Currencies": self._currencies,
            "ManualJournals": self._manual_journals,
            "Journals": lambda: journal_documents(self, self._now),
        }

    def collection(self, name: str) -> list[XeroDocument]:
        """Every document of a collection at ``now`` sorted by id (deleted and voided included)."""
        if name not in self._builders:
            raise KeyError(f"unknown Xero collection {name!r}")
        if name not in self._cache:
            built = self._builders[name]()
            # journals are served in JournalNumber order, everything else by id
            self._cache[name] = built if name == "Journals" else sorted(built, key=lambda d: d.id)
        return self._cache[name]

    # -- what the general ledger needs -------------------------------------------------------
    @property
    def ledger(self) -> Ledger:
        return self._ledger

    @property
    def seed(self) -> int:
        return self._seed

    @property
    def calendar(self) -> OrgCalendar:
        return self._timeline.calendar

    def static_guid(self, key: tuple[Any, ...]) -> str:
        """The memoised GUID of a piece of reference data (an account, item or tracking option)."""
        return _static_guid(self._seed, key)

    def document_id(self, key: tuple[Any, ...]) -> str:
        """InvoiceID / CreditNoteID / BankTransactionID of a ledger document."""
        return self._ids[key]

    def document_number(self, key: tuple[Any, ...]) -> str:
        """InvoiceNumber / CreditNoteNumber, or the Reference of a bill or bank transaction."""
        return self._numbers[key]

    def tracking(self, line: Line) -> list[dict[str, str]]:
        """A line's tracking as served on line items and journal lines."""
        return self._tracking(line)

    # -- references --------------------------------------------------------------------------
    def _number_documents(self) -> dict[tuple[Any, ...], str]:
        numbers: dict[tuple[Any, ...], str] = {}
        counters = {"ACCREC": 0, "ACCRECCREDIT": 0}
        for doc in self._ledger.docs:  # creation order: numbers increase with time, as in Xero
            self._ids[doc.key] = guid(self._seed, doc.key)
            if doc.kind in counters:
                counters[doc.kind] += 1
                prefix = "INV" if doc.kind == "ACCREC" else "CN"
                numbers[doc.key] = f"{prefix}-{counters[doc.kind]:05d}"
            else:
                numbers[doc.key] = doc.reference
        return numbers

    def _contact_ref(self, key: tuple[Any, ...]) -> dict[str, Any]:
        name = self._contacts[key].name if key in self._contacts else key[1]
        return {"ContactID": _static_guid(self._seed, key), "Name": name}

    def _tracking(self, line: Line) -> list[dict[str, str]]:
        tracking = []
        if line.service_line:
            category = _static_guid(self._seed, ("tracking", TRACKING_SERVICE_LINE))
            tracking.append(
                {
                    "Name": TRACKING_SERVICE_LINE,
                    "Option": line.service_line,
                    "TrackingCategoryID": category,
                    "TrackingOptionID": _static_guid(
                        self._seed, ("tracking", TRACKING_SERVICE_LINE, line.service_line)
                    ),
                }
            )
        if line.client_option:
            category = _static_guid(self._seed, ("tracking", TRACKING_CLIENT))
            tracking.append(
                {
                    "Name": TRACKING_CLIENT,
                    "Option": line.client_option,
                    "TrackingCategoryID": category,
                    "TrackingOptionID": _static_guid(
                        self._seed, ("tracking", TRACKING_CLIENT, line.client_option)
                    ),
                }
            )
        return tracking

    def _line(self, parent_id: str, index: int, line: Line) -> dict[str, Any]:
        account = ACCOUNTS_BY_CODE[line.account_code]
        body: dict[str, Any] = {
            # the parent's GUID with the line number in its last 4 hex digits: unique, and one
            # hash per document instead of one per line
            "LineItemID": f"{parent_id[:-4]}{index:04x}",
            "Description": line.description,
            "Quantity": line.quantity,
            "UnitAmount": _money(line.unit_amount),
            "AccountCode": account.code,
            "AccountID": _static_guid(self._seed, ("account", account.code)),
            "TaxType": "OUTPUT" if line.tax_rate else "NONE",
            "TaxAmount": _money(line.tax_amount),
            "LineAmount": _money(line.line_amount),
            "Tracking": self._tracking(line),
        }
        if line.item_code:
            body["ItemCode"] = line.item_code
            body["Item"] = {
                "ItemID": _static_guid(self._seed, ("item", line.item_code)),
                "Code": line.item_code,
                "Name": SERVICE_ITEMS[line.item_code].name,
            }
        return body

    def _common(self, doc: LedgerDoc) -> tuple[dict[str, Any], int]:
        status, changed = doc.status_at(self._now)
        doc_id = self._ids[doc.key]
        body = {
            "Contact": self._contact_ref(doc.contact_key),
            "Date": xero_date(self._timeline.calendar.date_only_ms(doc.day)),
            "DateString": _date_string(doc.day),
            "Status": status,
            "LineAmountTypes": "Exclusive",
            "LineItems": [self._line(doc_id, i, line) for i, line in enumerate(doc.lines)],
            "SubTotal": _money(doc.sub_total),
            "TotalTax": _money(doc.total_tax),
            "Total": _money(doc.sub_total + doc.total_tax),
            "UpdatedDateUTC": xero_date(changed),
            "CurrencyCode": doc.currency,
            "CurrencyRate": doc.rate,
            "HasAttachments": False,
        }
        if doc.reference:
            body["Reference"] = doc.reference
        return body, changed

    def _document(self, doc_id: str, changed: int, body: dict[str, Any]) -> XeroDocument:
        return XeroDocument(id=doc_id, updated_at=utc_datetime(changed), body=body)

    # -- collections -------------------------------------------------------------------------
    def _invoices(self) -> list[XeroDocument]:
        out = []
        for doc in self._ledger.docs:
            if doc.kind not in ("ACCREC", "ACCPAY"):
                continue
            body, changed = self._common(doc)
            total = body["Total"]
            paid = body["Status"] == "PAID"
            doc_id = self._ids[doc.key]
            body.update(
                {
                    "Type": doc.kind,
                    "InvoiceID": doc_id,
                    "InvoiceNumber": self._numbers[doc.key],
                    "DueDate": xero_date(self._timeline.calendar.date_only_ms(doc.due or doc.day)),
                    "DueDateString": _date_string(doc.due or doc.day),
                    "IsDiscounted": False,
                    "AmountDue": 0.0 if paid or body["Status"] in ("VOIDED", "DELETED") else total,
                    "AmountPaid": total if paid else 0.0,
                    "AmountCredited": 0.0,
                    "SentToContact": doc.kind == "ACCREC",
                    "Payments": [],
                    "CreditNotes": [],
                    "Prepayments": [],
                    "Overpayments": [],
                }
            )
            if paid and doc.paid_ms is not None and doc.paid_on is not None:
                body["FullyPaidOnDate"] = xero_date(self._timeline.calendar.date_only_ms(doc.paid_on))
                body["Payments"] = [
                    {
                        "PaymentID": guid(self._seed, ("payment", *doc.key)),
                        "Date": body["FullyPaidOnDate"],
                        "Amount": total,
                        "Reference": "",
                    }
                ]
            if doc.repeating_key is not None:
                body["RepeatingInvoiceID"] = _static_guid(self._seed, doc.repeating_key)
            out.append(self._document(doc_id, changed, body))
        return out

    def _credit_notes(self) -> list[XeroDocument]:
        out = []
        for doc in self._ledger.docs:
            if doc.kind != "ACCRECCREDIT":
                continue
            body, changed = self._common(doc)
            doc_id = self._ids[doc.key]
            body.update(
                {
                    "Type": doc.kind,
                    "CreditNoteID": doc_id,
                    "CreditNoteNumber": self._numbers[doc.key],
                    "RemainingCredit": body["Total"],
                    "Allocations": [],
                    "Payments": [],
                    "SentToContact": True,
                }
            )
            out.append(self._document(doc_id, changed, body))
        return out

    def _bank_transactions(self) -> list[XeroDocument]:
        out = []
        bank = {
            "AccountID": guid(self._seed, ("account", BANK_ACCOUNT.code)),
            "Code": BANK_ACCOUNT.code,
            "Name": BANK_ACCOUNT.name,
        }
        for doc in self._ledger.docs:
            if doc.kind != "SPEND":
                continue
            body, changed = self._common(doc)
            doc_id = self._ids[doc.key]
            body.update(
                {"Type": "SPEND", "BankTransactionID": doc_id, "BankAccount": bank, "IsReconciled": True}
            )
            out.append(self._document(doc_id, changed, body))
        return out

    def _payments(self) -> list[XeroDocument]:
        out = []
        bank = {"AccountID": guid(self._seed, ("account", BANK_ACCOUNT.code)), "Code": BANK_ACCOUNT.code}
        for payment in self._ledger.payments:
            out.append(self._payment(payment, bank))
        return out

    def _payment(self, payment: PaymentFact, bank: dict[str, str]) -> XeroDocument:
        doc = payment.doc
        doc_id = guid(self._seed, ("payment", *doc.key))
        total = _money(doc.sub_total + doc.total_tax)
        body = {
            "PaymentID": doc_id,
            "Date": xero_date(self._timeline.calendar.date_only_ms(payment.paid_on)),
            "Amount": total,
            "BankAmount": _money(total / doc.rate),
            "CurrencyRate": doc.rate,
            "PaymentType": "ACCRECPAYMENT" if doc.kind == "ACCREC" else "ACCPAYPAYMENT",
            "Status": "AUTHORISED",
            "Reference": "",
            "IsReconciled": True,
            "HasAccount": True,
            "HasValidationErrors": False,
            "UpdatedDateUTC": xero_date(payment.paid_ms),
            "Account": bank,
            "Invoice": {
                "InvoiceID": self._ids[doc.key],
                "InvoiceNumber": self._numbers[doc.key],
                "Type": doc.kind,
                "Contact": self._contact_ref(doc.contact_key),
                "CurrencyCode": doc.currency,
            },
        }
        return self._document(doc_id, payment.paid_ms, body)

    def _contact_docs(self) -> list[XeroDocument]:
        out = []
        for client in self._ledger.clients:
            out.append(self._client_contact(client))
        for name in SUPPLIER_NAMES:
            key = ("supplier", name)
            contact_id = guid(self._seed, key)
            out.append(
                self._document(
                    contact_id,
                    self._setup_ms,
                    {
                        "ContactID": contact_id,
                        "ContactStatus": "ACTIVE",
                        "Name": name,
                        "IsSupplier": True,
                        "IsCustomer": False,
                        "DefaultCurrency": "USD",
                        "Addresses": [],
                        "Phones": [],
                        "ContactGroups": [],
                        "ContactPersons": [],
                        "HasAttachments": False,
                        "HasValidationErrors": False,
                        "UpdatedDateUTC": xero_date(self._setup_ms),
                    },
                )
            )
        return out

    def _client_contact(self, client: Client) -> XeroDocument:
        archived = client.archived_ms is not None and client.archived_ms < self._now
        changed = client.archived_ms if archived and client.archived_ms is not None else client.created_ms
        contact_id = guid(self._seed, client.key)
        return self._document(
            contact_id,
            changed,
            {
                "ContactID": contact_id,
                "ContactStatus": "ARCHIVED" if archived else "ACTIVE",
                "Name": client.name,
                "EmailAddress": client.email,
                "IsSupplier": False,
                "IsCustomer": True,
                "DefaultCurrency": client.currency,
                "Website": f"https://www.{client.email.split('@')[1]}",
                "Addresses": [],
                "Phones": [],
                "ContactGroups": [],
                "ContactPersons": [],
                "HasAttachments": False,
                "HasValidationErrors": False,
                "UpdatedDateUTC": xero_date(changed),
            },
        )

    def _repeating_invoices(self) -> list[XeroDocument]:
        out = []
        calendar = self._timeline.calendar
        for template in self._timeline.recurring:
            if template.created_ms >= self._now:
                continue
            client = self._timeline.clients[template.client_serial]
            ended = client.churn_notice_ms is not None and client.churn_notice_ms < self._now
            changed = (
                client.churn_notice_ms
                if ended and client.churn_notice_ms is not None
                else template.created_ms
            )
            subtotal = sum(line.line_amount for line in template.lines)
            tax = sum(line.tax_amount for line in template.lines)
            next_month = max(template.start_month, self._ledger.now_month + 1)
            schedule: dict[str, Any] = {
                "Period": 1,
                "Unit": "MONTHLY",
                "DueDate": 30,
                "DueDateType": "DAYSAFTERINVOICEDATE",
                "StartDate": xero_date(calendar.date_only_ms(month_start(template.start_month))),
            }
            if ended and client.churn_month is not None:
                schedule["EndDate"] = xero_date(calendar.date_only_ms(month_start(client.churn_month - 1)))
            if not ended or (client.churn_month is not None and next_month < client.churn_month):
                schedule["NextScheduledDate"] = xero_date(calendar.date_only_ms(month_start(next_month)))
            doc_id = guid(self._seed, template.key)
            out.append(
                self._document(
                    doc_id,
                    changed,
                    {
                        "RepeatingInvoiceID": doc_id,
                        "ID": doc_id,
                        "Type": "ACCREC",
                        "Contact": self._contact_ref(client.key),
                        "Schedule": schedule,
                        "LineItems": [self._line(doc_id, i, line) for i, line in enumerate(template.lines)],
                        "LineAmountTypes": "Exclusive",
                        "Reference": "Managed services",
                        "CurrencyCode": client.currency,
                        "Status": "AUTHORISED",
                        "SubTotal": _money(subtotal),
                        "TotalTax": _money(tax),
                        "Total": _money(subtotal + tax),
                        "HasAttachments": False,
                        "ApprovedForSending": True,
                        "SendCopy": False,
                        "MarkAsSent": False,
                        "IncludePDF": True,
                    },
                )
            )
        return out

    def _manual_journals(self) -> list[XeroDocument]:
        return [self._manual_journal(journal) for journal in self._ledger.manual_journals]

    def _manual_journal(self, journal: ManualJournalFact) -> XeroDocument:
        status, changed = journal.status_at(self._now)
        journal_id = guid(self._seed, journal.key)
        lines = []
        for line in journal.lines:
            lines.append(
                {
                    "LineAmount": _money(line.amount),
                    "AccountCode": line.account_code,
                    "AccountID": _static_guid(self._seed, ("account", line.account_code)),
                    "Description": line.description,
                    "TaxType": "NONE",
                    "TaxAmount": 0.0,
                    "Tracking": [],
                }
            )
        body = {
            "ManualJournalID": journal_id,
            "Narration": journal.narration,
            "Date": xero_date(self._timeline.calendar.date_only_ms(journal.day)),
            "Status": status,
            "LineAmountTypes": "NoTax",
            "ShowOnCashBasisReports": False,
            "HasAttachments": False,
            "UpdatedDateUTC": xero_date(changed),
            "JournalLines": lines,
        }
        return self._document(journal_id, changed, body)

    def _accounts(self) -> list[XeroDocument]:
        out = []
        for account in ACCOUNTS:
            account_id = _static_guid(self._seed, ("account", account.code))
            body: dict[str, Any] = {
                "AccountID": account_id,
                "Code": account.code,
                "Name": account.name,
                "Type": account.type,
                "Status": "ACTIVE",
                "Class": account.klass,
                "TaxType": account.tax_type,
                "EnablePaymentsToAccount": False,
                "ShowInExpenseClaims": account.klass == "EXPENSE",
                "ReportingCode": account.klass[:3],
                "HasAttachments": False,
                "AddToWatchlist": False,
                "UpdatedDateUTC": xero_date(self._setup_ms),
            }
            if account.system_account:
                body["SystemAccount"] = account.system_account
            if account.type == "BANK":
                body.update(
                    {"BankAccountNumber": "021000021-4400", "BankAccountType": "BANK", "CurrencyCode": "USD"}
                )
            out.append(self._document(account_id, self._setup_ms, body))
        return out

    def _items(self) -> list[XeroDocument]:
        out = []
        for item in SERVICE_ITEMS.values():
            item_id = guid(self._seed, ("item", item.code))
            out.append(
                self._document(
                    item_id,
                    self._setup_ms,
                    {
                        "ItemID": item_id,
                        "Code": item.code,
                        "Name": item.name,
                        "Description": item.description,
                        "IsSold": True,
                        "IsPurchased": False,
                        "IsTrackedAsInventory": False,
                        "SalesDetails": {"AccountCode": item.account, "TaxType": "OUTPUT"},
                        "UpdatedDateUTC": xero_date(self._setup_ms),
                    },
                )
            )
        return out

    def _tracking_categories(self) -> list[XeroDocument]:
        clients = self._ledger.clients
        latest_client = max((c.created_ms for c in clients), default=self._setup_ms)
        categories = (
            (TRACKING_SERVICE_LINE, SERVICE_LINES, self._setup_ms),
            (TRACKING_CLIENT, tuple(c.name for c in clients), max(self._setup_ms, latest_client)),
        )
        out = []
        for name, options, changed in categories:
            category_id = guid(self._seed, ("tracking", name))
            out.append(
                self._document(
                    category_id,
                    changed,
                    {
                        "TrackingCategoryID": category_id,
                        "Name": name,
                        "Status": "ACTIVE",
                        "Options": [
                            {
                                "TrackingOptionID": guid(self._seed, ("tracking", name, option)),
                                "Name": option,
                                "Status": "ACTIVE",
                                "TrackingCategoryID": category_id,
                            }
                            for option in options
                        ],
                    },
                )
            )
        return out

    def _currencies(self) -> list[XeroDocument]:
        return [
            self._document(code, self._setup_ms, {"Code": code, "Description": description})
            for code, description in CURRENCIES
        ]

    # -- organisation and reports ------------------------------------------------------------
    def organisation(self) -> dict[str, Any]:
        """The ``Organisations[0]`` element."""
        timezone = XERO_TIMEZONES.get(self._timeline.calendar.zone.key, "EASTERNSTANDARDTIME")
        return {
            "OrganisationID": guid(self._seed, ("organisation",)),
            "APIKey": "",
            "Name": ORGANISATION_NAME,
            "LegalName": f"{ORGANISATION_NAME} LLC",
            "PaysTax": True,
            "Version": "US",
            "OrganisationType": "COMPANY",
            "BaseCurrency": "USD",
            "CountryCode": "US",
            "IsDemoCompany": False,
            "OrganisationStatus": "ACTIVE",
            "FinancialYearEndDay": 31,
            "FinancialYearEndMonth": 12,
            "SalesTaxBasis": "ACCRUALS",
            "SalesTaxPeriod": "MONTHLY",
            "DefaultSalesTax": "Tax Exclusive",
            "DefaultPurchasesTax": "Tax Exclusive",
            "CreatedDateUTC": xero_date(self._setup_ms),
            "Timezone": timezone,
            "OrganisationEntityType": "COMPANY",
            "ShortCode": "!nB7xQ",
            "Class": "PREMIUM",
            "Edition": "BUSINESS",
            "LineOfBusiness": "IT Managed Services",
            "Addresses": [],
            "Phones": [],
            "ExternalLinks": [],
            "PaymentTerms": {},
        }

    def profit_and_loss(
        self, from_date: date, to_date: date, comparisons: int = 0, months_per_period: int = 1
    ) -> dict[str, Any]:
        """``Reports[0]`` of ``GET /Reports/ProfitAndLoss`` (accrual basis, home currency).

        One amount column for ``[from_date, to_date]``, then ``comparisons`` more, each
        ``months_per_period`` months earlier than the one before (Xero's ``periods`` and
        ``timeframe``), most recent first. An account appears when any column has an amount.
        """
        periods = [
            (_shift_months(from_date, -k * months_per_period), _shift_months(to_date, -k * months_per_period))
            for k in range(comparisons + 1)
        ]
        totals = [ledger_totals_by_account(self._ledger, self._now, start, end) for start, end in periods]

        def cells(values: list[float], attrs: list[dict[str, str]] | None = None) -> list[dict[str, Any]]:
            extra = {"Attributes": attrs} if attrs else {}
            return [{"Value": f"{value:.2f}", **extra} for value in values]

        def section(
            title: str, types: frozenset[str], total_label: str
        ) -> tuple[dict[str, Any], list[float]]:
            rows, sums = [], [0.0] * len(periods)
            for account in ACCOUNTS:
                if account.type not in types or not any(account.code in column for column in totals):
                    continue
                values = [round(column.get(account.code, 0.0), 2) for column in totals]
                sums = [a + b for a, b in zip(sums, values, strict=True)]
                attrs = [{"Value": _static_guid(self._seed, ("account", account.code)), "Id": "account"}]
                label = {"Value": account.name, "Attributes": attrs}
                rows.append({"RowType": "Row", "Cells": [label, *cells(values, attrs)]})
            sums = [round(value, 2) for value in sums]
            rows.append({"RowType": "SummaryRow", "Cells": [{"Value": total_label}, *cells(sums)]})
            return {"RowType": "Section", "Title": title, "Rows": rows}, sums

        income, income_total = section("Income", REVENUE_TYPES, "Total Income")
        cost, cost_total = section("Less Cost of Sales", DIRECT_COST_TYPES, "Total Cost of Sales")
        overhead, overhead_total = section(
            "Less Operating Expenses", OVERHEAD_TYPES, "Total Operating Expenses"
        )
        gross = [round(i - c, 2) for i, c in zip(income_total, cost_total, strict=True)]
        net = [round(g - o, 2) for g, o in zip(gross, overhead_total, strict=True)]

        def summary(label: str, values: list[float]) -> dict[str, Any]:
            return {
                "RowType": "Section",
                "Title": "",
                "Rows": [{"RowType": "SummaryRow", "Cells": [{"Value": label}, *cells(values)]}],
            }

        period = f"{from_date.day} {from_date:%B %Y} to {to_date.day} {to_date:%B %Y}"
        as_of = self._timeline.calendar.local_day(self._now - 1)
        header = [{"Value": f"{end.day} {end:%b %y}"} for _, end in periods]
        return {
            "ReportID": "ProfitAndLoss",
            "ReportName": "Profit and Loss",
            "ReportType": "ProfitAndLoss",
            "ReportTitles": ["Profit & Loss", ORGANISATION_NAME, f"For the period {period}"],
            "ReportDate": f"{as_of.day} {as_of:%B %Y}",
            "UpdatedDateUTC": xero_date(self._now - 1),
            "Fields": [],
            "Rows": [
                {"RowType": "Header", "Cells": [{"Value": ""}, *header]},
                income,
                cost,
                summary("Gross Profit", gross),
                overhead,
                summary("Net Profit", net),
            ],
        }


def _shift_months(day: date, months: int) -> date:
    """``day`` moved by whole months; a month's last day stays its month's last day (31 Mar -> 28 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    was_last = day.day == calendar.monthrange(day.year, day.month)[1]
    return date(year, month + 1, last if was_last else min(day.day, last))


def ledger_totals_by_account(ledger: Ledger, now_ms: int, from_date: date, to_date: date) -> dict[str, float]:
    """Home-currency P&L totals per account code over ``[from_date, to_date]`` by document ``Date``.

    Computed from the documents and the manual-journal model, independently of the journals
    (``general_ledger``), so the two can check each other. Income: AUTHORISED/PAID ACCREC lines
    minus AUTHORISED/PAID ACCRECCREDIT lines. Costs: AUTHORISED/PAID ACCPAY lines and AUTHORISED
    SPEND lines. Each line is exclusive of tax and counted as ``round(LineAmount / CurrencyRate, 2)``
    (Xero posts journal lines in the base currency at 2 dp). Plus the P&L lines of POSTED manual
    journals by their ``Date``: income accounts credit-positive, cost accounts debit-positive.
    """
    totals: dict[str, int] = {}
    for doc in ledger.docs:
        if not from_date <= doc.day <= to_date or doc.status_at(now_ms)[0] not in COUNTED_STATUSES:
            continue
        sign = -1 if doc.kind == "ACCRECCREDIT" else 1
        for line in doc.lines:
            code = line.account_code
            totals[code] = totals.get(code, 0) + sign * cents(line.line_amount, doc.rate)
    for journal in ledger.manual_journals:
        if not from_date <= journal.day <= to_date or journal.status_at(now_ms)[0] != "POSTED":
            continue
        for mj_line in journal.lines:
            account = ACCOUNTS_BY_CODE[mj_line.account_code]
            if account.type not in PNL_TYPES:
                continue
            sign = -1 if account.type in REVENUE_TYPES else 1
            totals[account.code] = totals.get(account.code, 0) + sign * cents(mj_line.amount)
    return {code: value / 100 for code, value in totals.items()}
