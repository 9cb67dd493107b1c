"""Every Xero endpoint we read and the raw tables it lands in, declared as data.

Columns use the API's own PascalCase names (see :mod:`connectors.columns` for how a declaration
becomes both the decoding schema and the raw table's Arrow schema); ``connectors.xero.records``
turns pages into batches from these declarations.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from connectors.base import TableSpec
from connectors.columns import Column, Table, columns


@dataclass(frozen=True)
class Child:
    """A list inside each parent document landing in its own table (line items, tracking options).

    ``parent_columns`` are copied from the parent onto each child row (its id, its version).
    ``position_column`` (when set) numbers each item by its place in the list, from 0: the key of
    lists whose items carry no id of their own (manual journal lines).
    """

    list_field: str
    table: Table
    parent_columns: tuple[str, ...]
    position_column: str | None = None


@dataclass(frozen=True)
class Endpoint:
    """One ``GET /{path}`` collection read as one stream.

    ``paged``: 1-based ``page``/``pageSize``. ``offset_column``: Xero's other paging, ``offset=N``
    answers the records whose ``offset_column`` (an ascending integer) is above N; the highest one
    landed is the stream's cursor (``/Journals`` by ``JournalNumber``).
    """

    stream: str
    path: str
    table: Table
    status_column: str | None = "Status"
    paged: bool = False
    modified_since: bool = True
    offset_column: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    children: tuple[Child, ...] = ()

    @property
    def specs(self) -> tuple[TableSpec, ...]:
        """The tables the stream writes: the collection's own, then one per child list."""
        return (self.table.spec, *(child.table.spec for child in self.children))

    @property
    def incremental(self) -> bool:
        """Reads only what changed: by ``If-Modified-Since`` or by offset."""
        return self.modified_since or self.offset_column is not None

    @property
    def id_column(self) -> str:
        return self.table.primary_key[0]

    @property
    def what(self) -> str:
        """``invoices GET /Invoices``: how messages about this stream name it and its endpoint."""
        return f"{self.stream} GET /{self.path.lstrip('/')}"


def _contact() -> tuple[Column, ...]:
    return (Column("ContactID", path="Contact.ContactID"), Column("ContactName", path="Contact.Name"))


def _tracking(list_field: str) -> tuple[Column, ...]:
    """A line's two tracking categories (Xero allows at most two), flattened to four columns."""
    return (
        Column("TrackingCategory1", path=f"{list_field}[0].Name"),
        Column("TrackingOption1", path=f"{list_field}[0].Option"),
        Column("TrackingCategory2", path=f"{list_field}[1].Name"),
        Column("TrackingOption2", path=f"{list_field}[1].Option"),
    )


def _lines_of(table_name: str, parent_id: str, *, versioned: bool = True) -> Child:
    """Line items of invoices, credit notes, bank transactions and repeating invoices share a shape.

    The parent's id (and version, where it has one) is copied onto each line: lines are re-sent
    whole with their parent, so the table is replaced per parent id.
    """
    parents = (parent_id, "UpdatedDateUTC") if versioned else (parent_id,)
    table = Table(
        name=table_name,
        columns=(
            Column(parent_id),
            Column("LineItemID"),
            *columns("ItemCode Description", "string"),
            *columns("Quantity UnitAmount LineAmount TaxAmount", "float"),
            *columns("TaxType AccountCode AccountID", "string"),
            *columns("DiscountRate DiscountAmount", "float"),
            *_tracking("Tracking"),
            *((Column("UpdatedDateUTC", "timestamp"),) if versioned else ()),
        ),
        primary_key=(parent_id, "LineItemID"),
        version_column="UpdatedDateUTC" if versioned else None,
        replace_by=(parent_id,),
    )
    return Child("LineItems", table, parents)


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "accounts",
        "Accounts",
        Table(
            "accounts",
            (
                *columns("AccountID Code Name Type Class Status Description TaxType CurrencyCode", "string"),
                *columns("BankAccountNumber BankAccountType", "string"),
                *columns("EnablePaymentsToAccount ShowInExpenseClaims", "bool"),
                *columns("SystemAccount ReportingCode ReportingCodeName", "string"),
                Column("HasAttachments", "bool"),
                Column("UpdatedDateUTC", "timestamp"),
            ),
            ("AccountID",),
            "UpdatedDateUTC",
        ),
    ),
    Endpoint(
        "items",
        "Items",
        Table(
            "items",
            (
                *columns("ItemID Code Name Description PurchaseDescription", "string"),
                *columns("IsSold IsPurchased IsTrackedAsInventory", "bool"),
                Column("SalesUnitPrice", "float", "SalesDetails.UnitPrice"),
                Column("SalesAccountCode", path="SalesDetails.AccountCode"),
                Column("SalesTaxType", path="SalesDetails.TaxType"),
                Column("PurchaseUnitPrice", "float", "PurchaseDetails.UnitPrice"),
                Column("PurchaseAccountCode", path="PurchaseDetails.AccountCode"),
                Column("PurchaseTaxType", path="PurchaseDetails.TaxType"),
                Column("UpdatedDateUTC", "timestamp"),
            ),
            ("ItemID",),
            "UpdatedDateUTC",
        ),
        status_column=None,
    ),
    Endpoint(
        "tracking_categories",
        "TrackingCategories",
        Table(
            "tracking_categories",
            columns("TrackingCategoryID Name Status", "string"),
            ("TrackingCategoryID",),
        ),
        modified_since=False,
        params={"includeArchived": "true"},
        children=(
            Child(
                "Options",
                Table(
                    "tracking_options",
                    columns("TrackingCategoryID TrackingOptionID Name Status", "string"),
                    ("TrackingCategoryID", "TrackingOptionID"),
                    replace_by=("TrackingCategoryID",),
                ),
                ("TrackingCategoryID",),
            ),
        ),
    ),
    Endpoint(
        "currencies",
        "Currencies",
        Table("currencies", columns("Code Description", "string"), ("Code",)),
        status_column=None,
        modified_since=False,
    ),
    Endpoint(
        "contacts",
        "Contacts",
        Table(
            "contacts",
            (
                *columns(
                    "ContactID ContactNumber AccountNumber ContactStatus Name FirstName LastName", "string"
                ),
                *columns("EmailAddress CompanyNumber TaxNumber", "string"),
                *columns("IsCustomer IsSupplier", "bool"),
                *columns("DefaultCurrency Website MergedToContactID", "string"),
                Column("UpdatedDateUTC", "timestamp"),
            ),
            ("ContactID",),
            "UpdatedDateUTC",
        ),
        status_column="ContactStatus",
        paged=True,
        params={"includeArchived": "true"},
    ),
    Endpoint(
        "invoices",
        "Invoices",
        Table(
            "invoices",
            (
                *columns("InvoiceID Type InvoiceNumber Reference Status", "string"),
                *_contact(),
                *columns("Date DueDate ExpectedPaymentDate PlannedPaymentDate FullyPaidOnDate", "date"),
                *columns("LineAmountTypes CurrencyCode", "string"),
                *columns("CurrencyRate SubTotal TotalTax Total TotalDiscount", "float"),
                *columns("AmountDue AmountPaid AmountCredited", "float"),
                *columns("SentToContact HasAttachments IsDiscounted", "bool"),
                *columns("RepeatingInvoiceID BrandingThemeID", "string"),
                Column("UpdatedDateUTC", "timestamp"),
            ),
            ("InvoiceID",),
            "UpdatedDateUTC",
        ),
        paged=True,
        children=(_lines_of("invoice_line_items", "InvoiceID"),),
    ),
    Endpoint(
        "credit_notes",
        "CreditNotes",
        Table(
            "credit_notes",
            (
                *columns("CreditNoteID CreditNoteNumber Type Status Reference", "string"),
                *_contact(),
                *columns("Date DueDate FullyPaidOnDate", "date"),
                *columns("LineAmountTypes CurrencyCode", "string"),
                *columns("CurrencyRate SubTotal TotalTax Total RemainingCredit AppliedAmount", "float"),
                *columns("SentToContact HasAttachments", "bool"),
                Column("BrandingThemeID"),
                Column("UpdatedDateUTC", "timestamp"),
            ),
            ("CreditNoteID",),
            "UpdatedDateUTC",
        ),
        paged=True,
        children=(_lines_of("credit_note_line_items", "CreditNoteID"),),
    ),
    Endpoint(
        "payments",
        "Payments",
        Table(
            "payments",
            (
                *columns("PaymentID PaymentType Status", "string"),
                Column("Date", "date"),
                *columns("Amount BankAmount CurrencyRate", "float"),
                Column("Reference"),
                Column("IsReconciled", "bool"),
                Column("InvoiceID", path="Invoice.InvoiceID"),
                Column("InvoiceNumber", path="Invoice.InvoiceNumber"),
                Column("InvoiceType", path="Invoice.Type"),
                Column("CreditNoteID", path="CreditNote.CreditNoteID"),
                Column("CreditNoteNumber", path="CreditNote.CreditNoteNumber"),
                Column("AccountID", path="Account.AccountID"),
                Column("AccountCode", path="Account.Code"),
                Column("BatchPaymentID"),
                Column("UpdatedDateUTC", "timestamp"),
            ),
            ("PaymentID",),
            "UpdatedDateUTC",
        ),
        paged=True,
    ),
    Endpoint(
        "bank_transactions",
        "BankTransactions",
        Table(
            "bank_transactions",
            (
                *columns("BankTransactionID Type Status Reference", "string"),
                *_contact(),
                Column("BankAccountID", path="BankAccount.AccountID"),
                Column("BankAccountCode", path="BankAccount.Code"),
                Column("BankAccountName", path="BankAccount.Name"),
                Column("Date", "date"),
                *columns("LineAmountTypes CurrencyCode", "string"),
                *columns("CurrencyRate SubTotal TotalTax Total", "float"),
                *columns("IsReconciled HasAttachments", "bool"),
                Column("UpdatedDateUTC", "timestamp"),
            ),
            ("BankTransactionID",),
            "UpdatedDateUTC",
        ),
        paged=True,
        children=(_lines_of("bank_transaction_line_items", "BankTransactionID"),),
    ),
    Endpoint(
        "repeating_invoices",
        "RepeatingInvoices",
        Table(
            "repeating_invoices",
            (
                *columns("RepeatingInvoiceID Type Status Reference", "string"),
                *_contact(),
                Column("SchedulePeriod", "int", "Schedule.Period"),
                Column("ScheduleUnit", path="Schedule.Unit"),
                Column("ScheduleDueDate", "int", "Schedule.DueDate"),
                Column("ScheduleDueDateType", path="Schedule.DueDateType"),
                Column("ScheduleStartDate", "date", "Schedule.StartDate"),
                Column("ScheduleNextScheduledDate", "date", "Schedule.NextScheduledDate"),
                Column("ScheduleEndDate", "date", "Schedule.EndDate"),
                *columns("LineAmountTypes CurrencyCode", "string"),
                *columns("SubTotal TotalTax Total", "float"),
                *columns("ApprovedForSending SendCopy MarkAsSent IncludePDF HasAttachments", "bool"),
            ),
            ("RepeatingInvoiceID",),
        ),
        modified_since=False,
        children=(_lines_of("repeating_invoice_line_items", "RepeatingInvoiceID", versioned=False),),
    ),
    Endpoint(
        "journals",
        "Journals",
        Table(
            "journals",
            (
                Column("JournalID"),
                Column("JournalDate", "date"),
                Column("JournalNumber", "int"),
                Column("CreatedDateUTC", "timestamp"),
                *columns("Reference SourceID SourceType", "string"),
            ),
            ("JournalID",),
        ),
        status_column=None,
        modified_since=False,
        offset_column="JournalNumber",
        children=(
            Child(
                "JournalLines",
                Table(
                    "journal_lines",
                    (
                        Column("JournalID"),
                        Column("JournalLineID"),
                        *columns("AccountID AccountCode AccountType AccountName Description", "string"),
                        *columns("NetAmount GrossAmount TaxAmount", "float"),
                        *columns("TaxType TaxName", "string"),
                        *_tracking("TrackingCategories"),
                    ),
                    ("JournalID", "JournalLineID"),
                    replace_by=("JournalID",),
                ),
                ("JournalID",),
            ),
        ),
    ),
    Endpoint(
        "manual_journals",
        "ManualJournals",
        Table(
            "manual_journals",
            (
                *columns("ManualJournalID Narration", "string"),
                Column("Date", "date"),
                *columns("Status LineAmountTypes", "string"),
                *columns("ShowOnCashBasisReports HasAttachments", "bool"),
                Column("UpdatedDateUTC", "timestamp"),
            ),
            ("ManualJournalID",),
            "UpdatedDateUTC",
        ),
        paged=True,
        children=(
            Child(
                "JournalLines",
                Table(
                    "manual_journal_lines",
                    (
                        Column("ManualJournalID"),
                        Column("LineNumber", "int"),
                        Column("LineAmount", "float"),
                        *columns("AccountCode AccountID Description TaxType", "string"),
                        Column("TaxAmount", "float"),
                        *_tracking("Tracking"),
                        Column("UpdatedDateUTC", "timestamp"),
                    ),
                    ("ManualJournalID", "LineNumber"),
                    version_column="UpdatedDateUTC",
                    replace_by=("ManualJournalID",),
                ),
                ("ManualJournalID", "UpdatedDateUTC"),
                position_column="LineNumber",
            ),
        ),
    ),
)
