"""The PSA model shaped as ConnectWise PSA's REST API returns it (API version 2025.8).

One list of JSON objects per entity, sorted by id, built on first request for the clock and kept
(the server pages through them many times). Null and empty fields are left out, as the API does;
every object carries ``_info`` with ``lastUpdated``/``dateEntered`` (whole seconds, UTC) and who
entered and updated it. Reference objects (``company``, ``member``...) are shared between records:
they are never mutated, and ``fields`` projections build new objects.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import Any

from sandbox.simulation.clock import cw_datetime, month_index, month_start
from sandbox.simulation.psa import PsaModel
from sandbox.simulation.psa.accounts import AgreementFact, CompanyFact
from sandbox.simulation.psa.catalog import (
    AGREEMENT_TYPES,
    BILLING_CYCLE_MONTHLY,
    INTERNAL_COMPANY_ID,
    MANAGED_SERVICES_TYPE,
    PROJECT_BOARD,
    SERVICE_BOARD,
    WORK_ROLES,
    WORK_TYPES,
)
from sandbox.simulation.psa.roster import MemberFact

Record = dict[str, Any]
_ENTERED_BY = "ServiceMgr"
_CURRENCIES = {
    "USD": {"id": 1, "currencyCode": "USD", "name": "US Dollar"},
    "CAD": {"id": 2, "currencyCode": "CAD", "name": "Canadian Dollar"},
}
_MEMBER_TYPES = {
    "technician": {"id": 1, "name": "Technician"},
    "staff": {"id": 2, "name": "Staff"},
    "api": {"id": 3, "name": "API"},
}


def _day(value: date) -> str:
    """A date-only value as ConnectWise sends it: midnight UTC."""
    return f"{value.isoformat()}T00:00:00Z"


def _info(entered_ms: int, updated_ms: int, by: str = _ENTERED_BY) -> dict[str, str]:
    return {
        "lastUpdated": cw_datetime(updated_ms),
        "updatedBy": by,
        "dateEntered": cw_datetime(entered_ms),
        "enteredBy": by,
    }


def _clean(record: Mapping[str, Any]) -> Record:
    """Drop null fields (the API omits them)."""
    return {key: value for key, value in record.items() if value is not None}


class ConnectwiseView:
    """Per-entity JSON records of one ``PsaModel`` (one clock reading)."""

    def __init__(self, psa: PsaModel) -> None:
        self.psa = psa
        self.now = psa.now_ms
        self._records: dict[str, list[Record]] = {}
        self._builders: dict[str, Callable[[], list[Record]]] = {
            "members": self._members,
            "companies": self._companies,
            "agreements": self._agreements,
            "additions": self._additions,
            "agreement_types": self._agreement_types,
            "projects": self._projects,
            "tickets": self._tickets,
            "time_entries": self._time_entries,
            "work_roles": self._work_roles,
            "work_types": self._work_types,
        }
        companies = {c.id: c for c in psa.companies}
        self._company_refs = {
            c.id: {"id": c.id, "identifier": c.identifier, "name": c.name} for c in companies.values()
        }
        self._member_refs = {
            m.id: {"id": m.id, "identifier": m.identifier, "name": f"{m.first_name} {m.last_name}"}
            for m in psa.members
        }
        self._agreement_refs = {
            a.id: {"id": a.id, "name": a.name, "type": "Managed Services"} for a in psa.agreements
        }
        self._project_refs = {p.id: {"id": p.id, "name": p.name} for p in psa.projects}
        self._role_refs = {r.id: {"id": r.id, "name": r.name} for r in WORK_ROLES}
        self._type_refs = {
            t.id: {"id": t.id, "name": t.name, "utilizationFlag": t.utilization} for t in WORK_TYPES
        }

    def records(self, entity: str) -> list[Record]:
        """The entity's records at the clock, sorted by id (``KeyError`` for an unknown entity)."""
        built = self._records.get(entity)
        if built is None:
            built = self._records[entity] = self._builders[entity]()
        return built

    def _updated(self, *moments: int | None) -> int:
        return max(ms for ms in moments if ms is not None and ms < self.now)

    def _members(self) -> list[Record]:
        out = []
        for member in self.psa.members:
            left = member.leave_ms is not None and member.leave_ms < self.now
            raises = [at for _, at, _ in member.rates]
            out.append(_clean(self._member(member, left, raises)))
        return out

    def _member(self, member: MemberFact, left: bool, raises: list[int]) -> Record:
        technician = member.is_technician
        today = self.psa.timeline.calendar.local_day(self.now - 1)
        return {
            "id": member.id,
            "identifier": member.identifier,
            "licenseClass": "A" if member.kind == "api" else "F",
            "firstName": member.first_name,
            "lastName": member.last_name,
            "title": member.title,
            "hireDate": _day(member.hire_day),
            "inactiveFlag": left,
            "inactiveDate": _day(member.leave_day) if left and member.leave_day else None,
            "defaultEmail": "Office",
            "primaryEmail": f"{member.first_name}.{member.last_name}@ourmsp.example".lower(),
            "defaultPhone": "Office",
            "securityRole": {
                "id": 3 if member.kind == "api" else 2,
                "name": "API Member" if member.kind == "api" else "Technician",
            },
            "type": _MEMBER_TYPES[member.kind],
            "dailyCapacity": member.daily_capacity,
            "hourlyCost": member.cost_at(self.now) if technician else None,
            "hourlyRate": member.bill_rate(today) if technician else None,
            "billableForecast": 75.0 if technician else None,
            "includeInUtilizationReportingFlag": technician,
            "workRole": self._role_refs[member.work_role(today)] if technician else None,
            "_info": _info(member.entered_ms, self._updated(member.entered_ms, member.leave_ms, *raises)),
        }

    def _company(self, company: CompanyFact) -> Record:
        now = self.now
        client = company.client is not None and company.client_ms is not None and company.client_ms < now
        deleted = company.deleted_ms is not None and company.deleted_ms < now
        inactive = company.inactive_ms is not None and company.inactive_ms < now
        if company.id == INTERNAL_COMPANY_ID:
            kind = {"id": 3, "name": "Owner"}
        else:
            kind = {"id": 1, "name": "Client"} if client else {"id": 2, "name": "Prospect"}
        return _clean(
            {
                "id": company.id,
                "identifier": company.identifier,
                "name": company.name,
                "status": {"id": 2, "name": "Inactive"} if inactive else {"id": 1, "name": "Active"},
                "website": company.website,
                "types": [kind],
                "dateAcquired": cw_datetime(company.client_ms) if client and company.client_ms else None,
                "deletedFlag": deleted,
                "dateDeleted": cw_datetime(company.deleted_ms) if deleted and company.deleted_ms else None,
                "deletedBy": _ENTERED_BY if deleted else None,
                "_info": _info(
                    company.entered_ms,
                    self._updated(
                        company.entered_ms, company.client_ms, company.inactive_ms, company.deleted_ms
                    ),
                ),
            }
        )

    def _companies(self) -> list[Record]:
        return [self._company(c) for c in self.psa.companies]

    def _cancelled(self, agreement: AgreementFact) -> bool:
        return agreement.cancelled_ms is not None and agreement.cancelled_ms < self.now

    def _agreements(self) -> list[Record]:
        out = []
        for agreement in self.psa.agreements:
            cancelled = self._cancelled(agreement)
            ended = (
                agreement.end_month is not None
                and month_index(self.psa.timeline.calendar.local_day(self.now - 1)) >= agreement.end_month
            )
            end_day = _end_day(agreement) if cancelled else None
            out.append(
                _clean(
                    {
                        "id": agreement.id,
                        "name": agreement.name,
                        "type": {"id": MANAGED_SERVICES_TYPE, "name": "Managed Services"},
                        "company": self._company_refs[agreement.company_id],
                        "contact": {"id": agreement.company_id * 10, "name": "Accounts Payable"},
                        "startDate": _day(agreement.start_day),
                        "endDate": end_day,
                        "noEndingDateFlag": not cancelled,
                        "cancelledFlag": cancelled,
                        "dateCancelled": cw_datetime(agreement.cancelled_ms)
                        if cancelled and agreement.cancelled_ms
                        else None,
                        "applicationUnits": "Amount",
                        "billingCycle": BILLING_CYCLE_MONTHLY,
                        "billAmount": agreement.bill_amount,
                        "billStartDate": _day(agreement.start_day),
                        "currency": _CURRENCIES[agreement.currency],
                        "agreementStatus": "Cancelled" if ended else "Active",
                        "_info": _info(
                            agreement.entered_ms, self._updated(agreement.entered_ms, agreement.cancelled_ms)
                        ),
                    }
                )
            )
        return out

    def _additions(self) -> list[Record]:
        out = []
        for agreement in self.psa.agreements:
            cancelled = self._cancelled(agreement)
            for addition in agreement.additions:
                out.append(
                    _clean(
                        {
                            "id": addition.id,
                            "product": {"id": addition.id, "identifier": addition.product},
                            "quantity": addition.quantity,
                            "unitPrice": addition.unit_price,
                            "unitCost": addition.unit_cost,
                            "billCustomer": "Billable",
                            "effectiveDate": _day(agreement.start_day),
                            "cancelledDate": _end_day(agreement) if cancelled else None,
                            "agreementId": agreement.id,
                            "description": addition.description,
                            "extPrice": round(addition.quantity * addition.unit_price, 2),
                            "extCost": round(addition.quantity * addition.unit_cost, 2),
                            "agreementStatus": "Cancelled" if cancelled else "Active",
                            "_info": _info(
                                agreement.entered_ms,
                                self._updated(agreement.entered_ms, agreement.cancelled_ms),
                            ),
                        }
                    )
                )
        out.sort(key=lambda r: r["id"])
        return out

    def _agreement_types(self) -> list[Record]:
        return [
            {
                "id": t.id,
                "name": t.name,
                "defaultFlag": t.id == MANAGED_SERVICES_TYPE,
                "inactiveFlag": False,
                "applicationUnits": t.application_units,
                "employeeCompRate": "Actual",
                "employeeCompNotExceed": "Billing",
                "invoicingCycle": "CalendarYear",
                "billTime": t.bill_time,
                "billExpenses": "Billable",
                "billProducts": "Billable",
                "billingCycle": BILLING_CYCLE_MONTHLY,
                "_info": _info(
                    self.psa.timeline.calendar.at(self.psa.timeline.start, 8 * 3600),
                    self.psa.timeline.calendar.at(self.psa.timeline.start, 8 * 3600),
                ),
            }
            for t in AGREEMENT_TYPES
        ]

    def _projects(self) -> list[Record]:
        out = []
        for project in self.psa.projects:
            closed = project.finish_ms < self.now
            out.append(
                _clean(
                    {
                        "id": project.id,
                        "name": project.name,
                        "company": self._company_refs[project.company_id],
                        "board": PROJECT_BOARD,
                        "billingMethod": "FixedFee",
                        "billingAmount": project.amount_usd,
                        "budgetHours": project.budget_hours,
                        "estimatedStart": cw_datetime(project.start_ms),
                        "estimatedEnd": cw_datetime(project.finish_ms),
                        "actualStart": cw_datetime(project.start_ms),
                        "actualEnd": cw_datetime(project.finish_ms) if closed else None,
                        "status": {"id": 2, "name": "Closed"} if closed else {"id": 1, "name": "In Progress"},
                        "closedFlag": closed,
                        "_info": _info(project.start_ms, self._updated(project.start_ms, project.finish_ms)),
                    }
                )
            )
        return out

    def _tickets(self) -> list[Record]:
        """Tickets with the hours logged on them; time added, edited or deleted updates the ticket."""
        hours: dict[int, float] = {}
        touched: dict[int, int] = {}
        for entry in self.psa.time_entries:
            if entry.ticket is not None:
                hours[entry.ticket.id] = hours.get(entry.ticket.id, 0.0) + entry.hours_at(self.now)
        for entry in self.psa.all_entries:
            if entry.ticket is not None and entry.entered_ms < self.now:
                moment = self._updated(entry.entered_ms, entry.edit_ms, entry.deleted_ms)
                touched[entry.ticket.id] = max(touched.get(entry.ticket.id, 0), moment)
        out = []
        for ticket in self.psa.tickets:
            closed = ticket.closed_ms < self.now
            out.append(
                _clean(
                    {
                        "id": ticket.id,
                        "summary": ticket.summary,
                        "recordType": ticket.record_type,
                        "board": SERVICE_BOARD if ticket.record_type == "ServiceTicket" else PROJECT_BOARD,
                        "status": {"id": 3, "name": "Closed"} if closed else {"id": 1, "name": "New"},
                        "company": self._company_refs[ticket.company_id],
                        "agreement": self._agreement_refs.get(ticket.agreement_id or 0),
                        "actualHours": round(hours.get(ticket.id, 0.0), 2),
                        "closedFlag": closed,
                        "closedDate": cw_datetime(ticket.closed_ms) if closed else None,
                        "_info": _info(
                            ticket.entered_ms,
                            self._updated(ticket.entered_ms, ticket.closed_ms, touched.get(ticket.id)),
                        ),
                    }
                )
            )
        return out

    def _time_entries(self) -> list[Record]:
        now = self.now
        out = []
        for entry in self.psa.time_entries:
            hours = entry.hours_at(now)
            billed = entry.billed_by(now)
            ticket = entry.ticket
            out.append(
                _clean(
                    {
                        "id": entry.id,
                        "company": self._company_refs[entry.company_id],
                        "chargeToId": ticket.id if ticket is not None else entry.company_id,
                        "chargeToType": entry.charge_type,
                        "member": self._member_refs[entry.member_id],
                        "workType": self._type_refs[entry.work_type],
                        "workRole": self._role_refs[entry.work_role],
                        "agreement": self._agreement_refs.get(entry.agreement_id or 0),
                        "agreementType": "Managed Services" if entry.agreement_id else None,
                        "ticket": {"id": ticket.id, "summary": ticket.summary}
                        if ticket is not None
                        else None,
                        "project": self._project_refs.get(entry.project_id or 0),
                        "timeStart": cw_datetime(entry.start_ms),
                        "timeEnd": cw_datetime(entry.start_ms + int(hours * 3_600_000)),
                        "hoursDeduct": 0.0,
                        "actualHours": hours,
                        "billableOption": entry.billable,
                        "hoursBilled": hours if entry.billable == "Billable" else 0.0,
                        "invoiceHours": hours if entry.billable == "Billable" else 0.0,
                        "agreementHours": hours if entry.agreement_id else None,
                        "hourlyRate": entry.rate,
                        "hourlyCost": _cost_string(entry.cost),
                        "status": "Billed" if billed else "Open",
                        "invoiceFlag": billed,
                        "enteredBy": self._member_refs[entry.member_id]["identifier"],
                        "dateEntered": cw_datetime(entry.entered_ms),
                        "_info": _info(
                            entry.entered_ms,
                            entry.updated_at(now),
                            self._member_refs[entry.member_id]["identifier"],
                        ),
                    }
                )
            )
        return out

    def _work_roles(self) -> list[Record]:
        start = self.psa.timeline.calendar.at(self.psa.timeline.start, 8 * 3600)
        return [
            {
                "id": r.id,
                "name": r.name,
                "hourlyRate": r.hourly_rate,
                "inactiveFlag": False,
                "_info": _info(start, start),
            }
            for r in WORK_ROLES
        ]

    def _work_types(self) -> list[Record]:
        start = self.psa.timeline.calendar.at(self.psa.timeline.start, 8 * 3600)
        return [
            {
                "id": t.id,
                "name": t.name,
                "billTime": t.bill_time,
                "rateType": "StandardRate",
                "rate": 1.0,
                "utilizationFlag": t.utilization,
                "inactiveFlag": False,
                "costMultiplier": 1.0,
                "_info": _info(start, start),
            }
            for t in WORK_TYPES
        ]


def _end_day(agreement: AgreementFact) -> str | None:
    """The last day billed: the day before the churn month."""
    if agreement.end_month is None:
        return None
    return _day(month_start(agreement.end_month) - timedelta(days=1))


def _cost_string(cost: float | None) -> str | None:
    """``TimeEntry.hourlyCost`` is a string in the API (``"45.5"``)."""
    return None if cost is None else f"{cost:.2f}".rstrip("0").rstrip(".")
