"""The ground truth: true parameters, precise metric definitions and realised values at the clock.

Realised values are computed from the simulation's own knowledge (lead and deal facts, the internal
ledger), not from the served JSON, so a test that recomputes a metric from the API data following
``DEFINITIONS`` checks the whole serving path. Months are ``YYYY-MM`` in the organisation's time zone.
"""

from __future__ import annotations

import itertools
import statistics
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from sandbox.hubspot.fx import home_value
from sandbox.hubspot.view import HubspotView
from sandbox.simulation.clock import hs_datetime, month_label
from sandbox.simulation.entities import DealFact
from sandbox.simulation.ledger import Ledger
from sandbox.simulation.params import LEAD_SOURCES, parameters_document
from sandbox.simulation.timeline import HUBSPOT_TYPES, Timeline
from sandbox.xero.catalog import (
    ACCOUNTS_BY_CODE,
    DIRECT_COST_TYPES,
    OVERHEAD_TYPES,
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
    "close_rate": (
        "won/(won+lost) over deals with archived=false and dealstage closedwon/closedlost; overall and by "
        "closedate calendar year (org time zone). Both dealtypes count."
    ),
    "days_to_close": (
        "For archived=false closedwon deals: org-local calendar date of closedate minus org-local date of "
        "createdate, in days; median and mean over all of them."
    ),
    "revenue_by_month": (
        "ACCREC invoices with Status AUTHORISED or PAID, by invoice Date month, sum of LineAmount / "
        "CurrencyRate (exclusive of tax), minus ACCRECCREDIT credit notes with Status AUTHORISED or PAID "
        "by their Date month likewise; rounded to cents per month."
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
        "Lines of ACCPAY invoices with Status AUTHORISED or PAID plus lines of SPEND bank transactions "
        "with Status AUTHORISED, whose AccountCode is an account of Type DIRECTCOSTS, by document Date "
        "month, sum of LineAmount / CurrencyRate."
    ),
    "overheads_by_month": ("As direct_costs_by_month for accounts of Type OVERHEADS or EXPENSE."),
    "marketing_spend_by_month_source": (
        "As overheads_by_month restricted to the marketing account of each lead source "
        "(parameters.lead_sources.*.marketing_account)."
    ),
    "record_counts": (
        "HubSpot: records per object type from the list endpoint with archived=false (live) and "
        "archived=true (archived). Xero: documents per collection by Status (Contacts by ContactStatus), "
        "all statuses included."
    ),
    "crosswalk": (
        "Every Xero client contact with the HubSpot company it belongs to and how they can be matched: "
        "exact_name (same name), fuzzy_name (spelling differs, same email domain as the company domain), "
        "id_only (company property xero_contact_id holds the ContactID)."
    ),
}


def _home_values(seed: int, deal: DealFact) -> dict[str, Decimal]:
    """A won deal's amount, mrr and project in the home currency, exactly as DEFINITIONS say."""
    assert deal.close_ms is not None
    mrr, project = Decimal(str(deal.mrr)), Decimal(str(deal.project))
    values = {"amount": project + 12 * mrr, "mrr": mrr, "project": project}
    return {key: home_value(seed, deal.currency, value, deal.close_ms) for key, value in values.items()}


def _round(series: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 2) for k, v in sorted(series.items())}


def build_truth(timeline: Timeline, hubspot: HubspotView, ledger: Ledger, now_ms: int) -> dict[str, Any]:
    """The whole truth document as of ``now_ms`` (see module docstring)."""
    calendar = timeline.calendar
    month = calendar.local_month

    leads: dict[str, Counter[str]] = defaultdict(Counter)
    funnel: dict[str, Counter[str]] = defaultdict(Counter)
    funnel_by_source: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    owner_ids = [str(o.id) for o in timeline.owners]
    leads_by_owner: Counter[str] = Counter()
    won_by_owner: Counter[str] = Counter()
    for fact in timeline.lead_facts:
        if fact.lead_ms >= now_ms or (fact.archived_ms is not None and fact.archived_ms < now_ms):
            continue
        cohort = month_label(month(fact.lead_ms))
        leads[cohort][fact.source] += 1
        leads_by_owner[owner_ids[fact.owner_index]] += 1
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
        if deal.won:
            won_by_owner[owner_ids[deal.owner_index]] += 1
            row = won[label]
            row["count"] += 1
            for key, value in _home_values(timeline.seed, deal).items():
                row[key] += value
            days.append((calendar.local_day(deal.close_ms) - calendar.local_day(deal.created_ms)).days)
        else:
            lost[label] += 1
    total_won = sum(c["won"] for c in by_year.values())
    total_lost = sum(c["lost"] for c in by_year.values())

    revenue: dict[str, float] = defaultdict(float)
    mrr: dict[str, float] = defaultdict(float)
    active: dict[str, set[tuple[Any, ...]]] = defaultdict(set)
    direct: dict[str, float] = defaultdict(float)
    overheads: dict[str, float] = defaultdict(float)
    marketing: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    marketing_accounts = {s.marketing_account: s.name for s in LEAD_SOURCES}
    for doc in ledger.docs:
        if doc.status_at(now_ms)[0] not in COUNTED_STATUSES:
            continue
        label = month_label(ledger.month_of(doc))
        amount = sum(line.line_amount for line in doc.lines) / doc.rate
        if doc.kind == "ACCREC":
            revenue[label] += amount
            if doc.repeating_key is not None:
                mrr[label] += amount
                active[label].add(doc.contact_key)
        elif doc.kind == "ACCRECCREDIT":
            revenue[label] -= amount
        else:
            for line in doc.lines:
                account_type = ACCOUNTS_BY_CODE[line.account_code].type
                value = line.line_amount / doc.rate
                if account_type in DIRECT_COST_TYPES:
                    direct[label] += value
                elif account_type in OVERHEAD_TYPES:
                    overheads[label] += value
                    if line.account_code in marketing_accounts:
                        marketing[label][marketing_accounts[line.account_code]] += value
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
            "revenue_by_month": _round(revenue),
            "mrr_by_month": _round(mrr),
            "active_clients_by_month": {m: len(v) for m, v in sorted(active.items())},
            "churned_clients_by_month": churned,
            "direct_costs_by_month": _round(direct),
            "overheads_by_month": _round(overheads),
            "marketing_spend_by_month_source": {m: _round(v) for m, v in sorted(marketing.items())},
            "record_counts": record_counts(timeline, hubspot, ledger, now_ms),
            "crosswalk": crosswalk(timeline, hubspot, ledger),
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
