"""The ground truth: true parameters, precise metric definitions and realised values at the clock.

Realised values are computed from the simulation's own knowledge (lead and deal facts, the internal
ledger), not from the served JSON, so a test that recomputes a metric from the API data following
``DEFINITIONS`` checks the whole serving path. Months are ``YYYY-MM`` in the organisation's time zone.
"""

from __future__ import annotations

import itertools
import statistics
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sandbox.hubspot.fx import home_value
from sandbox.hubspot.view import HubspotView
from sandbox.simulation.clock import hs_datetime, month_index, month_label
from sandbox.simulation.entities import DealFact, LedgerDoc
from sandbox.simulation.ledger import Ledger
from sandbox.simulation.params import LEAD_SOURCES, MANUAL_JOURNALS, parameters_document
from sandbox.simulation.psa import PsaModel
from sandbox.simulation.psa_truth import PSA_DEFINITIONS, psa_truth
from sandbox.simulation.timeline import HUBSPOT_TYPES, Timeline
from sandbox.xero.catalog import (
    ACCOUNTS,
    ACCOUNTS_BY_CODE,
    DIRECT_COST_TYPES,
    OVERHEAD_TYPES,
    PNL_TYPES,
    REVENUE_TYPES,
    SUPPLIER_NAMES,
    guid,
)
from sandbox.xero.view import COUNTED_STATUSES

FUNNEL_STAGE_MAP: dict[str, str] = {
    "lead": ("contact has hs_lifecyclestage_lead_date (cohort month = that date's month, org time zone)"),
    "qualified": ("contact has any of hs_lifecyclestage_{salesqualifiedlead,opportunity,customer}_date"),
    "appointment": (
        "contact has hs_lifecyclestage_opportunity_date or hs_lifecyclestage_customer_date (set when its "
        "newbusiness deal is created in appointmentscheduled/qualifiedtobuy; the deal's 'First "
        "appointment' meeting is booked at the same instant)"
    ),
    "proposal": (
        "contact is associated (deal->contact, type 3) with a dealtype=newbusiness deal whose dealstage "
        "history contains contractsent or closedwon"
    ),
    "won": (
        "contact has hs_lifecyclestage_customer_date (its newbusiness deal entered closedwon at that instant)"
    ),
}

DEFINITIONS: dict[str, str] = {
    "month": (
        "Calendar month YYYY-MM of a timestamp converted to the organisation time zone; Xero Date fields "
        "are already organisation-local dates (00:00 UTC of the local date)."
    ),
    "leads_by_month_source": (
        "Count of contacts with archived=false whose hs_lifecyclestage_lead_date falls in the month, "
        "grouped by the contact's lead_source property."
    ),
    "funnel_by_cohort": (
        "For contacts with archived=false and a hs_lifecyclestage_lead_date, grouped by the month of that "
        "date: leads = count; qualified/appointment/proposal/won = count of those contacts that reached "
        "the stage by now per funnel_stage_map (monotone reach: a later stage implies the earlier ones)."
    ),
    "deals_won_by_month": (
        "Deals with archived=false and dealstage=closedwon, by closedate month: count, sum of amount, sum "
        "of mrr_amount, sum of project_amount, in the home currency USD (amount = project_amount + "
        "12*mrr_amount). A deal whose deal_currency_code is not USD has each value multiplied by the "
        "conversionRate of its currency in GET /settings/v3/currencies/exchange-rates with the latest "
        "effectiveAt on or before closedate (the earliest rate when none is), rounded to cents half away "
        "from zero per deal and value; USD deals count as they are."
    ),
    "leads_by_owner": (
        "Count of the contacts counted in leads_by_month_source (all months), by hubspot_owner_id."
    ),
    "deals_won_by_owner": (
        "Count of the deals counted in deals_won_by_month (all months), by hubspot_owner_id."
    ),
    "deals_lost_by_month": ("Deals with archived=false and dealstage=closedlost, count by closedate month."),
    "pipeline_by_week": (
        "{Monday YYYY-MM-DD: {leads, qualified, deals_won, deals_lost, won_amount}} by org-local week "
        "(Monday start) of each event: leads and qualified as in funnel_by_cohort but by the week the "
        "contact reached the stage (qualified: the earliest of its salesqualifiedlead, opportunity and "
        "customer lifecycle dates); deals_won / deals_lost / won_amount (first-year value, home "
        "currency, as in deals_won_by_month) by closedate week. Weeks without events are omitted."
    ),
    "close_rate": (
        "won/(won+lost) over deals with archived=false and dealstage closedwon/closedlost; overall and by "
        "closedate calendar year (org time zone). Both dealtypes count."
    ),
    "days_to_close": (
        "For archived=false closedwon deals: org-local calendar date of closedate minus org-local date of "
        "createdate, in days; median and mean over all of them."
    ),
    "revenue_by_month": (
        "Journal basis. ACCREC invoices with Status AUTHORISED or PAID, by invoice Date month, each line "
        "counted as round(LineAmount / CurrencyRate, 2) (exclusive of tax), minus ACCRECCREDIT credit "
        "notes with Status AUTHORISED or PAID by their Date month likewise, plus the lines on accounts of "
        "Type REVENUE/SALES/OTHERINCOME of POSTED manual journals (credit positive: -LineAmount) by their "
        "Date month; the sum rounded to cents. Equals the Income total of GET /Reports/ProfitAndLoss for "
        "the month and minus the sum of /Journals NetAmount on those accounts with a JournalDate in it."
    ),
    "mrr_by_month": (
        "Sum of LineAmount / CurrencyRate over ACCREC invoices with Status AUTHORISED or PAID, a "
        "RepeatingInvoiceID, and a Date in the month (monthly repeating invoices are dated the 1st; the "
        "value stands for the month and for its month-end)."
    ),
    "active_clients_by_month": ("Distinct Contact.ContactID over the invoices counted in mrr_by_month."),
    "churned_clients_by_month": (
        "Contacts active in the previous month and not active in the month (months up to the as_of month)."
    ),
    "direct_costs_by_month": (
        "Journal basis. Lines of ACCPAY invoices with Status AUTHORISED or PAID plus lines of SPEND bank "
        "transactions with Status AUTHORISED, whose AccountCode is an account of Type DIRECTCOSTS, by "
        "document Date month, each as round(LineAmount / CurrencyRate, 2), plus the LineAmount of POSTED "
        "manual-journal lines on DIRECTCOSTS accounts (technician wages 5300, reclasses to 5050) by their "
        "Date month; the sum rounded to cents. Equals the sum of /Journals NetAmount on those accounts."
    ),
    "overheads_by_month": (
        "As direct_costs_by_month for accounts of Type OVERHEADS, EXPENSE or DEPRECIATN (admin and sales "
        "wages 6000/6010, accounting fees 6600 net of the accrual reversal, depreciation 6500 included)."
    ),
    "marketing_spend_by_month_source": (
        "As overheads_by_month restricted to the marketing account of each lead source "
        "(parameters.lead_sources.*.marketing_account)."
    ),
    "pnl_by_month_account": (
        "{YYYY-MM: {AccountCode: amount}} over P&L accounts (Type REVENUE, SALES, OTHERINCOME, DIRECTCOSTS, "
        "OVERHEADS, EXPENSE, DEPRECIATN): the lines counted in revenue_by_month, direct_costs_by_month and "
        "overheads_by_month, by account; revenue positive when earned, costs positive when incurred; "
        "rounded to cents per month and account, zero accounts omitted. Recompute from /Journals: the "
        "sum of NetAmount per AccountCode over journals whose JournalDate is in the month (voided and "
        "deleted documents net to zero through their reversing journals), sign flipped for income; or "
        "read the per-account rows of GET /Reports/ProfitAndLoss for the month."
    ),
    "payroll_by_month": (
        "{YYYY-MM: {technicians, sales, admin}}: the LineAmount on accounts 5300 (technicians), 6010 "
        "(sales) and 6000 (admin) of the POSTED manual journal narrated 'Payroll <Month YYYY> (Gusto)' "
        "dated in the month."
    ),
    "finance_by_month": (
        "Per month from the business start to the as_of month, from pnl_by_month_account classified by "
        "each account's statement_line / line_of_business / cost_type (revenue: 4000, 4300 "
        "managed_services, 4100 projects, 4200 product_resale; cost_of_sales: 5000 product_resale "
        "tools_and_licences, 5050 managed_services tools_and_licences, 5100 projects subcontractors, "
        "5200 product_resale hardware_cogs, 5300 managed_services labour; operating_expenses (shared): "
        "6000, 6100, 6200, 6300, 6600 general_and_admin, 6010, 6410-6450 sales_and_marketing; "
        "depreciation_amortisation: 6500). revenue_by_line_of_business / "
        "cost_of_sales_by_line_of_business: sums by line of business; operating_expenses; "
        "depreciation_amortisation; ebitda = revenue + other_income - cost_of_sales - operating_expenses; "
        "service_payroll: cost_of_sales with cost_type labour; sales_and_marketing: cost_type "
        "sales_and_marketing. new_clients: contacts whose first ACCREC invoice with Status AUTHORISED or "
        "PAID (by Date) is dated in the month; active_clients: distinct contacts with such an invoice "
        "dated in the month; recurring_revenue: the lines (round(LineAmount / CurrencyRate, 2) each) of "
        "such invoices carrying a RepeatingInvoiceID dated in the month; top10_recurring_revenue: the "
        "sum of the 10 largest per-contact totals of recurring_revenue; ar_balance_end: accounts "
        "receivable at the month's last day = sum over AUTHORISED/PAID ACCREC invoices dated on or "
        "before it of (sum over lines of round(LineAmount / CurrencyRate, 2) + round(TaxAmount / "
        "CurrencyRate, 2)), minus the same for AUTHORISED/PAID ACCRECCREDIT credit notes dated on or "
        "before it, minus the payments of those invoices dated on or before it (the Payments Date; each "
        "payment clears its invoice's amount so computed) = the sum of /Journals NetAmount on account "
        "610 over journals with JournalDate on or before the month end. All money rounded to cents at "
        "the end of each sum."
    ),
    "ar_ageing": (
        "At the as_of date: ACCREC invoices with Status AUTHORISED (open, unpaid at the clock), each "
        "owing its ar_balance_end amount (lines and tax, each round(x / CurrencyRate, 2)), bucketed by "
        "as_of minus DueDate in days: current (<= 0), 1_30, 31_60, 61_90, over_90."
    ),
    "record_counts": (
        "HubSpot: records per object type from the list endpoint with archived=false (live) and "
        "archived=true (archived). Xero: documents per collection by Status (Contacts by ContactStatus), "
        "all statuses included, ManualJournals among them. journals: the number of journals GET /Journals "
        "returns over all offsets (the highest JournalNumber)."
    ),
    "crosswalk": (
        "Every Xero client contact with the HubSpot company it belongs to and how they can be matched: "
        "exact_name (same name), fuzzy_name (spelling differs, same email domain as the company domain), "
        "id_only (company property xero_contact_id holds the ContactID)."
    ),
    **PSA_DEFINITIONS,
}


def _home_values(seed: int, deal: DealFact) -> dict[str, Decimal]:
    """A won deal's amount, mrr and project in the home currency, exactly as DEFINITIONS say."""
    assert deal.close_ms is not None
    mrr, project = Decimal(str(deal.mrr)), Decimal(str(deal.project))
    values = {"amount": project + 12 * mrr, "mrr": mrr, "project": project}
    return {key: home_value(seed, deal.currency, value, deal.close_ms) for key, value in values.items()}


def _round(series: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 2) for k, v in sorted(series.items())}


def _dollars(series: dict[str, int]) -> dict[str, float]:
    """Integer cents to dollars, sorted by key."""
    return {k: v / 100 for k, v in sorted(series.items())}


def _cents(amount: float, rate: float = 1.0) -> int:
    """``round(amount / rate, 2)`` in integer cents: a document line in the base currency."""
    return round(round(amount / rate, 2) * 100)


def _ar_cents(doc: LedgerDoc) -> int:
    """What a sales document owes (or credits) in the base currency: lines and tax, each rounded."""
    return sum(_cents(line.line_amount, doc.rate) + _cents(line.tax_amount, doc.rate) for line in doc.lines)


AGEING_BUCKETS = (("current", 0), ("1_30", 30), ("31_60", 60), ("61_90", 90), ("over_90", None))


def finance_series(timeline: Timeline, ledger: Ledger, now_ms: int) -> dict[str, Any]:
    """The P&L per month and account (integer cents, ``pnl``) and the finance series built on it.

    Straight from the documents and the manual-journal model (never from the journals the API
    serves), following ``DEFINITIONS``.
    """
    calendar = timeline.calendar
    first_month = timeline.start_month
    months = list(range(first_month, ledger.now_month + 1))
    pnl: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    recurring: dict[int, dict[tuple[Any, ...], int]] = defaultdict(lambda: defaultdict(int))
    active: dict[int, set[tuple[Any, ...]]] = defaultdict(set)
    first_invoice: dict[tuple[Any, ...], int] = {}
    ar_moves: dict[int, int] = defaultdict(int)
    ageing: dict[str, int] = {name: 0 for name, _ in AGEING_BUCKETS}
    as_of = calendar.local_day(now_ms - 1)
    for doc in ledger.docs:
        status = doc.status_at(now_ms)[0]
        if status not in COUNTED_STATUSES:
            continue
        month = ledger.month_of(doc)
        row = pnl[month_label(month)]
        sign = -1 if doc.kind == "ACCRECCREDIT" else 1
        for line in doc.lines:
            row[line.account_code] += sign * _cents(line.line_amount, doc.rate)
        if doc.kind == "ACCREC":
            owed = _ar_cents(doc)
            ar_moves[max(month, first_month)] += owed
            if status == "PAID" and doc.paid_on is not None:
                ar_moves[max(month_index(doc.paid_on), first_month)] -= owed
            elif doc.due is not None:
                overdue = (as_of - doc.due).days
                bucket = next(name for name, limit in AGEING_BUCKETS if limit is None or overdue <= limit)
                ageing[bucket] += owed
            active[month].add(doc.contact_key)
            if doc.contact_key not in first_invoice or month < first_invoice[doc.contact_key]:
                first_invoice[doc.contact_key] = month
            if doc.repeating_key is not None:
                recurring[month][doc.contact_key] += sum(
                    _cents(line.line_amount, doc.rate) for line in doc.lines
                )
        elif doc.kind == "ACCRECCREDIT":
            ar_moves[max(month, first_month)] -= _ar_cents(doc)

    payroll: dict[str, dict[str, float]] = {}
    teams = {account: team for team, account, _ in MANUAL_JOURNALS.payroll_split}
    for journal in ledger.manual_journals:
        if journal.status_at(now_ms)[0] != "POSTED":
            continue
        label = month_label(month_index(journal.day))
        for mj_line in journal.lines:
            account = ACCOUNTS_BY_CODE[mj_line.account_code]
            if account.type in PNL_TYPES:
                sign = -1 if account.type in REVENUE_TYPES else 1
                pnl[label][account.code] += sign * _cents(mj_line.amount)
            if journal.kind == "payroll" and mj_line.account_code in teams:
                payroll.setdefault(label, {})[teams[mj_line.account_code]] = mj_line.amount

    def lobs(statement_line: str) -> list[str]:
        return sorted({a.line_of_business for a in ACCOUNTS if a.statement_line == statement_line})  # type: ignore[misc]

    new_clients = Counter(first_invoice.values())
    finance: dict[str, dict[str, Any]] = {}
    ar_balance = 0
    for month in months:
        label = month_label(month)
        row = pnl.get(label, {})
        by_line: dict[str, int] = defaultdict(int)
        by_lob: dict[tuple[str, str], int] = defaultdict(int)
        by_cost_type: dict[tuple[str, str], int] = defaultdict(int)
        for code, value in row.items():
            account = ACCOUNTS_BY_CODE[code]
            assert account.statement_line and account.line_of_business and account.cost_type
            by_line[account.statement_line] += value
            by_lob[account.statement_line, account.line_of_business] += value
            by_cost_type[account.statement_line, account.cost_type] += value
        ar_balance += ar_moves.get(month, 0)
        clients = recurring.get(month, {})
        ebitda = (
            by_line["revenue"]
            + by_line["other_income"]
            - by_line["cost_of_sales"]
            - by_line["operating_expenses"]
        )
        finance[label] = {
            "revenue_by_line_of_business": {lob: by_lob["revenue", lob] / 100 for lob in lobs("revenue")},
            "cost_of_sales_by_line_of_business": {
                lob: by_lob["cost_of_sales", lob] / 100 for lob in lobs("cost_of_sales")
            },
            "operating_expenses": by_line["operating_expenses"] / 100,
            "depreciation_amortisation": by_line["depreciation_amortisation"] / 100,
            "ebitda": ebitda / 100,
            "service_payroll": by_cost_type["cost_of_sales", "labour"] / 100,
            "sales_and_marketing": sum(v for (_, t), v in by_cost_type.items() if t == "sales_and_marketing")
            / 100,
            "new_clients": new_clients.get(month, 0),
            "active_clients": len(active.get(month, ())),
            "recurring_revenue": sum(clients.values()) / 100,
            "top10_recurring_revenue": sum(sorted(clients.values(), reverse=True)[:10]) / 100,
            "ar_balance_end": ar_balance / 100,
        }
    return {
        "pnl": pnl,
        "payroll": dict(sorted(payroll.items())),
        "finance": finance,
        "ar_ageing": {name: value / 100 for name, value in ageing.items()},
    }


def build_truth(
    timeline: Timeline, hubspot: HubspotView, ledger: Ledger, psa: PsaModel, now_ms: int
) -> dict[str, Any]:
    """The whole truth document as of ``now_ms`` (see module docstring)."""
    calendar = timeline.calendar
    month = calendar.local_month

    leads: dict[str, Counter[str]] = defaultdict(Counter)
    funnel: dict[str, Counter[str]] = defaultdict(Counter)
    funnel_by_source: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    owner_ids = [str(o.id) for o in timeline.owners]
    leads_by_owner: Counter[str] = Counter()
    won_by_owner: Counter[str] = Counter()
    pipeline: dict[str, Counter[str]] = defaultdict(Counter)

    def week_of(ms: int) -> str:
        day = calendar.local_day(ms)
        return (day - timedelta(days=day.weekday())).isoformat()

    for fact in timeline.lead_facts:
        if fact.lead_ms >= now_ms or (fact.archived_ms is not None and fact.archived_ms < now_ms):
            continue
        cohort = month_label(month(fact.lead_ms))
        leads[cohort][fact.source] += 1
        leads_by_owner[owner_ids[fact.owner_index]] += 1
        pipeline[week_of(fact.lead_ms)]["leads"] += 1
        if fact.qualified_ms is not None and fact.qualified_ms < now_ms:
            pipeline[week_of(fact.qualified_ms)]["qualified"] += 1
        reached = {
            "leads": True,
            "qualified": fact.qualified_ms,
            "appointment": fact.appointment_ms,
            "proposal": fact.proposal_ms,
            "won": fact.won_ms,
        }
        for stage, at in reached.items():
            if at is True or (at is not None and at < now_ms):
                funnel[cohort][stage] += 1
                funnel_by_source[fact.source][cohort][stage] += 1

    won: dict[str, dict[str, Decimal]] = defaultdict(
        lambda: {"count": Decimal(0), "amount": Decimal(0), "mrr": Decimal(0), "project": Decimal(0)}
    )
    lost: Counter[str] = Counter()
    by_year: dict[str, Counter[str]] = defaultdict(Counter)
    days: list[int] = []
    for deal in timeline.deal_facts:
        if deal.created_ms >= now_ms or deal.close_ms is None or deal.close_ms >= now_ms:
            continue
        if deal.archived_ms is not None and deal.archived_ms < now_ms:
            continue
        label = month_label(month(deal.close_ms))
        by_year[label[:4]]["won" if deal.won else "lost"] += 1
        week = pipeline[week_of(deal.close_ms)]
        if deal.won:
            won_by_owner[owner_ids[deal.owner_index]] += 1
            row = won[label]
            row["count"] += 1
            values = _home_values(timeline.seed, deal)
            for key, value in values.items():
                row[key] += value
            week["deals_won"] += 1
            week["won_amount_cents"] += int(values["amount"] * 100)
            days.append((calendar.local_day(deal.close_ms) - calendar.local_day(deal.created_ms)).days)
        else:
            lost[label] += 1
            week["deals_lost"] += 1
    total_won = sum(c["won"] for c in by_year.values())
    total_lost = sum(c["lost"] for c in by_year.values())

    finance = finance_series(timeline, ledger, now_ms)
    pnl: dict[str, dict[str, int]] = finance["pnl"]
    revenue: dict[str, int] = defaultdict(int)
    direct: dict[str, int] = defaultdict(int)
    overheads: dict[str, int] = defaultdict(int)
    marketing: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    marketing_accounts = {s.marketing_account: s.name for s in LEAD_SOURCES}
    for label, by_account in pnl.items():
        for code, value in by_account.items():
            account_type = ACCOUNTS_BY_CODE[code].type
            if account_type in REVENUE_TYPES:
                revenue[label] += value
            elif account_type in DIRECT_COST_TYPES:
                direct[label] += value
            elif account_type in OVERHEAD_TYPES:
                overheads[label] += value
                if code in marketing_accounts:
                    marketing[label][marketing_accounts[code]] += value
    mrr: dict[str, float] = defaultdict(float)
    active: dict[str, set[tuple[Any, ...]]] = defaultdict(set)
    for doc in ledger.docs:
        if doc.kind != "ACCREC" or doc.repeating_key is None:
            continue
        if doc.status_at(now_ms)[0] not in COUNTED_STATUSES:
            continue
        label = month_label(ledger.month_of(doc))
        mrr[label] += sum(line.line_amount for line in doc.lines) / doc.rate
        active[label].add(doc.contact_key)
    months = [month_label(m) for m in range(timeline.start_month, ledger.now_month + 1)]
    churned = {
        m: len(active.get(prev, set()) - active.get(m, set())) for prev, m in itertools.pairwise(months)
    }

    return {
        "as_of": calendar.local_day(now_ms - 1).isoformat(),
        "now": hs_datetime(now_ms),
        "business_start": timeline.start.isoformat(),
        "timezone": calendar.zone.key,
        "parameters": parameters_document(timeline.scale),
        "definitions": DEFINITIONS,
        "funnel_stage_map": FUNNEL_STAGE_MAP,
        "realised": {
            "leads_by_month_source": {m: dict(sorted(c.items())) for m, c in sorted(leads.items())},
            "funnel_by_cohort": {m: _funnel_row(c) for m, c in sorted(funnel.items())},
            "funnel_by_cohort_source": {
                s: {m: _funnel_row(c) for m, c in sorted(rows.items())}
                for s, rows in sorted(funnel_by_source.items())
            },
            "deals_won_by_month": {
                m: {k: float(v) if k != "count" else int(v) for k, v in row.items()}
                for m, row in sorted(won.items())
            },
            "deals_lost_by_month": dict(sorted(lost.items())),
            "pipeline_by_week": {
                week: {
                    "leads": counts["leads"],
                    "qualified": counts["qualified"],
                    "deals_won": counts["deals_won"],
                    "deals_lost": counts["deals_lost"],
                    "won_amount": counts["won_amount_cents"] / 100,
                }
                for week, counts in sorted(pipeline.items())
            },
            "leads_by_owner": dict(sorted(leads_by_owner.items())),
            "deals_won_by_owner": dict(sorted(won_by_owner.items())),
            "close_rate": {
                "overall": round(total_won / (total_won + total_lost), 6) if total_won + total_lost else None,
                "by_year": {
                    y: round(c["won"] / (c["won"] + c["lost"]), 6) for y, c in sorted(by_year.items())
                },
            },
            "days_to_close": {
                "median": statistics.median(days) if days else None,
                "mean": round(statistics.fmean(days), 6) if days else None,
                "count": len(days),
            },
            "revenue_by_month": _dollars(revenue),
            "mrr_by_month": _round(mrr),
            "active_clients_by_month": {m: len(v) for m, v in sorted(active.items())},
            "churned_clients_by_month": churned,
            "direct_costs_by_month": _dollars(direct),
            "overheads_by_month": _dollars(overheads),
            "marketing_spend_by_month_source": {m: _dollars(v) for m, v in sorted(marketing.items())},
            "pnl_by_month_account": {
                m: {code: value / 100 for code, value in sorted(row.items()) if value}
                for m, row in sorted(pnl.items())
            },
            "payroll_by_month": finance["payroll"],
            "finance_by_month": finance["finance"],
            "ar_ageing": finance["ar_ageing"],
            "record_counts": record_counts(timeline, hubspot, ledger, now_ms),
            "crosswalk": crosswalk(timeline, hubspot, ledger),
            **psa_truth(psa, hubspot, ledger),
        },
    }


def _funnel_row(counter: Counter[str]) -> dict[str, int]:
    return {
        stage: counter.get(stage, 0) for stage in ("leads", "qualified", "appointment", "proposal", "won")
    }


def record_counts(timeline: Timeline, hubspot: HubspotView, ledger: Ledger, now_ms: int) -> dict[str, Any]:
    """Raw row counts per HubSpot type (live/archived) and per Xero collection and status."""
    counts: dict[str, Any] = {"hubspot": {}, "xero": {}}
    for object_type in HUBSPOT_TYPES:
        live = archived = 0
        for record in timeline.records[object_type]:
            if record.created_ms >= now_ms:
                continue
            if hubspot.is_live(record):
                live += 1
            else:
                archived += 1
        counts["hubspot"][object_type] = {"live": live, "archived": archived}
    collection_of = {
        "ACCREC": "Invoices",
        "ACCPAY": "Invoices",
        "ACCRECCREDIT": "CreditNotes",
        "SPEND": "BankTransactions",
    }
    xero: dict[str, Counter[str]] = defaultdict(Counter)
    for doc in ledger.docs:
        xero[collection_of[doc.kind]][doc.status_at(now_ms)[0]] += 1
    xero["Payments"]["AUTHORISED"] = len(ledger.payments)
    for client in ledger.clients:
        archived = client.archived_ms is not None and client.archived_ms < now_ms
        xero["Contacts"]["ARCHIVED" if archived else "ACTIVE"] += 1
    xero["Contacts"]["ACTIVE"] += len(SUPPLIER_NAMES)
    counts["xero"] = {name: dict(sorted(c.items())) for name, c in sorted(xero.items())}
    counts["xero"]["RepeatingInvoices"] = {
        "AUTHORISED": sum(1 for r in timeline.recurring if r.created_ms < now_ms)
    }
    manual = Counter(j.status_at(now_ms)[0] for j in ledger.manual_journals)
    counts["xero"]["ManualJournals"] = dict(sorted(manual.items()))
    # one journal per posting: a document's first authorisation, its later void/delete, a payment,
    # a manual journal's posting and its void
    postings = len(ledger.payments) + sum(
        (j.event_ms("POSTED", now_ms) is not None) + (j.event_ms("VOIDED", now_ms) is not None)
        for j in ledger.manual_journals
    )
    for doc in ledger.docs:
        statuses = [status for ms, status in doc.events if ms < now_ms]
        if "AUTHORISED" in statuses:
            after = statuses[statuses.index("AUTHORISED") :]
            postings += 1 + any(status in ("VOIDED", "DELETED") for status in after)
    counts["journals"] = postings
    return counts


def crosswalk(timeline: Timeline, hubspot: HubspotView, ledger: Ledger) -> list[dict[str, str]]:
    """HubSpot company id <-> Xero ContactID for every client visible at the clock, with the match kind."""
    rows = []
    for client in ledger.clients:
        rows.append(
            {
                "hubspot_company_id": str(hubspot.id_of("companies", client.company_serial)),
                "xero_contact_id": guid(timeline.seed, client.key),
                "match_kind": client.match_kind,
                "xero_name": client.name,
                "hubspot_name": timeline.records["companies"][client.company_serial].get("name"),
            }
        )
    return sorted(rows, key=lambda r: r["xero_contact_id"])
