"""Ground truth of the PSA: labour per client, member and month, and client profitability.

Computed from the PSA model and the internal ledger (never from the served JSON), following
``PSA_DEFINITIONS``; ``truth.build_truth`` merges them into the truth document.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sandbox.hubspot.view import HubspotView
from sandbox.simulation.clock import month_index, month_label, month_start
from sandbox.simulation.ledger import Ledger
from sandbox.simulation.psa import PsaModel
from sandbox.xero.catalog import ACCOUNTS_BY_CODE, DIRECT_COST_TYPES, guid
from sandbox.xero.view import COUNTED_STATUSES

_CENT = Decimal("0.01")

PSA_DEFINITIONS: dict[str, str] = {
    "labour_by_client_month": (
        "ConnectWise time entries live at the clock (entered before it, not hard-deleted; GET "
        "/time/entries), grouped by company/id and the month of timeStart in the organisation time "
        "zone: hours = round(sum(actualHours), 2); billable_hours = the same over billableOption = "
        "Billable; cost = sum(actualHours * rate) rounded half up to cents, with rate = hourlyCost of "
        "the entry, "
        "else the member's current Member.hourlyCost. contact_id: the Xero ContactID of the client the "
        "company is (psa_crosswalk), null for the MSP's own company and prospects."
    ),
    "labour_by_member_month": (
        "Per technician (members with dailyCapacity) and month from the later of the business start "
        "and the hire month through the as_of month while employed: hours, billable_hours, cost as in "
        "labour_by_client_month over that member's entries; capacity_hours = dailyCapacity x the "
        "Monday-Friday days from hireDate until the day before inactiveDate (exclusive), through the "
        "as_of day in the current month."
    ),
    "client_profit_by_month": (
        "Per Xero client contact and month (months with any revenue, direct cost or labour): revenue "
        "= the lines on accounts with statement_line revenue (4000-4300) of ACCREC invoices with "
        "Status AUTHORISED or PAID minus those of ACCRECCREDIT credit notes likewise, by document Date "
        "month, each line round(LineAmount / CurrencyRate, 2) (the warehouse's "
        "fct_client_profitability_monthly revenue); direct_costs = the lines on DIRECTCOSTS accounts "
        "of ACCPAY invoices (AUTHORISED/PAID) and SPEND bank transactions (AUTHORISED) whose Client "
        "tracking option names exactly one client contact, by document Date month, each "
        "round(LineAmount / CurrencyRate, 2) (payroll journals are tracked to no client); labour_cost, "
        "labour_hours = cost, hours of labour_by_client_month for the client's company; contribution "
        "= revenue - direct_costs - labour_cost. All rounded to cents."
    ),
    "least_profitable_clients": (
        "window: the 3 complete months before the as_of month; clients: the 5 contact_ids with the "
        "lowest sum of client_profit_by_month.contribution over the window (clients with a row in "
        "it), ascending, ties by contact_id."
    ),
    "psa_crosswalk": (
        "Every ConnectWise client company with the Xero ContactID and HubSpot company id of its client "
        "(a prospect that signed keeps its company id)."
    ),
}


def _weekdays(first: date, last: date) -> int:
    """Monday-Friday days in ``[first, last]`` (0 when empty)."""
    count, day = 0, first
    while day <= last:
        count += day.weekday() < 5
        day += timedelta(days=1)
    return count


def _half_up(value: float | Decimal) -> float:
    """Cents as an accountant rounds them (half away from zero), not Python's half-to-even."""
    return float(Decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP))


def _labour(psa: PsaModel) -> tuple[dict[tuple[int, int], list[Any]], dict[tuple[int, int], list[Any]]]:
    """``[hours, billable hours, cost]`` per (company id, month) and per (member id, month); the cost
    is exact (a ``Decimal`` of hours x the two-decimal rate), rounded once per row by the caller."""
    calendar, now = psa.timeline.calendar, psa.now_ms
    current = {m.id: m.cost_at(now) for m in psa.members}
    by_company: dict[tuple[int, int], list[Any]] = defaultdict(lambda: [0.0, 0.0, Decimal(0)])
    by_member: dict[tuple[int, int], list[Any]] = defaultdict(lambda: [0.0, 0.0, Decimal(0)])
    for entry in psa.time_entries:
        hours = entry.hours_at(now)
        rate = entry.cost if entry.cost is not None else current[entry.member_id]
        billable = hours if entry.billable == "Billable" else 0.0
        month = calendar.local_month(entry.start_ms)
        for row in (by_company[entry.company_id, month], by_member[entry.member_id, month]):
            row[0] += hours
            row[1] += billable
            row[2] += Decimal(str(hours)) * Decimal(str(rate))
    return by_company, by_member


def _money(ledger: Ledger, now_ms: int) -> dict[tuple[str, int], list[int]]:
    """``[revenue cents, direct cost cents]`` per (client contact key repr, month)."""
    clients_by_name: dict[str, list[Any]] = defaultdict(list)
    for client in ledger.clients:
        clients_by_name[client.name].append(client)
    money: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    for doc in ledger.docs:
        if doc.status_at(now_ms)[0] not in COUNTED_STATUSES:
            continue
        month = month_index(doc.day)
        for line in doc.lines:
            account = ACCOUNTS_BY_CODE[line.account_code]
            cents = round(round(line.line_amount / doc.rate, 2) * 100)
            if doc.kind in ("ACCREC", "ACCRECCREDIT") and account.statement_line == "revenue":
                sign = -1 if doc.kind == "ACCRECCREDIT" else 1
                money[repr(doc.contact_key), month][0] += sign * cents
            elif doc.kind in ("ACCPAY", "SPEND") and account.type in DIRECT_COST_TYPES:
                named = clients_by_name.get(line.client_option or "", [])
                if len(named) == 1:
                    money[repr(named[0].key), month][1] += cents
    return money


def psa_truth(psa: PsaModel, hubspot: HubspotView, ledger: Ledger) -> dict[str, Any]:
    """The PSA truth keys (see ``PSA_DEFINITIONS``)."""
    timeline, now = psa.timeline, psa.now_ms
    seed, calendar = timeline.seed, timeline.calendar
    by_company, by_member = _labour(psa)
    client_of_company = {c.id: c.client for c in psa.companies if c.client is not None}
    contact = {cid: guid(seed, client.key) for cid, client in client_of_company.items()}

    labour_by_client = [
        {
            "company_id": company_id,
            "contact_id": contact.get(company_id),
            "month": month_label(month),
            "hours": round(hours, 2),
            "billable_hours": round(billable, 2),
            "cost": _half_up(cost),
        }
        for (company_id, month), (hours, billable, cost) in sorted(by_company.items())
    ]

    as_of = calendar.local_day(now - 1)
    labour_by_member = []
    for member in psa.members:
        if not member.daily_capacity:
            continue
        first_month = max(timeline.start_month, month_index(member.hire_day))
        last_day = as_of if member.leave_day is None else min(as_of, member.leave_day - timedelta(days=1))
        for month in range(first_month, month_index(last_day) + 1):
            start = max(month_start(month), member.hire_day)
            end = min(month_start(month + 1) - timedelta(days=1), last_day)
            hours, billable, cost = by_member.get((member.id, month), (0.0, 0.0, Decimal(0)))
            labour_by_member.append(
                {
                    "member_id": member.id,
                    "month": month_label(month),
                    "hours": round(hours, 2),
                    "billable_hours": round(billable, 2),
                    "capacity_hours": round(member.daily_capacity * _weekdays(start, end), 2),
                    "cost": _half_up(cost),
                }
            )

    money = _money(ledger, now)
    profit: dict[tuple[str, int], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    for (key, month), (revenue, direct) in money.items():
        profit[key, month][0] += revenue / 100
        profit[key, month][1] += direct / 100
    for (company_id, month), (hours, _, cost) in by_company.items():
        client = client_of_company.get(company_id)
        if client is not None:
            profit[repr(client.key), month][2] += _half_up(cost)
            profit[repr(client.key), month][3] += hours
    contact_of_key = {repr(c.key): guid(seed, c.key) for c in timeline.clients}
    client_profit = sorted(
        (
            {
                "contact_id": contact_of_key[key],
                "month": month_label(month),
                "revenue": round(revenue, 2),
                "direct_costs": round(direct, 2),
                "labour_cost": round(labour, 2),
                "labour_hours": round(hours, 2),
                "contribution": round(revenue - direct - labour, 2),
            }
            for (key, month), (revenue, direct, labour, hours) in profit.items()
            if timeline.start_month <= month <= psa.now_month
        ),
        key=lambda row: (row["month"], row["contact_id"]),
    )

    window = [month_label(m) for m in range(psa.now_month - 3, psa.now_month)]
    totals: dict[str, float] = defaultdict(float)
    for row in client_profit:
        if row["month"] in window:
            totals[row["contact_id"]] += row["contribution"]
    least = sorted(totals, key=lambda cid: (round(totals[cid], 2), cid))[:5]

    crosswalk = sorted(
        (
            {
                "company_id": company_id,
                "contact_id": guid(seed, client.key),
                "hubspot_company_id": str(hubspot.id_of("companies", client.company_serial)),
            }
            for company_id, client in client_of_company.items()
        ),
        key=lambda row: row["company_id"],
    )
    return {
        "labour_by_client_month": labour_by_client,
        "labour_by_member_month": labour_by_member,
        "client_profit_by_month": client_profit,
        "least_profitable_clients": {"window": window, "clients": least},
        "psa_crosswalk": crosswalk,
    }
