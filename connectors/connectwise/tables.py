"""Every ConnectWise PSA endpoint we read and the raw table it lands in, declared as data.

Columns keep the API's camelCase names; a field of a reference object is flattened into its
parent (``company.id`` -> ``companyId``), and every table carries the record's ``_info``
``dateEntered`` and ``lastUpdated`` (the incremental cursor). Null fields are omitted by the API, so
every column but the id is nullable. Where the published spec types a field oddly it is kept as
sent and converted on landing: ``TimeEntry.hourlyCost`` is a string holding a number
(``decimal_text``), while ``Member.hourlyCost`` is a number.
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.base import TableSpec
from connectors.columns import Column, Table, columns

LAST_UPDATED = Column("lastUpdated", "timestamp", "_info.lastUpdated")
DATE_ENTERED = Column("dateEntered", "timestamp", "_info.dateEntered")


def ref(name: str, *fields: str) -> tuple[Column, ...]:
    """A reference object's fields as ``<name><Field>`` columns: ``ref("company", "id", "identifier")``."""
    return tuple(
        Column(
            f"{name}{field[0].upper()}{field[1:]}", "int" if field == "id" else "string", f"{name}.{field}"
        )
        for field in fields
    )


@dataclass(frozen=True)
class Endpoint:
    """One ``GET /{path}`` list read as one stream, incrementally by ``lastUpdated``.

    ``deleted_flag``: a boolean field that soft-deletes the record (companies' ``deletedFlag``),
    landed as ``_is_deleted``; records without one are only ever hard-deleted.
    """

    stream: str
    path: str
    table: Table
    deleted_flag: str | None = None

    @property
    def spec(self) -> TableSpec:
        return self.table.spec

    @property
    def what(self) -> str:
        """``time_entries GET /time/entries``: how messages name the stream and its endpoint."""
        return f"{self.stream} GET /{self.path.lstrip('/')}"


def _flat(declared: tuple[Column | tuple[Column, ...], ...]) -> tuple[Column, ...]:
    return tuple(column for item in declared for column in (item if isinstance(item, tuple) else (item,)))


def _table(name: str, *declared: Column | tuple[Column, ...], **merge: tuple[str, ...]) -> Table:
    """A table keyed by the record's ``id``, newest ``lastUpdated`` winning a merge."""
    return Table(
        name,
        (Column("id", "int"), *_flat(declared), DATE_ENTERED, LAST_UPDATED),
        primary_key=("id",),
        version_column="lastUpdated",
        **merge,
    )


TIME_ENTRIES = Endpoint(
    "time_entries",
    "time/entries",
    _table(
        "time_entries",
        ref("company", "id", "identifier"),
        Column("chargeToType"),
        Column("chargeToId", "int"),
        ref("ticket", "id"),
        ref("project", "id"),
        ref("member", "id", "identifier"),
        ref("agreement", "id"),
        ref("workType", "id", "name"),
        ref("workRole", "id", "name"),
        columns("timeStart timeEnd", "timestamp"),
        columns(
            "actualHours hoursDeduct hoursBilled invoiceHours hourlyRate agreementHours agreementAmount "
            "extendedInvoiceAmount",
            "float",
        ),
        Column("hourlyCost", "decimal_text"),
        columns("billableOption status", "string"),
    ),
)

MEMBERS = Endpoint(
    "members",
    "system/members",
    _table(
        "members",
        columns("identifier firstName lastName", "string"),
        columns("hourlyCost hourlyRate dailyCapacity billableForecast", "float"),
        Column("inactiveFlag", "bool"),
        columns("inactiveDate hireDate", "timestamp"),
        ref("type", "name"),
    ),
)

COMPANIES = Endpoint(
    "companies",
    "company/companies",
    _table(
        "companies",
        columns("identifier name website accountNumber", "string"),
        ref("status", "name"),
        Column("typeName", path="types[0].name"),
        Column("deletedFlag", "bool"),
        columns("dateDeleted dateAcquired", "timestamp"),
    ),
    deleted_flag="deletedFlag",
)

AGREEMENTS = Endpoint(
    "agreements",
    "finance/agreements",
    _table(
        "agreements",
        Column("name"),
        ref("company", "id"),
        ref("type", "id", "name"),
        ref("parentAgreement", "id"),
        Column("agreementStatus"),
        Column("billAmount", "float"),
        ref("billingCycle", "name"),
        columns("startDate endDate dateCancelled", "timestamp"),
        columns("noEndingDateFlag cancelledFlag", "bool"),
        Column("applicationUnits"),
    ),
)

AGREEMENT_TYPES = Endpoint(
    "agreement_types",
    "finance/agreements/types",
    _table(
        "agreement_types", columns("name billTime applicationUnits", "string"), Column("inactiveFlag", "bool")
    ),
)

TICKETS = Endpoint(
    "tickets",
    "service/tickets",
    _table(
        "tickets",
        columns("summary recordType closedDate", "string"),
        ref("company", "id"),
        ref("board", "name"),
        ref("status", "name"),
        ref("type", "name"),
        ref("priority", "name"),
        ref("agreement", "id"),
        Column("closedFlag", "bool"),
        columns("actualHours budgetHours", "float"),
    ),
)

PROJECTS = Endpoint(
    "projects",
    "project/projects",
    _table(
        "projects",
        columns("name billingMethod", "string"),
        ref("company", "id"),
        ref("agreement", "id"),
        ref("status", "name"),
        columns("budgetHours actualHours", "float"),
        columns("estimatedStart actualStart actualEnd", "timestamp"),
        Column("closedFlag", "bool"),
    ),
)

WORK_ROLES = Endpoint(
    "work_roles",
    "time/workRoles",
    _table("work_roles", Column("name"), Column("hourlyRate", "float"), Column("inactiveFlag", "bool")),
)

WORK_TYPES = Endpoint(
    "work_types",
    "time/workTypes",
    _table(
        "work_types",
        columns("name billTime", "string"),
        Column("costMultiplier", "float"),
        columns("utilizationFlag inactiveFlag", "bool"),
    ),
)

ENDPOINTS: tuple[Endpoint, ...] = (
    MEMBERS,
    WORK_ROLES,
    WORK_TYPES,
    AGREEMENT_TYPES,
    COMPANIES,
    AGREEMENTS,
    PROJECTS,
    TICKETS,
    TIME_ENTRIES,
)
"""The lists read by ``lastUpdated``, in the order a run reads them (reference data first)."""

AGREEMENT_ADDITIONS = _table(
    "agreement_additions",
    Column("agreementId", "int"),
    ref("product", "id", "identifier"),
    Column("description"),
    columns("quantity lessIncluded unitPrice unitCost extPrice extCost margin", "float"),
    Column("billCustomer"),
    columns("effectiveDate cancelledDate", "timestamp"),
    replace_by=("agreementId",),
)
"""``/finance/agreements/{parentId}/additions``: there is no list across agreements, so additions are
read per agreement, each agreement's list whole (an addition missing from it was deleted)."""

TIME_ENTRY_IDS = Table(
    "time_entry_ids",
    (Column("id", "int"), Column("timeStartDay", "date")),
    primary_key=("id",),
    replace_by=("timeStartDay",),
)
"""The ids of the time entries that exist, listed for every UTC day of the deletion window: a stored
id of a listed day that the listing lacks was hard-deleted (marked ``_is_deleted`` here; the
staging model carries that onto the entry)."""
