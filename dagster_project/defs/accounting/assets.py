"""Xero Accounting: one landing asset per raw table, grouped per stream (see ``defs/streams.py``)."""

import dagster as dg

from dagster_project.defs.streams import stream_assets

XERO_STREAMS = {
    "accounts": ("accounts",),
    "items": ("items",),
    "tracking_categories": ("tracking_categories", "tracking_options"),
    "currencies": ("currencies",),
    "contacts": ("contacts",),
    "invoices": ("invoices", "invoice_line_items"),
    "credit_notes": ("credit_notes", "credit_note_line_items"),
    "payments": ("payments",),
    "bank_transactions": ("bank_transactions", "bank_transaction_line_items"),
    "repeating_invoices": ("repeating_invoices", "repeating_invoice_line_items"),
}
"""Stream -> raw tables, as documented in docs/raw-tables.md."""


@dg.definitions
def xero_assets() -> dg.Definitions:
    return dg.Definitions(assets=stream_assets("xero", "xero", XERO_STREAMS))
