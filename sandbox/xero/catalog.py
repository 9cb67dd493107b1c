"""The accounting set-up of the simulated MSP: chart of accounts, items, suppliers, currencies, GUIDs.

These are the static reference data of the Xero organisation. Account types follow Xero's
``AccountType`` enum so the marts can classify them the way real ledgers are classified:
REVENUE for income, DIRECTCOSTS for cost of sales, OVERHEADS for operating expenses.
"""

from __future__ import annotations

import hashlib
import math
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sandbox.simulation.clock import rng_for
from sandbox.simulation.params import MANUAL_JOURNALS, OVERHEADS

_NAMESPACE = uuid.UUID("6f1c2e1a-94f3-4c55-9a0e-6c1c3c1b7a10").bytes


def guid(seed: int, key: tuple[Any, ...]) -> str:
    """A deterministic Xero GUID for an internal key: ``uuid5(namespace, f"{seed}:{key!r}")``.

    Spelled out instead of calling ``uuid.uuid5`` because a large sandbox mints millions of line
    item ids and the ``UUID`` object round trip tripled the cost.
    """
    digest = bytearray(hashlib.sha1(_NAMESPACE + f"{seed}:{key!r}".encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@dataclass(frozen=True)
class Account:
    """One account of the chart (``type`` is Xero's AccountType, ``klass`` its Class).

    ``system_account`` is Xero's ``SystemAccount`` (debtors, creditors, sales tax). The three
    semantic attributes classify P&L accounts for the ground truth only (the pipeline keeps its own
    editable map): ``statement_line`` (revenue, other_income, cost_of_sales, operating_expenses,
    depreciation_amortisation, interest, income_tax), ``line_of_business`` (managed_services,
    projects, product_resale, shared) and ``cost_type`` (revenue, labour, tools_and_licences,
    hardware_cogs, subcontractors, sales_and_marketing, general_and_admin, depreciation,
    amortisation, interest, tax). Balance-sheet accounts have none of them.
    """

    code: str
    name: str
    type: str
    klass: str
    tax_type: str
    statement_line: str | None = None
    line_of_business: str | None = None
    cost_type: str | None = None
    system_account: str | None = None


_REV = ("revenue", "managed_services", "revenue")
_SGA = ("operating_expenses", "shared", "general_and_admin")
_SSM = ("operating_expenses", "shared", "sales_and_marketing")
ACCOUNTS: tuple[Account, ...] = (
    Account("090", "Business Checking", "BANK", "ASSET", "NONE"),
    Account("610", "Accounts Receivable", "CURRENT", "ASSET", "NONE", system_account="DEBTORS"),
    Account("720", "Accumulated Depreciation", "FIXED", "ASSET", "NONE"),
    Account("800", "Accounts Payable", "CURRLIAB", "LIABILITY", "NONE", system_account="CREDITORS"),
    Account("820", "Sales Tax Payable", "CURRLIAB", "LIABILITY", "NONE", system_account="GST"),
    Account("825", "Accrued Liabilities", "CURRLIAB", "LIABILITY", "NONE"),
    Account("4000", "Managed Services Revenue", "REVENUE", "REVENUE", "OUTPUT", *_REV),
    Account("4100", "Project Revenue", "REVENUE", "REVENUE", "OUTPUT", "revenue", "projects", "revenue"),
    Account(
        "4200",
        "Cloud & Licensing Revenue",
        "REVENUE",
        "REVENUE",
        "OUTPUT",
        "revenue",
        "product_resale",
        "revenue",
    ),
    Account("4300", "Security Services Revenue", "REVENUE", "REVENUE", "OUTPUT", *_REV),
    Account(
        "5000",
        "Licences Resold",
        "DIRECTCOSTS",
        "EXPENSE",
        "NONE",
        "cost_of_sales",
        "product_resale",
        "tools_and_licences",
    ),
    Account(
        "5050",
        "Security Tooling Resold",
        "DIRECTCOSTS",
        "EXPENSE",
        "NONE",
        "cost_of_sales",
        "managed_services",
        "tools_and_licences",
    ),
    Account(
        "5100",
        "Contractor Costs",
        "DIRECTCOSTS",
        "EXPENSE",
        "NONE",
        "cost_of_sales",
        "projects",
        "subcontractors",
    ),
    Account(
        "5200",
        "Hardware for Resale",
        "DIRECTCOSTS",
        "EXPENSE",
        "NONE",
        "cost_of_sales",
        "product_resale",
        "hardware_cogs",
    ),
    Account(
        "5300",
        "Technician Wages",
        "DIRECTCOSTS",
        "EXPENSE",
        "NONE",
        "cost_of_sales",
        "managed_services",
        "labour",
    ),
    Account("6000", "Wages and Salaries - Admin", "OVERHEADS", "EXPENSE", "NONE", *_SGA),
    Account("6010", "Wages and Salaries - Sales", "OVERHEADS", "EXPENSE", "NONE", *_SSM),
    Account("6100", "Rent", "OVERHEADS", "EXPENSE", "NONE", *_SGA),
    Account("6200", "Software Subscriptions", "OVERHEADS", "EXPENSE", "NONE", *_SGA),
    Account("6300", "Insurance", "OVERHEADS", "EXPENSE", "NONE", *_SGA),
    Account("6410", "Marketing - Website & Paid Search", "OVERHEADS", "EXPENSE", "NONE", *_SSM),
    Account("6420", "Marketing - Events", "OVERHEADS", "EXPENSE", "NONE", *_SSM),
    Account("6430", "Marketing - Partner Commissions", "OVERHEADS", "EXPENSE", "NONE", *_SSM),
    Account("6440", "Marketing - Referral Rewards", "OVERHEADS", "EXPENSE", "NONE", *_SSM),
    Account("6450", "Marketing - Outbound Tools", "OVERHEADS", "EXPENSE", "NONE", *_SSM),
    Account(
        "6500",
        "Depreciation",
        "DEPRECIATN",
        "EXPENSE",
        "NONE",
        "depreciation_amortisation",
        "shared",
        "depreciation",
    ),
    Account("6600", "Accounting Fees", "OVERHEADS", "EXPENSE", "NONE", *_SGA),
)
ACCOUNTS_BY_CODE = {a.code: a for a in ACCOUNTS}
REVENUE_TYPES = frozenset({"REVENUE", "SALES", "OTHERINCOME"})
DIRECT_COST_TYPES = frozenset({"DIRECTCOSTS"})
OVERHEAD_TYPES = frozenset({"OVERHEADS", "EXPENSE", "DEPRECIATN"})
BANK_ACCOUNT = ACCOUNTS_BY_CODE["090"]
RECEIVABLES_ACCOUNT = ACCOUNTS_BY_CODE["610"]
PAYABLES_ACCOUNT = ACCOUNTS_BY_CODE["800"]
SALES_TAX_ACCOUNT = ACCOUNTS_BY_CODE["820"]
PNL_TYPES = REVENUE_TYPES | DIRECT_COST_TYPES | OVERHEAD_TYPES
"""Account types of the profit and loss (everything else is balance sheet)."""


@dataclass(frozen=True)
class ServiceItem:
    """A sales item: its code, the revenue account it posts to and its service line."""

    code: str
    name: str
    description: str
    account: str
    service_line: str
    recurring: bool


SERVICE_ITEMS: dict[str, ServiceItem] = {
    i.code: i
    for i in (
        ServiceItem(
            "MS-SUPPORT",
            "Managed IT Support",
            "Managed IT support - per user per month",
            "4000",
            "Managed Services",
            True,
        ),
        ServiceItem(
            "CL-M365",
            "Microsoft 365 Licences",
            "Microsoft 365 and cloud licences - monthly",
            "4200",
            "Cloud & Licensing",
            True,
        ),
        ServiceItem(
            "SEC-EDR",
            "Managed Security",
            "Endpoint detection & response, security monitoring",
            "4300",
            "Security",
            True,
        ),
        ServiceItem("PRJ-FIXED", "Project Services", "Fixed-fee project services", "4100", "Projects", False),
    )
}
SERVICE_LINES = ("Managed Services", "Projects", "Cloud & Licensing", "Security")
TRACKING_SERVICE_LINE = "Service Line"
TRACKING_CLIENT = "Client"

SUPPLIERS: dict[str, str] = {
    "5000": "Pax8 Distribution",
    "5050": "Pax8 Distribution",
    "5100": "Apex Contract Engineers",
    "5200": "CDW Direct",
    "6410": "Google Ads",
    "6420": "Regional Tech Expo",
    "6430": "Partner Commissions Clearing",
    "6440": "Referral Rewards Clearing",
    "6450": "Apollo.io",
    "6600": MANUAL_JOURNALS.accounting_fee_supplier,
}
"""Supplier contact name by the account its costs post to (overhead suppliers live in params)."""
SUPPLIER_NAMES: tuple[str, ...] = tuple(sorted({*SUPPLIERS.values(), *(o.supplier for o in OVERHEADS)}))
"""Every supplier contact of the organisation."""

CURRENCIES = (("USD", "United States Dollar"), ("CAD", "Canadian Dollar"))
XERO_TIMEZONES = {
    "America/New_York": "EASTERNSTANDARDTIME",
    "America/Toronto": "EASTERNSTANDARDTIME",
    "America/Chicago": "CENTRALSTANDARDTIME",
    "America/Denver": "MOUNTAINSTANDARDTIME",
    "America/Phoenix": "USMOUNTAINSTANDARDTIME",
    "America/Los_Angeles": "PACIFICSTANDARDTIME",
    "America/Vancouver": "PACIFICSTANDARDTIME",
    "UTC": "UTC",
    "Etc/UTC": "UTC",
    "Europe/London": "GMTSTANDARDTIME",
}


def fx_rate(seed: int, day: date) -> float:
    """CAD per USD on a day (Xero: 1 home = CurrencyRate foreign): a slow cycle plus daily noise."""
    cycle = 0.05 * math.sin(2 * math.pi * day.toordinal() / 410.0)
    noise = rng_for(seed, "fx", day.toordinal()).uniform(-0.01, 0.01)
    return round(1.35 + cycle + noise, 4)
